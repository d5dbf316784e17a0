-- KPIs: the team's time zone (months and years of KPIs and reports are counted in it), the team's
-- recorded activities (constituency meetings, awareness campaigns, trainings, exercises), and the
-- editable KPI definitions with their targets. KPI values are never stored: they are computed from
-- incidents, their events, reports and these activities whenever asked for.
ALTER TABLE team ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';

CREATE TABLE team_activity (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind           text NOT NULL CHECK (kind IN ('constituency_meeting','awareness_campaign','training','exercise','other')),
  title          text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description    text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
  starts_at      timestamptz NOT NULL,
  ends_at        timestamptz CHECK (ends_at IS NULL OR ends_at >= starts_at),
  -- The constituent it was held with or for, if one.
  constituent_id uuid REFERENCES constituent (id) ON DELETE SET NULL,
  participants   integer CHECK (participants BETWEEN 0 AND 10000000),
  -- How widely the activity may be named in reports (the annual report is written at a chosen TLP).
  tlp            text NOT NULL DEFAULT 'GREEN' CHECK (tlp IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')),
  version        integer NOT NULL DEFAULT 1,
  created_by     uuid REFERENCES app_user (id),
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL
);
CREATE INDEX team_activity_starts_idx ON team_activity (starts_at, id);

CREATE TABLE kpi_definition (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  key          text NOT NULL UNIQUE CHECK (key ~ '^[a-z][a-z0-9_]{1,62}$'),
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  description  text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  -- What is measured (src/modules/kpi/measures.ts), and its parameters, e.g. {"priorities":["P1"]}.
  measure      text NOT NULL,
  params       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(params) = 'object'),
  -- The target: value op target_value, e.g. rate < 5 or count >= 1; null op: no target.
  target_op    text CHECK (target_op IN ('<','<=','>','>=')),
  target_value double precision,
  enabled      boolean NOT NULL DEFAULT true,
  position     integer NOT NULL DEFAULT 0,
  version      integer NOT NULL DEFAULT 1,
  updated_at   timestamptz NOT NULL,
  updated_by   uuid REFERENCES app_user (id),
  CHECK ((target_op IS NULL) = (target_value IS NULL))
);

-- The ENISA guide's examples (2.5.1) and the usual incident-handling times, to edit.
INSERT INTO kpi_definition (key, name, description, measure, params, target_op, target_value, position, updated_at) VALUES
  ('sla_breaches_critical', 'SLA breaches, critical incidents', 'Share of the month''s P1 incidents with at least one SLA target breached.', 'sla_breach_rate', '{"priorities":["P1"]}', '<', 5, 10, now()),
  ('sla_breaches_all', 'SLA breaches, all incidents', 'Share of the month''s incidents with at least one SLA target breached.', 'sla_breach_rate', '{}', NULL, NULL, 20, now()),
  ('time_to_detect', 'Median time to detect', 'From the first compromise to detection (key times), incidents declared in the month.', 'time_to_detect', '{"statistic":"median"}', NULL, NULL, 30, now()),
  ('time_to_acknowledge', 'Median time to acknowledge', 'From declaration to acknowledgement.', 'time_to_acknowledge', '{"statistic":"median"}', NULL, NULL, 40, now()),
  ('time_to_contain', 'Median time to contain', 'From declaration to containment.', 'time_to_contain', '{"statistic":"median"}', NULL, NULL, 50, now()),
  ('time_to_resolve', 'Median time to resolve', 'From declaration to closing.', 'time_to_resolve', '{"statistic":"median"}', NULL, NULL, 60, now()),
  ('false_positive_reports', 'Reports rejected as false positives', 'Share of the reports decided in the month that were rejected as false positives.', 'false_positive_rate', '{}', NULL, NULL, 70, now()),
  ('constituency_meetings', 'Meetings with the constituency', 'At least one a month.', 'activity_count', '{"kind":"constituency_meeting"}', '>=', 1, 80, now()),
  ('awareness_campaigns', 'Awareness campaigns', 'At least one every second month: counted over the month and the one before.', 'activity_count', '{"kind":"awareness_campaign","months":2}', '>=', 1, 90, now()),
  ('trainings', 'Trainings', 'Trainings given or attended by the team.', 'activity_count', '{"kind":"training"}', NULL, NULL, 100, now()),
  ('exercises', 'Exercises', 'Exercises held; their incidents never count in incident KPIs.', 'activity_count', '{"kind":"exercise"}', NULL, NULL, 110, now());
