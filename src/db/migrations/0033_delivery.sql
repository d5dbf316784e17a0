-- One delivery layer (issue 16, part 2): every message Vigil hands to the outside world (reporter
-- mail, team notifications by e-mail and webhook, scheduled KPI reports, and the work queued by
-- incident events) is one row of `delivery`, worked by one worker loop with one lease, one attempt
-- budget, one backoff and one attempt log (`delivery_attempt`). What only one kind needs (a
-- reporter message's Message-ID and body, a notification's inbox entry, a report's schedule and
-- period) stays in that kind's own table, keyed by the delivery's id: mail_delivery,
-- notification_delivery and report_delivery lose their queue columns and their attempt tables.

CREATE TABLE delivery (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- The order deliveries were written in: due ones are worked in this order (an incident's events
  -- one after the other).
  seq             bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  -- The handler that works it: reporter_mail, notification, kpi_report, reporter_mail.incident_event,
  -- notification.incident_event, and the kinds to come.
  kind            text NOT NULL CHECK (kind ~ '^[a-z][a-z_.]{0,59}$'),
  -- With the kind, what makes a delivery unique: enqueuing it again adds nothing.
  dedupe_key      text NOT NULL CHECK (length(dedupe_key) BETWEEN 1 AND 700),
  -- What it needs to go out: the SMTP relay, HTTP, or nothing outside (in-app, queued work).
  -- Without a relay, 'smtp' deliveries wait queued and spend no attempts.
  via             text NOT NULL CHECK (via IN ('smtp','http','internal')),
  -- For the logs: to whom, and what (a subject, or what the queued work is).
  recipient       text NOT NULL CHECK (length(recipient) BETWEEN 1 AND 400),
  summary         text NOT NULL CHECK (length(summary) <= 1000),
  -- What the handler needs that no kind table holds (the incident event of queued work).
  payload         jsonb NOT NULL DEFAULT '{}',
  status          text NOT NULL CHECK (status IN ('queued','sending','sent','failed')),
  -- Attempts since it was enqueued or last retried by hand (delivery_attempt keeps them all).
  attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  -- Queued: when the next attempt is due. Sending: when the sender's lease runs out (a sender that
  -- died leaves it 'sending'; another takes it over after that time).
  next_attempt_at timestamptz NOT NULL,
  last_error      text,
  sent_at         timestamptz,
  created_at      timestamptz NOT NULL,
  UNIQUE (kind, dedupe_key),
  CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX delivery_due_idx ON delivery (next_attempt_at, seq) WHERE status IN ('queued','sending');
CREATE INDEX delivery_created_idx ON delivery (created_at DESC, id DESC);
CREATE INDEX delivery_status_idx ON delivery (status, created_at DESC, id DESC);
CREATE INDEX delivery_kind_idx ON delivery (kind, status, created_at DESC, id DESC);

-- Every attempt to work a delivery, append-only.
CREATE TABLE delivery_attempt (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id  uuid NOT NULL REFERENCES delivery (id),
  at           timestamptz NOT NULL,
  outcome      text NOT NULL CHECK (outcome IN ('sent','deferred','failed','abandoned')),
  -- The relay's SMTP reply, the HTTP status line, the connection error, or why it could not be made.
  response     text,
  -- The SMTP reply code or the HTTP status.
  code         integer
);
CREATE INDEX delivery_attempt_delivery_idx ON delivery_attempt (delivery_id, id);

-- The existing rows, with their ids: queued and sending ones stay so (a 'sending' one is taken over
-- when its lease runs out, as before).
INSERT INTO delivery (id, kind, dedupe_key, via, recipient, summary, status, attempts, next_attempt_at, last_error, sent_at, created_at)
SELECT id, 'reporter_mail', kind || ':' || report_id || ':' || event_key, 'smtp', recipient, subject,
       status, attempts, next_attempt_at, last_error, sent_at, created_at
FROM mail_delivery;

INSERT INTO delivery (id, kind, dedupe_key, via, recipient, summary, status, attempts, next_attempt_at, last_error, sent_at, created_at)
SELECT id, 'notification', medium || '|' || recipient || '|' || dedupe_key,
       CASE medium WHEN 'email' THEN 'smtp' WHEN 'webhook' THEN 'http' ELSE 'internal' END,
       coalesce(address, recipient), left(subject, 1000),
       status, attempts, next_attempt_at, last_error, sent_at, created_at
FROM notification_delivery;

INSERT INTO delivery (id, kind, dedupe_key, via, recipient, summary, status, attempts, next_attempt_at, last_error, sent_at, created_at)
SELECT d.id, 'kpi_report', d.schedule_id || ':' || d.period || ':' || d.recipient, 'smtp', d.recipient,
       s.kind || ' KPI report ' || d.period,
       d.status, d.attempts, d.next_attempt_at, d.last_error, d.sent_at, d.created_at
FROM report_delivery d JOIN report_schedule s ON s.id = d.schedule_id;

INSERT INTO delivery_attempt (delivery_id, at, outcome, response, code)
SELECT delivery_id, at, outcome, response, code FROM (
  SELECT delivery_id, at, outcome, response, smtp_code AS code, id, 1 AS src FROM mail_attempt
  UNION ALL SELECT delivery_id, at, outcome, response, code, id, 2 FROM notification_attempt
  UNION ALL SELECT delivery_id, at, outcome, response, smtp_code, id, 3 FROM report_delivery_attempt
) a ORDER BY at, src, id;

CREATE TRIGGER delivery_attempt_append_only BEFORE UPDATE OR DELETE ON delivery_attempt
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER delivery_attempt_no_truncate BEFORE TRUNCATE ON delivery_attempt
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

DROP TABLE mail_attempt;
DROP TABLE notification_attempt;
DROP TABLE report_delivery_attempt;

-- The kinds' tables keep what only they need; their state is the delivery's.
ALTER TABLE mail_delivery DROP COLUMN status, DROP COLUMN attempts, DROP COLUMN next_attempt_at, DROP COLUMN last_error, DROP COLUMN sent_at;
ALTER TABLE mail_delivery ADD CONSTRAINT mail_delivery_delivery_fk FOREIGN KEY (id) REFERENCES delivery (id);
ALTER TABLE notification_delivery DROP COLUMN status, DROP COLUMN attempts, DROP COLUMN next_attempt_at, DROP COLUMN last_error, DROP COLUMN sent_at;
ALTER TABLE notification_delivery ADD CONSTRAINT notification_delivery_delivery_fk FOREIGN KEY (id) REFERENCES delivery (id);
ALTER TABLE report_delivery DROP COLUMN status, DROP COLUMN attempts, DROP COLUMN next_attempt_at, DROP COLUMN last_error, DROP COLUMN sent_at;
ALTER TABLE report_delivery ADD CONSTRAINT report_delivery_delivery_fk FOREIGN KEY (id) REFERENCES delivery (id);
