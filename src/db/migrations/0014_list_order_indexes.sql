-- Indexes in the exact order the lists read them, so that a page is the first rows of one index
-- scan with nothing sorted after it:
-- * the newest/oldest incident lists order by (created_at, id) both descending (or both
--   ascending, the same index read backwards); the indexes from 0002 had id ascending, which cost
--   an incremental sort on every page;
-- * "which incidents is this observable on, most recently first" walks an observable's links by
--   the time they were added instead of fetching every incident it was ever on.
DROP INDEX incident_open_idx;
CREATE INDEX incident_open_idx ON incident (created_at DESC, id DESC) WHERE status <> 'closed';
DROP INDEX incident_created_idx;
CREATE INDEX incident_created_idx ON incident (created_at DESC, id DESC);
DROP INDEX incident_observable_observable_idx;
CREATE INDEX incident_observable_observable_idx ON incident_observable (observable_id, added_at DESC);
