-- Links between incidents (related, parent/child, duplicate), merges, and full-text search.
CREATE TABLE incident_link (
  from_id    uuid NOT NULL REFERENCES incident (id),
  to_id      uuid NOT NULL REFERENCES incident (id),
  kind       text NOT NULL CHECK (kind IN ('related','parent_of','duplicate_of','merged_into')),
  created_by uuid REFERENCES app_user (id),
  created_at timestamptz NOT NULL,
  PRIMARY KEY (from_id, to_id, kind),
  CHECK (from_id <> to_id)
);
CREATE INDEX incident_link_to_idx ON incident_link (to_id, kind);

-- Titles and summaries, and notes, searchable with PostgreSQL full-text search.
ALTER TABLE incident ADD COLUMN search tsvector
  GENERATED ALWAYS AS (setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', summary), 'B')) STORED;
CREATE INDEX incident_search_idx ON incident USING gin (search);
CREATE INDEX incident_event_note_search_idx ON incident_event USING gin (to_tsvector('simple', data->>'body'))
  WHERE kind IN ('incident.note_added', 'task.note_added');
