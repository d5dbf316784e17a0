-- Evidence: files stored once by SHA-256 in the blob folder, never modified, with a chain of custody.
CREATE TABLE evidence (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  incident_id    uuid NOT NULL REFERENCES incident (id),
  filename       text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
  content_type   text NOT NULL,
  size           bigint NOT NULL CHECK (size > 0),
  md5            text NOT NULL,
  sha1           text NOT NULL,
  sha256         text NOT NULL,
  description    text NOT NULL DEFAULT '',
  tlp            text NOT NULL CHECK (tlp IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')),
  collected_by   text NOT NULL,
  collected_at   timestamptz NOT NULL,
  collected_from text NOT NULL,
  added_by       uuid REFERENCES app_user (id),
  added_at       timestamptz NOT NULL
);
CREATE INDEX evidence_incident_idx ON evidence (incident_id, added_at);
CREATE INDEX evidence_sha256_idx ON evidence (sha256);

CREATE TABLE evidence_custody (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  evidence_id uuid NOT NULL REFERENCES evidence (id),
  action      text NOT NULL CHECK (action IN ('collected','uploaded','downloaded','handed_over')),
  at          timestamptz NOT NULL,
  actor_id    uuid,
  actor_name  text NOT NULL,
  details     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX evidence_custody_evidence_idx ON evidence_custody (evidence_id, id);
CREATE TRIGGER evidence_no_update BEFORE UPDATE OR DELETE ON evidence FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER evidence_custody_no_update BEFORE UPDATE OR DELETE ON evidence_custody FOR EACH ROW EXECUTE FUNCTION refuse_change();
