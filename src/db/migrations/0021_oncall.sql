-- On-call: rotas (how the team covers the clock, ENISA guide 2.3.4), overrides and swaps.
--
-- A rota's pattern (business hours, a duty officer, 24x7 shifts, follow-the-sun regions) is kept as
-- JSON and checked by the application (zones, gaps, overlaps); shifts are computed from it and never
-- stored, so a change to the rota changes every future shift at once. Times in UTC; the local
-- wall-clock times in the pattern are read in the rota's (or a region's) IANA time zone.
CREATE TABLE oncall_rota (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 120),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  time_zone   text NOT NULL CHECK (length(time_zone) BETWEEN 1 AND 64),
  pattern     jsonb NOT NULL,
  -- Ordered user ids; rotation counts from anchor_date (a local date in the rota's zone).
  members     jsonb NOT NULL DEFAULT '[]',
  anchor_date text NOT NULL CHECK (anchor_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  created_by  uuid REFERENCES app_user (id),
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  version     integer NOT NULL DEFAULT 1
);

-- Someone else covers a period, whoever the rota says. Overrides of one rota never overlap (the
-- service checks under a lock on the rota row).
CREATE TABLE oncall_override (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  rota_id    uuid NOT NULL REFERENCES oncall_rota (id) ON DELETE CASCADE,
  user_id    uuid NOT NULL REFERENCES app_user (id),
  starts_at  timestamptz NOT NULL,
  ends_at    timestamptz NOT NULL,
  note       text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
  created_by uuid REFERENCES app_user (id),
  created_at timestamptz NOT NULL,
  CHECK (ends_at > starts_at)
);
CREATE INDEX oncall_override_rota_idx ON oncall_override (rota_id, starts_at);

-- A member asks another to take one of their shifts (named by its start); accepted swaps change
-- the computed shifts.
CREATE TABLE oncall_swap (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  rota_id      uuid NOT NULL REFERENCES oncall_rota (id) ON DELETE CASCADE,
  shift_start  timestamptz NOT NULL,
  shift_end    timestamptz NOT NULL,
  from_user_id uuid NOT NULL REFERENCES app_user (id),
  to_user_id   uuid NOT NULL REFERENCES app_user (id),
  status       text NOT NULL CHECK (status IN ('requested','accepted','declined')),
  note         text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
  requested_by uuid REFERENCES app_user (id),
  requested_at timestamptz NOT NULL,
  decided_by   uuid REFERENCES app_user (id),
  decided_at   timestamptz,
  CHECK (from_user_id <> to_user_id),
  CHECK (shift_end > shift_start)
);
CREATE INDEX oncall_swap_rota_idx ON oncall_swap (rota_id, shift_start);
-- One accepted swap per shift and member.
CREATE UNIQUE INDEX oncall_swap_accepted_key ON oncall_swap (rota_id, shift_start, from_user_id) WHERE status = 'accepted';
