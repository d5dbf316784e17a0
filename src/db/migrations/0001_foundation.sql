-- Foundation: the team, accounts, sessions, API tokens, login throttling and the audit trail.

CREATE TABLE team (
  id          integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  require_mfa boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE app_user (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username             text NOT NULL CHECK (username ~ '^[a-z0-9][a-z0-9._@-]{1,62}$'),
  display_name         text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 120),
  email                text,
  password_hash        text NOT NULL,
  must_change_password boolean NOT NULL DEFAULT false,
  roles                text[] NOT NULL DEFAULT '{}'
                       CHECK (roles <@ ARRAY['admin','manager','handler','viewer','reporter']::text[]),
  disabled_at          timestamptz,
  mfa_secret           text,
  mfa_pending_secret   text,
  mfa_enabled_at       timestamptz,
  mfa_last_step        bigint,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  last_login_at        timestamptz,
  password_changed_at  timestamptz
);
CREATE UNIQUE INDEX app_user_username_key ON app_user (username);

CREATE TABLE recovery_code (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id    uuid NOT NULL REFERENCES app_user (id),
  code_hash  text NOT NULL,
  used_at    timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recovery_code_user_idx ON recovery_code (user_id);

CREATE TABLE user_session (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL REFERENCES app_user (id),
  token_hash   text NOT NULL UNIQUE,
  mfa_pending  boolean NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  ip           text,
  user_agent   text,
  revoked_at   timestamptz
);
CREATE INDEX user_session_user_idx ON user_session (user_id) WHERE revoked_at IS NULL;

CREATE TABLE api_token (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL REFERENCES app_user (id),
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  token_hash   text NOT NULL UNIQUE,
  roles        text[] NOT NULL
               CHECK (roles <@ ARRAY['admin','manager','handler','viewer','reporter']::text[]),
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  last_used_at timestamptz,
  revoked_at   timestamptz
);
CREATE INDEX api_token_user_idx ON api_token (user_id);

CREATE TABLE login_throttle (
  key               text PRIMARY KEY,
  failures          integer NOT NULL,
  lock_count        integer NOT NULL DEFAULT 0,
  window_started_at timestamptz NOT NULL,
  locked_until      timestamptz
);

-- The audit trail: append-only, SHA-256 hash-chained, one gap-free sequence.
CREATE TABLE audit_log (
  seq        bigint PRIMARY KEY,
  at         timestamptz NOT NULL,
  actor_id   uuid,
  actor_name text NOT NULL,
  action     text NOT NULL,
  entity     text NOT NULL,
  entity_id  text,
  before     jsonb,
  after      jsonb,
  ip         text,
  request_id text,
  prev_hash  text NOT NULL,
  hash       text NOT NULL
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id);
CREATE INDEX audit_log_action_idx ON audit_log (action);
CREATE INDEX audit_log_at_idx ON audit_log (at);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
