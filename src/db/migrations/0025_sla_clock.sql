-- Where each open SLA clock stands, so the SLA watcher and the operations dashboard need not
-- recompute every open incident's clocks on each tick or request. It is a projection: recomputed
-- from the incident's events (src/modules/sla/clocks.ts) in the transaction of every event that
-- moves a clock, and rebuildable at any time. KPIs never read it; they read the events, including
-- the sla.warning and sla.breached events the watcher records.
CREATE TABLE sla_clock (
  incident_id    uuid NOT NULL REFERENCES incident (id) ON DELETE CASCADE,
  metric         text NOT NULL CHECK (metric IN ('acknowledge','first_response','containment','resolution')),
  policy_id      uuid REFERENCES sla_policy (id) ON DELETE SET NULL,
  target_minutes integer NOT NULL,
  -- Null while the clock is paused (waiting on the constituent): no deadline is known.
  deadline       timestamptz,
  warn_at        timestamptz,
  paused         boolean NOT NULL DEFAULT false,
  -- When the milestone was reached; null while the clock runs.
  met_at         timestamptz,
  -- When the watcher recorded the sla.warning / sla.breached event for this clock (once each).
  warned_at      timestamptz,
  breached_at    timestamptz,
  computed_at    timestamptz NOT NULL,
  PRIMARY KEY (incident_id, metric)
);
-- The watcher's two questions: which running clocks reach their warning, and their deadline.
CREATE INDEX sla_clock_warn_idx ON sla_clock (warn_at) WHERE met_at IS NULL AND warned_at IS NULL AND NOT paused;
CREATE INDEX sla_clock_deadline_idx ON sla_clock (deadline) WHERE met_at IS NULL AND breached_at IS NULL AND NOT paused;
