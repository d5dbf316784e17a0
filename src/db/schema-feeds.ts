// Table types of feeds (migration 0036): configured feeds, the reports they delivered, the lines
// that did not parse, and the harmonised events. src/db/schema.ts's Database extends FeedTables.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type FeedParser = 'intelmq' | 'csv' | 'list' | 'xarf';
export type FeedTlp = 'CLEAR' | 'GREEN' | 'AMBER' | 'AMBER+STRICT' | 'RED';
export type FeedReportVia = 'upload' | 'cli';
export type FeedReportStatus = 'received' | 'parsing' | 'parsed' | 'failed';
export type FeedRouteRule = 'netblock' | 'asn' | 'domain' | 'email_domain';

export interface FeedTable {
  id: Generated<string>;
  name: string;
  provider: ColumnType<string, string | undefined, string>;
  documentationUrl: string | null;
  parser: FeedParser;
  parserSettings: Json<Record<string, unknown>>;
  classificationType: string | null;
  tlp: ColumnType<FeedTlp, FeedTlp | undefined, FeedTlp>;
  accuracy: ColumnType<number, number | undefined, number>;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  version: ColumnType<number, never, number>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  updatedBy: string | null;
}

export interface FeedReportTable {
  id: Generated<string>;
  feedId: string;
  via: FeedReportVia;
  filename: string | null;
  contentType: string;
  size: number;
  sha256: string;
  receivedAt: Timestamp;
  receivedBy: string | null;
  status: FeedReportStatus;
  lines: ColumnType<number, number | undefined, number>;
  events: ColumnType<number, number | undefined, number>;
  failed: ColumnType<number, number | undefined, number>;
  duplicates: ColumnType<number, number | undefined, number>;
  routed: ColumnType<number, number | undefined, number>;
  encoding: string | null;
  error: string | null;
  leaseUntil: Timestamp | null;
  finishedAt: Timestamp | null;
}

export interface FeedParseErrorTable {
  reportId: string;
  line: number;
  reason: string;
  raw: string;
}

export interface FeedEventTable {
  id: ColumnType<number, never, never>;
  timeObservation: Timestamp;
  hash: string;
  feedId: string;
  reportId: string;
  line: number;
  timeSource: Timestamp | null;
  classificationTaxonomy: string | null;
  classificationType: string | null;
  sourceIp: string | null;
  sourceAsn: number | null;
  sourceFqdn: string | null;
  sourceCc: string | null;
  tlp: FeedTlp;
  constituentId: string | null;
  routeRule: FeedRouteRule | null;
  routeMatched: string | null;
  data: Json<Record<string, unknown>>;
}

/** Every table of this feature, keyed by its camelCase name. */
export interface FeedTables {
  feed: FeedTable;
  feedReport: FeedReportTable;
  feedParseError: FeedParseErrorTable;
  feedEvent: FeedEventTable;
}
