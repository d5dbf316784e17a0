-- One search document per incident, beside `search` (title and summary): `search_body` holds the
-- notes and communications everyone who sees the incident may read, and its reports' titles and
-- bodies; `search_restricted` holds its RED and AMBER+STRICT notes and communications, searched
-- only for those with a need to know. A search is then one test on the incident row: the planner
-- either looks the words up in the GIN indexes (rare words) or walks the incidents in list order
-- and tests each row (common words). Matching notes and reports through their own indexes made a
-- word found in a fifth of the incidents a set of several hundred thousand ids to join and sort.
--
-- Triggers keep the documents: a note or communication appended, a report linked, moved, edited
-- or removed rebuilds the documents of the incidents it touches. A document holds at most 256 KiB
-- of text (and at most what a tsvector can hold); an incident with more is marked search_partial,
-- and a search checks the notes and reports of such an incident one by one
-- (incident_search_fallback), so nothing goes unfound.

ALTER TABLE incident
  ADD COLUMN search_body tsvector,
  ADD COLUMN search_restricted tsvector,
  ADD COLUMN search_partial boolean NOT NULL DEFAULT false;

-- The text of one document as a tsvector; what is too long for one is cut, and marked partial.
CREATE FUNCTION incident_search_vector(p_text text, INOUT partial boolean, OUT doc tsvector)
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF p_text IS NULL OR p_text = '' THEN
    doc := NULL;
    RETURN;
  END IF;
  BEGIN
    doc := to_tsvector('simple', p_text);
  EXCEPTION WHEN program_limit_exceeded THEN
    doc := to_tsvector('simple', left(p_text, 65536));
    partial := true;
  END;
END;
$$;

-- Both documents of one incident, built from its notes, communications and reports.
CREATE FUNCTION incident_search_documents(p_incident uuid, OUT body tsvector, OUT restricted tsvector, OUT partial boolean)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  cap CONSTANT integer := 262144;
  t text;
  is_restricted boolean;
  open_parts text[] := '{}';
  open_len integer := 0;
  restricted_parts text[] := '{}';
  restricted_len integer := 0;
BEGIN
  partial := false;
  FOR t, is_restricted IN
    SELECT e.data->>'body', coalesce(e.tlp IN ('RED', 'AMBER+STRICT'), false)
      FROM incident_event e
     WHERE e.incident_id = p_incident
       AND e.kind IN ('incident.note_added', 'task.note_added', 'incident.communication')
    UNION ALL
    SELECT r.title || E'\n' || r.body, false FROM report r WHERE r.incident_id = p_incident
  LOOP
    CONTINUE WHEN t IS NULL OR t = '';
    IF is_restricted THEN
      IF restricted_len + octet_length(t) > cap THEN
        partial := true;
        CONTINUE;
      END IF;
      restricted_parts := restricted_parts || t;
      restricted_len := restricted_len + octet_length(t) + 1;
    ELSE
      IF open_len + octet_length(t) > cap THEN
        partial := true;
        CONTINUE;
      END IF;
      open_parts := open_parts || t;
      open_len := open_len + octet_length(t) + 1;
    END IF;
  END LOOP;
  SELECT v.doc, v.partial INTO body, partial FROM incident_search_vector(array_to_string(open_parts, E'\n'), partial) v;
  SELECT v.doc, v.partial INTO restricted, partial FROM incident_search_vector(array_to_string(restricted_parts, E'\n'), partial) v;
END;
$$;

-- Rebuilds the documents of these incidents.
CREATE FUNCTION incident_search_refresh(p_incidents uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF p_incidents IS NULL OR cardinality(p_incidents) = 0 THEN
    RETURN;
  END IF;
  UPDATE incident i
     SET search_body = d.body, search_restricted = d.restricted, search_partial = d.partial
    FROM (SELECT DISTINCT unnest(p_incidents) AS id) x
   CROSS JOIN LATERAL incident_search_documents(x.id) d
   WHERE i.id = x.id
     AND (i.search_body IS DISTINCT FROM d.body OR i.search_restricted IS DISTINCT FROM d.restricted OR i.search_partial <> d.partial);
END;
$$;

-- For an incident marked search_partial: whether one of its notes, communications (restricted ones
-- only when p_restricted) or reports matches. plpgsql so that it runs for that row only.
CREATE FUNCTION incident_search_fallback(p_incident uuid, p_query tsquery, p_restricted boolean) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN EXISTS (
      SELECT 1 FROM incident_event e
       WHERE e.incident_id = p_incident
         AND e.kind IN ('incident.note_added', 'task.note_added', 'incident.communication')
         AND (p_restricted OR e.tlp IS NULL OR e.tlp NOT IN ('RED', 'AMBER+STRICT'))
         AND to_tsvector('simple', e.data->>'body') @@ p_query)
    OR EXISTS (SELECT 1 FROM report r WHERE r.incident_id = p_incident AND r.search @@ p_query);
END;
$$;

CREATE FUNCTION incident_event_search_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM incident_search_refresh(ARRAY(
    SELECT DISTINCT n.incident_id FROM new_rows n
     WHERE n.kind IN ('incident.note_added', 'task.note_added', 'incident.communication')));
  RETURN NULL;
END;
$$;
CREATE TRIGGER incident_event_search AFTER INSERT ON incident_event
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION incident_event_search_changed();

CREATE FUNCTION report_search_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM incident_search_refresh(ARRAY(SELECT DISTINCT n.incident_id FROM new_rows n WHERE n.incident_id IS NOT NULL));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM incident_search_refresh(ARRAY(SELECT DISTINCT o.incident_id FROM old_rows o WHERE o.incident_id IS NOT NULL));
  ELSE
    PERFORM incident_search_refresh(ARRAY(
      SELECT c.incident_id FROM (
        SELECT o.incident_id AS before, n.incident_id AS after
          FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE o.incident_id IS DISTINCT FROM n.incident_id OR o.title <> n.title OR o.body <> n.body
      ) ch CROSS JOIN LATERAL (VALUES (ch.before), (ch.after)) c (incident_id)
      WHERE c.incident_id IS NOT NULL));
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER report_search_inserted AFTER INSERT ON report
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_search_changed();
CREATE TRIGGER report_search_updated AFTER UPDATE ON report
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_search_changed();
CREATE TRIGGER report_search_deleted AFTER DELETE ON report
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_search_changed();

-- What is already there.
SELECT incident_search_refresh(ARRAY(SELECT id FROM incident));

CREATE INDEX incident_search_body_idx ON incident USING gin (search_body);
CREATE INDEX incident_search_restricted_idx ON incident USING gin (search_restricted) WHERE search_restricted IS NOT NULL;
CREATE INDEX incident_search_partial_idx ON incident (id) WHERE search_partial;
