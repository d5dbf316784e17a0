-- The team's seats and skills, the external contact directory, and external contacts in incident roles.

-- One row per team member whose profile was edited; a member without a row has no seats or skills yet.
CREATE TABLE team_member (
  user_id    uuid PRIMARY KEY REFERENCES app_user (id),
  seats      text[] NOT NULL DEFAULT '{}' CHECK (seats <@ ARRAY['duty_officer','incident_handler','senior_handler','technical_lead',
                                                              'coordinator','csirt_manager','communications','legal']::text[]),
  skills     text[] NOT NULL DEFAULT '{}',
  phone      text NOT NULL DEFAULT '',
  time_zone  text,
  languages  text[] NOT NULL DEFAULT '{}',
  notes      text NOT NULL DEFAULT '',
  version    integer NOT NULL DEFAULT 0,
  updated_by uuid REFERENCES app_user (id),
  updated_at timestamptz
);
CREATE INDEX team_member_seats_idx ON team_member USING gin (seats);
CREATE INDEX team_member_skills_idx ON team_member USING gin (skills);

CREATE TABLE external_contact (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind            text NOT NULL CHECK (kind IN ('forensics','insurer','law_enforcement','partner_csirt','isac','legal_counsel','vendor','other')),
  name            text NOT NULL,
  organisation    text NOT NULL DEFAULT '',
  purpose         text NOT NULL DEFAULT '',
  contract_ref    text NOT NULL DEFAULT '',
  email           text,
  phone           text,
  emergency_phone text,
  hours           text NOT NULL DEFAULT '',
  time_zone       text,
  url             text,
  pgp_key         text,
  pgp_fingerprint text,
  tlp             text NOT NULL DEFAULT 'AMBER' CHECK (tlp IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')),
  notes           text NOT NULL DEFAULT '',
  active          boolean NOT NULL DEFAULT true,
  version         integer NOT NULL DEFAULT 1,
  created_by      uuid REFERENCES app_user (id),
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL
);
CREATE INDEX external_contact_kind_idx ON external_contact (kind, lower(name));
CREATE INDEX external_contact_name_idx ON external_contact (lower(name), id);

-- An external contact holding a role in an incident (beside the team members in incident_role).
CREATE TABLE incident_contact_role (
  incident_id uuid NOT NULL REFERENCES incident (id),
  role        text NOT NULL CHECK (role IN ('commander','coordinator','technical_lead','analyst','scribe','communications','legal','management_liaison')),
  contact_id  uuid NOT NULL REFERENCES external_contact (id),
  assigned_at timestamptz NOT NULL,
  PRIMARY KEY (incident_id, role, contact_id)
);
CREATE INDEX incident_contact_role_contact_idx ON incident_contact_role (contact_id);
