-- SLA policies: per priority, and per constituent where the constituent has an SLA agreement in
-- force; each with its calendar (24x7 or business hours in a time zone, with holidays) and targets
-- in working minutes: to acknowledge, to first respond to the reporter, to contain, to resolve.
-- Clocks are computed from the incident's events (declared, acknowledged, communications, key
-- times, closed, paused/resumed), never kept as counters.
CREATE TABLE sla_policy (
  id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  priority               text NOT NULL CHECK (priority IN ('P1','P2','P3','P4')),
  -- Null: the team's policy for the priority; else the policy of this constituent's agreement.
  constituent_id         uuid REFERENCES constituent (id) ON DELETE CASCADE,
  -- {"kind":"24x7"|"business_hours","timeZone":"Europe/Berlin","days":[1..7],"start":"09:00","end":"17:00","holidays":["2026-12-25"]}
  calendar               jsonb NOT NULL CHECK (jsonb_typeof(calendar) = 'object'),
  acknowledge_minutes    integer CHECK (acknowledge_minutes BETWEEN 1 AND 525600),
  first_response_minutes integer CHECK (first_response_minutes BETWEEN 1 AND 525600),
  containment_minutes    integer CHECK (containment_minutes BETWEEN 1 AND 525600),
  resolution_minutes     integer CHECK (resolution_minutes BETWEEN 1 AND 525600),
  -- The warning before breach comes when this share of the target has passed.
  warn_percent           integer NOT NULL DEFAULT 80 CHECK (warn_percent BETWEEN 50 AND 99),
  version                integer NOT NULL DEFAULT 1,
  created_at             timestamptz NOT NULL,
  updated_at             timestamptz NOT NULL,
  updated_by             uuid REFERENCES app_user (id)
);
CREATE UNIQUE INDEX sla_policy_team_idx ON sla_policy (priority) WHERE constituent_id IS NULL;
CREATE UNIQUE INDEX sla_policy_constituent_idx ON sla_policy (priority, constituent_id) WHERE constituent_id IS NOT NULL;

-- Defaults to edit: P1 and P2 around the clock, P3 and P4 in business hours (Monday to Friday,
-- 09:00-17:00 UTC; set the team's time zone and holidays).
INSERT INTO sla_policy (priority, calendar, acknowledge_minutes, first_response_minutes, containment_minutes, resolution_minutes, created_at, updated_at) VALUES
  ('P1', '{"kind":"24x7","timeZone":"UTC","days":[],"start":"00:00","end":"24:00","holidays":[]}', 15, 60, 240, 1440, now(), now()),
  ('P2', '{"kind":"24x7","timeZone":"UTC","days":[],"start":"00:00","end":"24:00","holidays":[]}', 30, 240, 1440, 4320, now(), now()),
  ('P3', '{"kind":"business_hours","timeZone":"UTC","days":[1,2,3,4,5],"start":"09:00","end":"17:00","holidays":[]}', 240, 480, NULL, 2400, now(), now()),
  ('P4', '{"kind":"business_hours","timeZone":"UTC","days":[1,2,3,4,5],"start":"09:00","end":"17:00","holidays":[]}', 480, 960, NULL, 4800, now(), now());
