-- Incident reports: what came in, kept raw and unchanged, then linked to an incident, merged into
-- another report, or rejected with a reason. Plus the incident's assignee (its owner in the queue),
-- and the organisation a reporter account belongs to (what it may see of reports).

ALTER TABLE app_user ADD COLUMN organisation text CHECK (organisation IS NULL OR length(organisation) BETWEEN 1 AND 200);

ALTER TABLE incident ADD COLUMN assignee_id uuid REFERENCES app_user (id);
CREATE INDEX incident_assignee_idx ON incident (assignee_id, created_at DESC) WHERE assignee_id IS NOT NULL;

CREATE TABLE report_counter (
  year integer PRIMARY KEY,
  last integer NOT NULL
);

CREATE TABLE report (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  reference      text NOT NULL UNIQUE,
  channel        text NOT NULL CHECK (channel IN ('api','web_form','portal','email','phone','monitoring','other')),
  source         text CHECK (source IS NULL OR length(source) <= 200),
  status         text NOT NULL CHECK (status IN ('new','linked','merged','rejected')),
  title          text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  body           text NOT NULL DEFAULT '',
  tlp            text NOT NULL CHECK (tlp IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')),
  reporter_name  text,
  reporter_email text,
  reporter_phone text,
  organisation   text,
  received_at    timestamptz NOT NULL,
  submitted_by   uuid REFERENCES app_user (id),
  incident_id    uuid REFERENCES incident (id),
  merged_into    uuid REFERENCES report (id),
  rejection      text CHECK (rejection IN ('not_incident','false_positive','spam','outside_mandate','duplicate')),
  rejection_note text,
  decided_by     uuid REFERENCES app_user (id),
  decided_at     timestamptz,
  version        integer NOT NULL DEFAULT 1,
  updated_at     timestamptz NOT NULL,
  search         tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', body), 'B')) STORED,
  CHECK (status <> 'linked' OR incident_id IS NOT NULL),
  CHECK (status <> 'new' OR incident_id IS NULL),
  CHECK ((status = 'merged') = (merged_into IS NOT NULL)),
  CHECK ((status = 'rejected') = (rejection IS NOT NULL)),
  CHECK (merged_into IS NULL OR merged_into <> id)
);
CREATE INDEX report_queue_idx ON report (received_at DESC, id) WHERE status = 'new';
CREATE INDEX report_received_idx ON report (received_at DESC, id);
CREATE INDEX report_incident_idx ON report (incident_id) WHERE incident_id IS NOT NULL;
CREATE INDEX report_merged_idx ON report (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX report_organisation_idx ON report (lower(organisation), received_at DESC) WHERE organisation IS NOT NULL;
CREATE INDEX report_search_idx ON report USING gin (search);

-- What arrived, byte for byte. Written once with its report, never changed or removed.
CREATE TABLE report_raw (
  report_id    uuid PRIMARY KEY REFERENCES report (id),
  content_type text NOT NULL,
  content      bytea NOT NULL,
  sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$')
);
CREATE TRIGGER report_raw_no_update BEFORE UPDATE OR DELETE ON report_raw
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER report_raw_no_truncate BEFORE TRUNCATE ON report_raw
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- The queue's other orders: by priority (open incidents) and by last change.
CREATE INDEX incident_open_priority_idx ON incident (priority, created_at DESC, id DESC) WHERE status <> 'closed';
CREATE INDEX incident_updated_idx ON incident (updated_at DESC, id DESC);
