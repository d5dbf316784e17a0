-- Constituent scope. A team member may be limited to one or more constituents (a sector desk, an
-- MSSP analyst serving some customers, a partner team's liaison): they then see only incidents,
-- reports, alerts, observables, evidence, contacts and figures of those constituents. A member
-- with no rows here is unscoped and sees everything the role and TLP rules allow, as before.
-- A reporter account's rows are its organisation: it follows the reports recorded for them.
CREATE TABLE user_constituent (
  user_id        uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
  constituent_id uuid NOT NULL REFERENCES constituent (id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, constituent_id)
);
CREATE INDEX user_constituent_constituent_idx ON user_constituent (constituent_id);

-- Reporter accounts followed the constituent their organisation (set by an administrator) names;
-- that match becomes their row, so they keep seeing the same reports.
INSERT INTO user_constituent (user_id, constituent_id)
SELECT u.id, c.id
  FROM app_user u
  JOIN constituent c ON lower(c.name) = lower(u.organisation)
 WHERE 'reporter' = ANY (u.roles) AND u.organisation IS NOT NULL
ON CONFLICT DO NOTHING;

-- Incidents name their constituent as text (`incident.constituent`); scoped reads compare it with
-- the names of the caller's constituents, case-insensitively.
CREATE INDEX incident_constituent_lower_idx ON incident (lower(constituent)) WHERE constituent IS NOT NULL;
