-- Escalation policies: who is told, in which order and after how long, when a serious incident is
-- declared, repeated until someone acknowledges. The default follows the seeds: for P1/P2 the
-- first level is management, notified in the transaction that declares the incident, so it is
-- always told before any technical work can be logged.

CREATE TABLE escalation_policy (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name                 text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
  description          text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  -- Priorities it applies to (P1..P4), at least one.
  priorities           text[] NOT NULL CHECK (cardinality(priorities) BETWEEN 1 AND 4 AND priorities <@ ARRAY['P1','P2','P3','P4']),
  -- RSIT classes it applies to; empty means any. A policy naming classes wins over one that does not.
  rsit_classes         text[] NOT NULL DEFAULT '{}',
  -- After the last level: go round again this many times (unless acknowledged), each time after this wait.
  repeat_count         integer NOT NULL DEFAULT 2 CHECK (repeat_count BETWEEN 0 AND 10),
  repeat_after_minutes integer NOT NULL DEFAULT 30 CHECK (repeat_after_minutes BETWEEN 1 AND 1440),
  -- Then continue with another policy (a cycle of these is refused when saved).
  then_policy_id       uuid REFERENCES escalation_policy (id),
  enabled              boolean NOT NULL DEFAULT true,
  version              integer NOT NULL DEFAULT 1,
  created_at           timestamptz NOT NULL,
  updated_at           timestamptz NOT NULL,
  updated_by           uuid REFERENCES app_user (id)
);

-- The ordered levels of a policy. Recipients: [{"kind":"seat","seat":"csirt_manager"},
-- {"kind":"rota","rotaId":…}, {"kind":"on_duty"}, {"kind":"user","userId":…},
-- {"kind":"incident_role","role":"coordinator"}, {"kind":"contact","contactId":…},
-- {"kind":"channel","channelId":…}].
CREATE TABLE escalation_level (
  policy_id     uuid NOT NULL REFERENCES escalation_policy (id) ON DELETE CASCADE,
  position      integer NOT NULL CHECK (position BETWEEN 1 AND 20),
  -- Minutes after the previous level (the first level: after the escalation starts).
  delay_minutes integer NOT NULL CHECK (delay_minutes BETWEEN 0 AND 10080),
  recipients    jsonb NOT NULL CHECK (jsonb_typeof(recipients) = 'array' AND jsonb_array_length(recipients) BETWEEN 1 AND 20),
  PRIMARY KEY (policy_id, position)
);

-- One escalation of one incident: the level to notify next and when.
CREATE TABLE escalation_run (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  incident_id     uuid NOT NULL REFERENCES incident (id),
  policy_id       uuid NOT NULL REFERENCES escalation_policy (id),
  state           text NOT NULL CHECK (state IN ('active','acknowledged','exhausted','cancelled')),
  -- The next level to notify (1-based), the round (0 = the first pass) and how many policies
  -- were followed through then_policy_id.
  level           integer NOT NULL CHECK (level >= 1),
  round           integer NOT NULL DEFAULT 0 CHECK (round >= 0),
  hops            integer NOT NULL DEFAULT 0 CHECK (hops >= 0),
  next_at         timestamptz,
  started_at      timestamptz NOT NULL,
  last_notified_at timestamptz,
  acknowledged_at timestamptz,
  acknowledged_by uuid REFERENCES app_user (id),
  ended_at        timestamptz,
  CHECK ((state = 'active') = (next_at IS NOT NULL))
);
CREATE UNIQUE INDEX escalation_run_active_idx ON escalation_run (incident_id) WHERE state = 'active';
CREATE INDEX escalation_run_due_idx ON escalation_run (next_at) WHERE state = 'active';
CREATE INDEX escalation_run_incident_idx ON escalation_run (incident_id, started_at DESC);

-- The default: management first for P1 and P2.
INSERT INTO escalation_policy (name, description, priorities, repeat_count, repeat_after_minutes, created_at, updated_at)
VALUES ('Management first (P1/P2)',
        'The seeds'' rule: for a serious incident, management is notified through the escalation chain before technical work starts. Level 1 goes out when the incident is declared.',
        ARRAY['P1','P2'], 3, 30, now(), now());
INSERT INTO escalation_level (policy_id, position, delay_minutes, recipients)
SELECT id, 1, 0, '[{"kind":"seat","seat":"csirt_manager"},{"kind":"on_duty"},{"kind":"incident_role","role":"coordinator"}]'::jsonb
FROM escalation_policy WHERE name = 'Management first (P1/P2)';
INSERT INTO escalation_level (policy_id, position, delay_minutes, recipients)
SELECT id, 2, 15, '[{"kind":"seat","seat":"senior_handler"},{"kind":"seat","seat":"technical_lead"}]'::jsonb
FROM escalation_policy WHERE name = 'Management first (P1/P2)';
INSERT INTO escalation_level (policy_id, position, delay_minutes, recipients)
SELECT id, 3, 15, '[{"kind":"seat","seat":"communications"},{"kind":"seat","seat":"legal"}]'::jsonb
FROM escalation_policy WHERE name = 'Management first (P1/P2)';

-- Unacknowledged alerts (high and critical by default) page whoever is on duty, once.
ALTER TABLE alert ADD COLUMN paged_at timestamptz;
CREATE INDEX alert_unpaged_idx ON alert (created_at) WHERE status = 'new' AND paged_at IS NULL;
