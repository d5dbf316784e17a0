-- Idempotency keys for report submission: a client that retries a POST with the same key gets the
-- report it already made instead of a second one. Keyed per submitting account.
CREATE TABLE report_idempotency (
  owner_id       uuid NOT NULL REFERENCES app_user (id),
  key            text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
  request_sha256 text NOT NULL CHECK (request_sha256 ~ '^[0-9a-f]{64}$'),
  report_id      uuid REFERENCES report (id),
  created_at     timestamptz NOT NULL,
  PRIMARY KEY (owner_id, key)
);
