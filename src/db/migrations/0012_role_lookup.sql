-- "Which incidents does this user hold a role in?" is asked by every non-privileged list (the TLP
-- rule): answer it from the index alone.
CREATE INDEX incident_role_user_incident_idx ON incident_role (user_id, incident_id);
