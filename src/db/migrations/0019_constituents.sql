-- Constituents: the organisations and business units the team serves, what they own on the
-- network (netblocks, ASNs, domains, e-mail domains), whom to call there, and the agreements.
-- Routing answers "whose is this address, domain, e-mail address or ASN?".

CREATE TABLE constituent (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  parent_id   uuid REFERENCES constituent (id) ON DELETE SET NULL,
  sector      text NOT NULL DEFAULT '' CHECK (length(sector) <= 100),
  criticality text NOT NULL DEFAULT 'medium' CHECK (criticality IN ('low','medium','high','critical')),
  notes       text NOT NULL DEFAULT '' CHECK (length(notes) <= 5000),
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  version     integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX constituent_name_idx ON constituent (lower(name));
CREATE INDEX constituent_parent_idx ON constituent (parent_id) WHERE parent_id IS NOT NULL;

-- One network is owned by one constituent; nested networks of other constituents are allowed
-- (the longest prefix wins). The GiST index answers containment (>>=) for routing.
CREATE TABLE constituent_netblock (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  constituent_id uuid NOT NULL REFERENCES constituent (id) ON DELETE CASCADE,
  net            cidr NOT NULL UNIQUE
);
CREATE INDEX constituent_netblock_net_idx ON constituent_netblock USING gist (net inet_ops);
CREATE INDEX constituent_netblock_owner_idx ON constituent_netblock (constituent_id);

CREATE TABLE constituent_asn (
  constituent_id uuid NOT NULL REFERENCES constituent (id) ON DELETE CASCADE,
  asn            bigint PRIMARY KEY CHECK (asn BETWEEN 0 AND 4294967295)
);
CREATE INDEX constituent_asn_owner_idx ON constituent_asn (constituent_id);

-- kind 'web': the domain and its subdomains; kind 'email': addresses at that domain (and below).
CREATE TABLE constituent_domain (
  constituent_id uuid NOT NULL REFERENCES constituent (id) ON DELETE CASCADE,
  kind           text NOT NULL CHECK (kind IN ('web','email')),
  domain         text NOT NULL CHECK (domain ~ '^[a-z0-9._-]{1,253}$'),
  PRIMARY KEY (kind, domain)
);
CREATE INDEX constituent_domain_owner_idx ON constituent_domain (constituent_id);

CREATE TABLE constituent_contact (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  constituent_id  uuid NOT NULL REFERENCES constituent (id) ON DELETE CASCADE,
  position        integer NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('security','abuse','management','technical','legal')),
  name            text NOT NULL DEFAULT '',
  email           text,
  phone           text,
  pgp_key         text,
  pgp_fingerprint text,
  language        text NOT NULL DEFAULT '',
  hours           text NOT NULL DEFAULT ''
);
CREATE INDEX constituent_contact_owner_idx ON constituent_contact (constituent_id, position);

CREATE TABLE constituent_agreement (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  constituent_id uuid NOT NULL REFERENCES constituent (id) ON DELETE CASCADE,
  position       integer NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('mou','sla')),
  reference      text NOT NULL DEFAULT '',
  starts_on      date,
  ends_on        date,
  notes          text NOT NULL DEFAULT '',
  CHECK (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on)
);
CREATE INDEX constituent_agreement_owner_idx ON constituent_agreement (constituent_id, position);

-- Bumped in every transaction that changes constituents: in-memory routing indexes (in this and
-- other processes) compare it with the version they were built from and rebuild when it moved.
CREATE TABLE constituency_state (
  id      integer PRIMARY KEY CHECK (id = 1),
  version bigint NOT NULL
);
INSERT INTO constituency_state (id, version) VALUES (1, 0);
