-- Communications (calls, mails, meetings) are timeline entries with a Markdown body, searchable like notes.
DROP INDEX incident_event_note_search_idx;
CREATE INDEX incident_event_note_search_idx ON incident_event USING gin (to_tsvector('simple', data->>'body'))
  WHERE kind IN ('incident.note_added', 'task.note_added', 'incident.communication');
