-- Incident handling core, first part: incidents with RSIT classification, priority, TLP/PAP, the
-- ENISA/NIST lifecycle, roles, key times, lessons learned, and the append-only event log that
-- timelines (and later SLA clocks and KPIs) are computed from.

ALTER TABLE team ADD COLUMN incident_prefix text NOT NULL DEFAULT 'VIG' CHECK (incident_prefix ~ '^[A-Z][A-Z0-9]{1,11}$');
ALTER TABLE team ADD COLUMN priority_matrix jsonb;

CREATE TABLE incident_counter (
  year integer PRIMARY KEY,
  last integer NOT NULL
);

CREATE TABLE incident (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  reference            text NOT NULL UNIQUE,
  title                text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  summary              text NOT NULL DEFAULT '',
  status               text NOT NULL CHECK (status IN ('new','triage','analysis','containment','eradication','recovery','closed')),
  resolution           text CHECK (resolution IN ('resolved','false_positive','duplicate','outside_mandate','no_action_possible')),
  duplicate_of         uuid REFERENCES incident (id),
  impact               text NOT NULL CHECK (impact IN ('low','medium','high','critical')),
  urgency              text NOT NULL CHECK (urgency IN ('low','medium','high','critical')),
  priority             text NOT NULL CHECK (priority IN ('P1','P2','P3','P4')),
  tlp                  text NOT NULL CHECK (tlp IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')),
  pap                  text NOT NULL CHECK (pap IN ('CLEAR','GREEN','AMBER','RED')),
  constituent          text,
  exercise             boolean NOT NULL DEFAULT false,
  first_compromise_at  timestamptz,
  detected_at          timestamptz,
  contained_at         timestamptz,
  recovered_at         timestamptz,
  version              integer NOT NULL DEFAULT 1,
  created_by           uuid REFERENCES app_user (id),
  created_at           timestamptz NOT NULL,
  updated_at           timestamptz NOT NULL,
  closed_at            timestamptz,
  CHECK ((status = 'closed') = (resolution IS NOT NULL))
);
CREATE INDEX incident_open_idx ON incident (created_at DESC, id) WHERE status <> 'closed';
CREATE INDEX incident_created_idx ON incident (created_at DESC, id);
CREATE INDEX incident_status_idx ON incident (status, priority);

CREATE TABLE incident_classification (
  incident_id uuid NOT NULL REFERENCES incident (id),
  class       text NOT NULL,
  type        text NOT NULL,
  is_primary  boolean NOT NULL DEFAULT false,
  PRIMARY KEY (incident_id, class, type)
);
CREATE UNIQUE INDEX incident_classification_primary ON incident_classification (incident_id) WHERE is_primary;
CREATE INDEX incident_classification_type_idx ON incident_classification (class, type);

CREATE TABLE incident_role (
  incident_id uuid NOT NULL REFERENCES incident (id),
  role        text NOT NULL CHECK (role IN ('commander','coordinator','technical_lead','analyst','scribe','communications','legal','management_liaison')),
  user_id     uuid NOT NULL REFERENCES app_user (id),
  assigned_at timestamptz NOT NULL,
  PRIMARY KEY (incident_id, role, user_id)
);
CREATE INDEX incident_role_user_idx ON incident_role (user_id);

CREATE TABLE incident_lessons (
  incident_id   uuid PRIMARY KEY REFERENCES incident (id),
  what_happened text NOT NULL,
  went_well     text NOT NULL,
  to_improve    text NOT NULL,
  actions       jsonb NOT NULL,
  recorded_by   uuid REFERENCES app_user (id),
  recorded_at   timestamptz NOT NULL
);

-- Every change to an incident, in order. Never updated, never deleted.
CREATE TABLE incident_event (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id uuid NOT NULL REFERENCES incident (id),
  kind        text NOT NULL,
  at          timestamptz NOT NULL,
  occurred_at timestamptz,
  actor_id    uuid,
  actor_name  text NOT NULL,
  tlp         text CHECK (tlp IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')),
  data        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX incident_event_incident_idx ON incident_event (incident_id, id);

-- One guard for every append-only table from here on (the audit log has its own, from 0001).
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER incident_event_no_update BEFORE UPDATE OR DELETE ON incident_event
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER incident_event_no_truncate BEFORE TRUNCATE ON incident_event
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
