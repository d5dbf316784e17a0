-- Scheduled KPI reports: the monthly or annual report e-mailed to configured recipients once its
-- period is complete in the team's time zone. A schedule remembers the last period it was claimed
-- for; the worker claims a period and writes one delivery per recipient in the same transaction,
-- so a period is sent once whatever crashes. Deliveries are sent like the other outboxes: claimed
-- with a lease, every attempt logged, and left queued (waiting) while no SMTP relay is configured.
CREATE TABLE report_schedule (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind         text NOT NULL CHECK (kind IN ('monthly','annual')),
  -- Bare e-mail addresses, lower-case, at least one.
  recipients   text[] NOT NULL CHECK (cardinality(recipients) BETWEEN 1 AND 50),
  format       text NOT NULL CHECK (format IN ('pdf','html')),
  -- The TLP the report is written at (notable incidents and activities at or below it).
  tlp          text NOT NULL DEFAULT 'GREEN' CHECK (tlp IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')),
  enabled      boolean NOT NULL DEFAULT true,
  -- The last period claimed ('2026-10' or '2026'); the next one due is the one after it.
  last_period  text CHECK (last_period ~ '^\d{4}(-\d{2})?$'),
  version      integer NOT NULL DEFAULT 1,
  created_by   uuid REFERENCES app_user (id),
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL
);

-- One report to one recipient for one period of one schedule, made once.
CREATE TABLE report_delivery (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  schedule_id     uuid NOT NULL REFERENCES report_schedule (id) ON DELETE CASCADE,
  period          text NOT NULL CHECK (period ~ '^\d{4}(-\d{2})?$'),
  recipient       text NOT NULL CHECK (length(recipient) BETWEEN 3 AND 320),
  status          text NOT NULL CHECK (status IN ('queued','sending','sent','failed')),
  attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  -- Queued: when the next attempt is due. Sending: when the sender's lease runs out.
  next_attempt_at timestamptz NOT NULL,
  last_error      text,
  sent_at         timestamptz,
  created_at      timestamptz NOT NULL,
  UNIQUE (schedule_id, period, recipient),
  CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX report_delivery_due_idx ON report_delivery (next_attempt_at) WHERE status IN ('queued','sending');
CREATE INDEX report_delivery_schedule_idx ON report_delivery (schedule_id, created_at DESC);

-- Every attempt to hand a report to the relay, append-only.
CREATE TABLE report_delivery_attempt (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id  uuid NOT NULL REFERENCES report_delivery (id) ON DELETE CASCADE,
  at           timestamptz NOT NULL,
  outcome      text NOT NULL CHECK (outcome IN ('sent','deferred','failed','abandoned')),
  response     text,
  smtp_code    integer
);
CREATE INDEX report_delivery_attempt_idx ON report_delivery_attempt (delivery_id, id);
