-- Outgoing e-mail to reporters: an outbox written in the same transaction as the change that
-- causes a message (a report received, an incident changing state), sent afterwards by the mail
-- worker through the configured SMTP relay, every attempt logged.

-- One message to send. (kind, report_id, event_key) makes each one enqueued exactly once: a
-- receipt has the event key 'receipt', an update the id of the incident event that caused it.
CREATE TABLE mail_delivery (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind            text NOT NULL CHECK (kind IN ('receipt','update')),
  report_id       uuid NOT NULL REFERENCES report (id),
  incident_id     uuid REFERENCES incident (id),
  event_key       text NOT NULL CHECK (length(event_key) BETWEEN 1 AND 100),
  -- What the message tells the reporter about its report (received, in_progress, closed, ...).
  public_status   text NOT NULL,
  recipient       text NOT NULL CHECK (length(recipient) BETWEEN 3 AND 320),
  subject         text NOT NULL CHECK (length(subject) <= 998 AND subject !~ '[\r\n]'),
  -- Rendered plain text; a private status link stays a {{statusUrl}} placeholder here, filled in
  -- from status_url when sending, and status_url is cleared once the message is sent.
  body            text NOT NULL,
  status_url      text,
  -- <uuid@domain of VIGIL_MAIL_FROM>: replies carry it in In-Reply-To, which threads them on the report.
  message_id      text NOT NULL UNIQUE,
  in_reply_to     text,
  status          text NOT NULL CHECK (status IN ('queued','sending','sent','failed')),
  -- Attempts since the delivery was enqueued or last retried by hand (mail_attempt keeps them all).
  attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  -- Queued: when the next attempt is due. Sending: when the sender's lease runs out (a sender that
  -- crashed leaves it 'sending'; it is sent again after that time).
  next_attempt_at timestamptz NOT NULL,
  last_error      text,
  sent_at         timestamptz,
  created_at      timestamptz NOT NULL,
  UNIQUE (kind, report_id, event_key),
  CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX mail_delivery_due_idx ON mail_delivery (next_attempt_at) WHERE status IN ('queued','sending');
CREATE INDEX mail_delivery_created_idx ON mail_delivery (created_at DESC, id DESC);
CREATE INDEX mail_delivery_status_idx ON mail_delivery (status, created_at DESC, id DESC);
CREATE INDEX mail_delivery_report_idx ON mail_delivery (report_id, kind, created_at DESC);
CREATE INDEX mail_delivery_recipient_idx ON mail_delivery (lower(recipient), created_at DESC) WHERE kind = 'receipt';

-- Every attempt to hand a delivery to the relay, append-only.
CREATE TABLE mail_attempt (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id  uuid NOT NULL REFERENCES mail_delivery (id),
  at           timestamptz NOT NULL,
  outcome      text NOT NULL CHECK (outcome IN ('sent','deferred','failed','abandoned')),
  -- The relay's SMTP reply (250 ..., 451 ..., 550 ...) or the connection error.
  response     text,
  smtp_code    integer
);
CREATE INDEX mail_attempt_delivery_idx ON mail_attempt (delivery_id, id);
CREATE TRIGGER mail_attempt_append_only BEFORE UPDATE OR DELETE ON mail_attempt
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER mail_attempt_no_truncate BEFORE TRUNCATE ON mail_attempt
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Templates an admin changed; a kind without a row uses the default shipped with Vigil.
CREATE TABLE mail_template (
  kind        text PRIMARY KEY CHECK (kind IN ('receipt','update')),
  subject     text NOT NULL CHECK (length(subject) BETWEEN 1 AND 300 AND subject !~ '[\r\n]'),
  body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
  updated_by  uuid REFERENCES app_user (id),
  updated_at  timestamptz NOT NULL
);
