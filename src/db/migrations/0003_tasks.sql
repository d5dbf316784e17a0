-- Tasks of an incident, by handling phase; made by hand or (later) from a playbook.
CREATE TABLE incident_task (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  incident_id  uuid NOT NULL REFERENCES incident (id),
  phase        text NOT NULL CHECK (phase IN ('triage','analysis','containment','eradication','recovery','post_incident')),
  title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  description  text NOT NULL DEFAULT '',
  assignee_id  uuid REFERENCES app_user (id),
  due_at       timestamptz,
  status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open','in_progress','blocked','done','cancelled')),
  checklist    jsonb NOT NULL DEFAULT '[]',
  template_key text,
  version      integer NOT NULL DEFAULT 1,
  created_by   uuid REFERENCES app_user (id),
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL
);
CREATE INDEX incident_task_incident_idx ON incident_task (incident_id, phase, created_at);
CREATE INDEX incident_task_assignee_idx ON incident_task (assignee_id) WHERE status IN ('open','in_progress','blocked');
CREATE UNIQUE INDEX incident_task_template_once ON incident_task (incident_id, template_key) WHERE template_key IS NOT NULL;
