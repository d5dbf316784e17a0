-- Feeds (issue 17): machine feeds a team takes in (scan results, infected hosts, phishing URLs,
-- open services, block lists), each report they deliver kept raw, and the events parsed from them
-- in IntelMQ's vocabulary, routed to the constituent they belong to.

-- A configured feed: where it comes from, how to read it, and what its events are by default.
CREATE TABLE feed (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name                text NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,99}$'),
  provider            text NOT NULL DEFAULT '' CHECK (length(provider) <= 200),
  documentation_url   text CHECK (length(documentation_url) <= 2000),
  -- The parser (intelmq, csv, list, xarf) and its settings (a CSV mapping, a list's type, ...),
  -- validated by the application on every save.
  parser              text NOT NULL CHECK (parser IN ('intelmq','csv','list','xarf')),
  parser_settings     jsonb NOT NULL DEFAULT '{}',
  -- Defaults for events that do not say: the RSIT type (its class follows), TLP 2.0 label, accuracy.
  classification_type text CHECK (classification_type ~ '^[a-z][a-z-]{1,60}$'),
  tlp                 text NOT NULL DEFAULT 'AMBER' CHECK (tlp IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')),
  accuracy            integer NOT NULL DEFAULT 100 CHECK (accuracy BETWEEN 0 AND 100),
  enabled             boolean NOT NULL DEFAULT true,
  version             integer NOT NULL DEFAULT 1,
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  updated_by          uuid REFERENCES app_user (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX feed_name_idx ON feed (lower(name));

-- One report a feed delivered, as it arrived: its bytes are in the blob store under their SHA-256
-- (content-addressed, as intake items are). The counts are filled in as it is parsed.
CREATE TABLE feed_report (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  feed_id       uuid NOT NULL REFERENCES feed (id) ON DELETE CASCADE,
  -- How it came: an upload through the API or the web app, the command line, ...
  via           text NOT NULL CHECK (via IN ('upload','cli')),
  filename      text CHECK (length(filename) <= 255),
  content_type  text NOT NULL CHECK (length(content_type) <= 200),
  size          bigint NOT NULL CHECK (size >= 0),
  sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  received_at   timestamptz NOT NULL,
  received_by   uuid REFERENCES app_user (id) ON DELETE SET NULL,
  status        text NOT NULL CHECK (status IN ('received','parsing','parsed','failed')),
  -- What reading it found: lines read, events stored, lines refused, events already stored (the
  -- same event of the same report: a report read again after a crash stores nothing twice), and
  -- events routed to a constituent.
  lines         integer NOT NULL DEFAULT 0,
  events        integer NOT NULL DEFAULT 0,
  failed        integer NOT NULL DEFAULT 0,
  duplicates    integer NOT NULL DEFAULT 0,
  routed        integer NOT NULL DEFAULT 0,
  -- How the bytes were read (utf-8, utf-16le, latin-1, ...), and why reading failed as a whole.
  encoding      text,
  error         text,
  -- While a worker reads it: until when it holds it. A worker that died leaves it 'parsing'; another
  -- takes it over after that time and reads it again from the start (nothing is stored twice).
  lease_until   timestamptz,
  finished_at   timestamptz
);
CREATE INDEX feed_report_due_idx ON feed_report (received_at) WHERE status IN ('received','parsing');
CREATE INDEX feed_report_feed_idx ON feed_report (feed_id, received_at DESC, id DESC);

-- A line of a report that did not parse: kept with its number and the reason (the raw line cut to
-- 2,000 characters), so the team sees what the feed sent.
CREATE TABLE feed_parse_error (
  report_id  uuid NOT NULL REFERENCES feed_report (id) ON DELETE CASCADE,
  line       integer NOT NULL CHECK (line >= 1),
  reason     text NOT NULL CHECK (length(reason) <= 1000),
  raw        text NOT NULL CHECK (length(raw) <= 2000),
  PRIMARY KEY (report_id, line)
);

-- Harmonised events, partitioned by the month of time.observation (when the report holding them
-- was collected), so a month can be dropped whole when it passes the retention. The partitions are
-- made by the application before it writes into a month. The whole event is `data` (flat, IntelMQ
-- field names); the fields filtered and routed on are columns too.
CREATE TABLE feed_event (
  id                       bigint GENERATED ALWAYS AS IDENTITY,
  time_observation         timestamptz NOT NULL,
  -- SHA-256 of the event without time.observation and raw: the same event of the same report
  -- (read again after a crash) is stored once.
  hash                     text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  feed_id                  uuid NOT NULL,
  report_id                uuid NOT NULL,
  line                     integer NOT NULL,
  time_source              timestamptz,
  classification_taxonomy  text,
  classification_type      text,
  source_ip                inet,
  source_asn               bigint,
  source_fqdn              text,
  source_cc                text,
  tlp                      text NOT NULL CHECK (tlp IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')),
  -- The constituent it was routed to, by which rule and on which value; null: routed nowhere.
  constituent_id           uuid,
  route_rule               text CHECK (route_rule IN ('netblock','asn','domain','email_domain')),
  route_matched            text,
  data                     jsonb NOT NULL,
  PRIMARY KEY (time_observation, id),
  UNIQUE (time_observation, report_id, hash)
) PARTITION BY RANGE (time_observation);
CREATE INDEX feed_event_feed_idx ON feed_event (feed_id, time_observation DESC, id DESC);
CREATE INDEX feed_event_constituent_idx ON feed_event (constituent_id, time_observation DESC, id DESC);
CREATE INDEX feed_event_report_idx ON feed_event (report_id, line);
CREATE INDEX feed_event_source_ip_idx ON feed_event (source_ip);
