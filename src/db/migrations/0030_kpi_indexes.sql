-- Monthly KPIs over a million incidents (bench/kpi.mjs): each of a month's incidents is looked up
-- in three places, and these indexes let every lookup stay small.
-- The events KPIs read (src/modules/kpi/repo.ts FACT_EVENTS; a test keeps the two lists equal):
-- about a fifth of all events, without notes and communications.
CREATE INDEX incident_event_fact_idx ON incident_event (incident_id, at, id)
  WHERE kind IN ('incident.status_changed', 'incident.closed', 'incident.assigned', 'escalation.acknowledged',
                 'sla.breached', 'incident.reopened', 'incident.merged_into');
-- An incident's primary classification and its first report's channel, read from the index alone.
CREATE INDEX incident_classification_kpi_idx ON incident_classification (incident_id) INCLUDE (class, type) WHERE is_primary;
CREATE INDEX report_first_idx ON report (incident_id, received_at, id) INCLUDE (channel) WHERE incident_id IS NOT NULL;
-- Incidents declared per month and priority (the twelve-month trend), from the index alone.
CREATE INDEX incident_kpi_month_idx ON incident (created_at) INCLUDE (id, priority, exercise, resolution, tlp, assignee_id);
