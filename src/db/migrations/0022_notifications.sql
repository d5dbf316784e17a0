-- Notifications to the team: in-app (a per-user inbox), e-mail through the SMTP relay, and
-- webhooks (generic JSON, Slack, Mattermost, Matrix). Other modules enqueue them inside their own
-- transaction; the notification worker delivers them afterwards, every attempt logged.

-- A configured webhook destination. Its secret (the HMAC key of a generic webhook, the access
-- token of a Matrix room) is stored sealed with the server's secret key and never returned.
CREATE TABLE notification_channel (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
  kind        text NOT NULL CHECK (kind IN ('webhook','slack','mattermost','matrix')),
  -- The webhook URL, or the Matrix homeserver's base URL.
  url         text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
  -- Matrix only: the room to post to (!opaque:server).
  room_id     text CHECK (room_id IS NULL OR length(room_id) <= 255),
  secret_sealed text,
  -- Event kinds sent to this channel when the caller addresses "subscribed channels".
  events      text[] NOT NULL DEFAULT '{}',
  enabled     boolean NOT NULL DEFAULT true,
  version     integer NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  CHECK ((kind = 'matrix') = (room_id IS NOT NULL))
);

-- A user's choice per event kind; an event without a row uses the default (in-app and e-mail).
CREATE TABLE notification_preference (
  user_id     uuid NOT NULL REFERENCES app_user (id),
  event       text NOT NULL CHECK (length(event) BETWEEN 1 AND 60),
  email       boolean NOT NULL,
  in_app      boolean NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (user_id, event)
);

-- Templates an admin changed; an event kind without a row uses the default shipped with Vigil.
CREATE TABLE notification_template (
  event       text PRIMARY KEY CHECK (length(event) BETWEEN 1 AND 60),
  subject     text NOT NULL CHECK (length(subject) BETWEEN 1 AND 300 AND subject !~ '[\r\n]'),
  body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
  version     integer NOT NULL DEFAULT 1,
  updated_by  uuid REFERENCES app_user (id),
  updated_at  timestamptz NOT NULL
);

-- One notification to one recipient over one medium. (dedupe_key, recipient, medium) is unique:
-- however often a caller retries its enqueue, each is enqueued once. An in-app delivery is the
-- inbox entry itself: it is 'sent' when written, read_at marks it read.
CREATE TABLE notification_delivery (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event           text NOT NULL CHECK (length(event) BETWEEN 1 AND 60),
  dedupe_key      text NOT NULL CHECK (length(dedupe_key) BETWEEN 1 AND 200),
  medium          text NOT NULL CHECK (medium IN ('in_app','email','webhook')),
  -- 'user:<uuid>', 'channel:<uuid>' or 'email:<address>'.
  recipient       text NOT NULL CHECK (length(recipient) BETWEEN 3 AND 330),
  user_id         uuid REFERENCES app_user (id),
  -- Null once the channel is deleted (the recipient key still names it).
  channel_id      uuid REFERENCES notification_channel (id) ON DELETE SET NULL,
  address         text CHECK (address IS NULL OR length(address) BETWEEN 3 AND 320),
  subject         text NOT NULL CHECK (length(subject) <= 500),
  body            text NOT NULL CHECK (length(body) <= 20000),
  link            text CHECK (link IS NULL OR length(link) <= 2000),
  vars            jsonb NOT NULL DEFAULT '{}',
  status          text NOT NULL CHECK (status IN ('queued','sending','sent','failed')),
  attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  -- Queued: when the next attempt is due. Sending: when the sender's lease runs out.
  next_attempt_at timestamptz NOT NULL,
  last_error      text,
  sent_at         timestamptz,
  read_at         timestamptz,
  created_at      timestamptz NOT NULL,
  UNIQUE (dedupe_key, recipient, medium),
  CHECK ((status = 'sent') = (sent_at IS NOT NULL)),
  CHECK (medium <> 'in_app' OR (user_id IS NOT NULL AND status = 'sent')),
  CHECK (medium <> 'email' OR address IS NOT NULL)
);
CREATE INDEX notification_delivery_due_idx ON notification_delivery (next_attempt_at) WHERE status IN ('queued','sending');
CREATE INDEX notification_delivery_created_idx ON notification_delivery (created_at DESC, id DESC);
CREATE INDEX notification_delivery_status_idx ON notification_delivery (status, created_at DESC, id DESC);
CREATE INDEX notification_inbox_idx ON notification_delivery (user_id, created_at DESC, id DESC) WHERE medium = 'in_app';
CREATE INDEX notification_unread_idx ON notification_delivery (user_id) WHERE medium = 'in_app' AND read_at IS NULL;

-- Every attempt to hand a delivery to the relay or a webhook, append-only.
CREATE TABLE notification_attempt (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id  uuid NOT NULL REFERENCES notification_delivery (id),
  at           timestamptz NOT NULL,
  outcome      text NOT NULL CHECK (outcome IN ('sent','deferred','failed','abandoned')),
  -- The relay's SMTP reply, the HTTP status line, or the connection error.
  response     text,
  code         integer
);
CREATE INDEX notification_attempt_delivery_idx ON notification_attempt (delivery_id, id);
CREATE TRIGGER notification_attempt_append_only BEFORE UPDATE OR DELETE ON notification_attempt
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER notification_attempt_no_truncate BEFORE TRUNCATE ON notification_attempt
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
