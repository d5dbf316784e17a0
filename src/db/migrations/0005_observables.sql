-- Observables (IOCs): one record per (type, value) across the platform, linked to every incident
-- it appears in. Addresses and networks also kept as inet for containment searches.
CREATE TABLE observable (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  type       text NOT NULL CHECK (type IN ('ipv4','ipv6','cidr','domain','url','email','md5','sha1','sha256','filename','asn','user-account','other')),
  value      text NOT NULL,
  net        inet,
  ioc        boolean NOT NULL DEFAULT false,
  tlp        text NOT NULL DEFAULT 'AMBER' CHECK (tlp IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')),
  tags       text[] NOT NULL DEFAULT '{}',
  first_seen timestamptz NOT NULL,
  last_seen  timestamptz NOT NULL,
  UNIQUE (type, value)
);
CREATE INDEX observable_value_idx ON observable (value);
CREATE INDEX observable_net_idx ON observable USING gist (net inet_ops) WHERE net IS NOT NULL;

CREATE TABLE incident_observable (
  incident_id   uuid NOT NULL REFERENCES incident (id),
  observable_id uuid NOT NULL REFERENCES observable (id),
  added_by      uuid REFERENCES app_user (id),
  added_at      timestamptz NOT NULL,
  PRIMARY KEY (incident_id, observable_id)
);
CREATE INDEX incident_observable_observable_idx ON incident_observable (observable_id);
