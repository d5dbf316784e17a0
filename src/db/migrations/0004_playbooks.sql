-- Playbooks: task templates per phase, suggested by RSIT class/type and priority.
CREATE TABLE playbook (
  key         text PRIMARY KEY CHECK (key ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '',
  match_rsit  text[] NOT NULL DEFAULT '{}',
  priorities  text[] NOT NULL DEFAULT '{}',
  tasks       jsonb NOT NULL,
  builtin     boolean NOT NULL DEFAULT false,
  enabled     boolean NOT NULL DEFAULT true,
  version     integer NOT NULL DEFAULT 1,
  updated_by  uuid REFERENCES app_user (id),
  updated_at  timestamptz NOT NULL
);
