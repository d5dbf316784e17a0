-- Intake: every channel stores what arrived, byte for byte, before anything parses it.
--
-- intake_item holds the raw bytes of an SMTP message, an imported .eml/mbox message, a webhook
-- body or a public web form post. The sender's acknowledgement (SMTP 250, HTTP 2xx) follows the
-- commit of that row. Parsing turns it into a report, a reply on a report or incident, or alerts;
-- an item that fails to parse stays 'failed' with the reason, for a handler to fix and re-run.

-- Monitoring sources that post alerts (SIEM, EDR, IDS, scripts): one token each, a field mapping
-- from the source's JSON to an alert, and a deduplication window.
CREATE TABLE intake_source (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name                 text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
  description          text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  token_hash           text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  token_hint           text NOT NULL,
  mapping              jsonb NOT NULL,
  dedup_window_seconds integer NOT NULL CHECK (dedup_window_seconds BETWEEN 0 AND 2592000),
  tlp                  text NOT NULL CHECK (tlp IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')),
  enabled              boolean NOT NULL DEFAULT true,
  created_by           uuid REFERENCES app_user (id),
  created_at           timestamptz NOT NULL,
  updated_at           timestamptz NOT NULL,
  version              integer NOT NULL DEFAULT 1
);

CREATE TABLE intake_item (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  channel      text NOT NULL CHECK (channel IN ('email','web_form','monitoring','api')),
  source_id    uuid REFERENCES intake_source (id),
  received_at  timestamptz NOT NULL,
  content_type text NOT NULL,
  content      bytea NOT NULL,
  sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  -- How it came: SMTP envelope and peer, HTTP peer, import file; never parsed content.
  envelope     jsonb NOT NULL DEFAULT '{}',
  -- E-mail only: the Message-ID, for threading replies (In-Reply-To / References) onto it.
  message_id   text,
  state        text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','parsed','failed')),
  error        text,
  attempts     integer NOT NULL DEFAULT 0,
  parsed_at    timestamptz,
  -- What parsing made of it (at most one of these; alerts point back through alert_arrival).
  report_id    uuid,
  incident_id  uuid REFERENCES incident (id),
  CHECK (state <> 'failed' OR error IS NOT NULL)
);
CREATE INDEX intake_item_unparsed_idx ON intake_item (received_at, id) WHERE state <> 'parsed';
CREATE INDEX intake_item_received_idx ON intake_item (received_at DESC, id DESC);
CREATE INDEX intake_item_message_id_idx ON intake_item (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX intake_item_report_idx ON intake_item (report_id) WHERE report_id IS NOT NULL;

-- The bytes never change: only the parse state and its outcome may.
CREATE FUNCTION intake_item_keep_raw() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'intake items are kept' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.content IS DISTINCT FROM OLD.content OR NEW.content_type IS DISTINCT FROM OLD.content_type
     OR NEW.sha256 IS DISTINCT FROM OLD.sha256 OR NEW.received_at IS DISTINCT FROM OLD.received_at
     OR NEW.channel IS DISTINCT FROM OLD.channel OR NEW.envelope IS DISTINCT FROM OLD.envelope THEN
    RAISE EXCEPTION 'the raw content of an intake item never changes' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER intake_item_keep_raw BEFORE UPDATE OR DELETE ON intake_item
  FOR EACH ROW EXECUTE FUNCTION intake_item_keep_raw();
CREATE TRIGGER intake_item_no_truncate BEFORE TRUNCATE ON intake_item
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- A report made from an intake item keeps its raw content there (not a second copy in report_raw).
ALTER TABLE report ADD COLUMN intake_item_id uuid REFERENCES intake_item (id);
ALTER TABLE intake_item ADD CONSTRAINT intake_item_report_fk FOREIGN KEY (report_id) REFERENCES report (id);
-- How urgent the reporter or the duty officer taking a call judged it (orders the triage queue).
ALTER TABLE report ADD COLUMN urgency text CHECK (urgency IN ('low','medium','high','critical'));
-- The reporter asked to be told when the incident its report is on changes state.
ALTER TABLE report ADD COLUMN wants_updates boolean NOT NULL DEFAULT false;
-- Deduplication of reports: same channel/source and fingerprint within a window collapse into one.
ALTER TABLE report ADD COLUMN fingerprint text;
CREATE INDEX report_fingerprint_idx ON report (fingerprint, received_at DESC) WHERE fingerprint IS NOT NULL;

-- Later arrivals of a report that deduplication collapsed into it, and replies threaded onto it
-- (e-mail replies, information a reporter adds through the status link).
CREATE TABLE report_message (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  report_id      uuid NOT NULL REFERENCES report (id),
  kind           text NOT NULL CHECK (kind IN ('repeat','reply','reporter_update')),
  intake_item_id uuid REFERENCES intake_item (id),
  received_at    timestamptz NOT NULL,
  sender         text,
  subject        text,
  body           text NOT NULL DEFAULT ''
);
CREATE INDEX report_message_report_idx ON report_message (report_id, received_at);

-- Files that came with a report (e-mail attachments, web form uploads), content-addressed in the
-- blob store. Archives are never unpacked; anything over the limit is recorded, not stored.
CREATE TABLE report_attachment (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  report_id      uuid NOT NULL REFERENCES report (id),
  message_id     uuid REFERENCES report_message (id),
  filename       text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
  content_type   text NOT NULL,
  size           bigint NOT NULL CHECK (size >= 0),
  sha256         text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  stored         boolean NOT NULL,
  flags          text[] NOT NULL DEFAULT '{}',
  created_at     timestamptz NOT NULL
);
CREATE INDEX report_attachment_report_idx ON report_attachment (report_id);

-- A reporter's private status link (public web form): only the token's hash is kept.
CREATE TABLE report_status_link (
  token_hash  text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  report_id   uuid NOT NULL REFERENCES report (id),
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX report_status_link_report_idx ON report_status_link (report_id);

-- Per-address rate limits of the unauthenticated channels (web form, SMTP).
CREATE TABLE intake_rate (
  key          text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  hits         integer NOT NULL
);

-- Alerts from monitoring: their own queue with their own statuses.
-- Report numbers come from a sequence from now on, like alert numbers below: a per-year counter
-- row made every report submission wait for the one before it to commit. The sequence starts past
-- every number used so far (so references stay unique) and keeps counting across years; numbers
-- are never reused, and a rolled-back submission leaves a gap. report_counter is kept, unused.
CREATE SEQUENCE report_number_seq;
SELECT setval('report_number_seq', greatest((SELECT coalesce(max(last), 0) FROM report_counter), 1), (SELECT count(*) > 0 FROM report_counter));

-- Alert numbers come from a sequence, not a per-year counter row: thousands of alerts a second
-- must not queue on one row lock. Numbers are never reused; a rolled-back insert leaves a gap.
CREATE SEQUENCE alert_number_seq;

CREATE TABLE alert (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  reference      text NOT NULL UNIQUE,
  source_id      uuid NOT NULL REFERENCES intake_source (id),
  status         text NOT NULL CHECK (status IN ('new','acknowledged','escalated','dismissed')),
  title          text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  description    text NOT NULL DEFAULT '',
  severity       text NOT NULL CHECK (severity IN ('info','low','medium','high','critical')),
  tlp            text NOT NULL CHECK (tlp IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')),
  fingerprint    text NOT NULL,
  source_ref     text,
  observed_at    timestamptz,
  classification jsonb,
  observables    jsonb NOT NULL DEFAULT '[]',
  fields         jsonb NOT NULL DEFAULT '{}',
  created_at     timestamptz NOT NULL,
  incident_id    uuid REFERENCES incident (id),
  dismissal      text CHECK (dismissal IN ('false_positive','benign','duplicate','test','outside_mandate')),
  dismissal_note text,
  decided_by     uuid REFERENCES app_user (id),
  decided_at     timestamptz,
  version        integer NOT NULL DEFAULT 1,
  updated_at     timestamptz NOT NULL,
  CHECK ((status = 'dismissed') = (dismissal IS NOT NULL)),
  CHECK (status <> 'escalated' OR incident_id IS NOT NULL)
);
CREATE INDEX alert_queue_idx ON alert (created_at DESC, id DESC) WHERE status IN ('new','acknowledged');
CREATE INDEX alert_created_idx ON alert (created_at DESC, id DESC);
CREATE INDEX alert_dedup_idx ON alert (source_id, fingerprint, created_at DESC);
CREATE INDEX alert_incident_idx ON alert (incident_id) WHERE incident_id IS NOT NULL;

-- Every arrival of an alert (the first and each repeat deduplication collapsed into it): the
-- counter and the arrival list are computed from these rows.
CREATE TABLE alert_arrival (
  intake_item_id uuid NOT NULL REFERENCES intake_item (id),
  position       integer NOT NULL,
  alert_id       uuid NOT NULL REFERENCES alert (id),
  received_at    timestamptz NOT NULL,
  PRIMARY KEY (intake_item_id, position)
);
CREATE INDEX alert_arrival_alert_idx ON alert_arrival (alert_id, received_at DESC);

-- What happened to an alert, append-only: acknowledged, escalated, linked, dismissed, reopened.
CREATE TABLE alert_event (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  alert_id  uuid NOT NULL REFERENCES alert (id),
  at        timestamptz NOT NULL,
  actor_id  uuid REFERENCES app_user (id),
  actor     text NOT NULL,
  kind      text NOT NULL,
  data      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX alert_event_alert_idx ON alert_event (alert_id, id);
CREATE TRIGGER alert_event_append_only BEFORE UPDATE OR DELETE ON alert_event
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Idempotency keys of monitoring sources: a retried POST with the same key makes nothing new.
CREATE TABLE intake_idempotency (
  source_id      uuid NOT NULL REFERENCES intake_source (id),
  key            text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
  request_sha256 text NOT NULL CHECK (request_sha256 ~ '^[0-9a-f]{64}$'),
  intake_item_id uuid REFERENCES intake_item (id),
  created_at     timestamptz NOT NULL,
  PRIMARY KEY (source_id, key)
);
