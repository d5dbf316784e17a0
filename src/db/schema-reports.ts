// Table types of incident reports (from every channel), their raw bytes and idempotency keys.
// src/db/schema.ts's Database extends ReportTables.
import type { ColumnType, Generated } from 'kysely';
import type { Level, Tlp } from './schema.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type ReportChannel = 'api' | 'web_form' | 'portal' | 'email' | 'phone' | 'monitoring' | 'other';
export type ReportStatus = 'new' | 'linked' | 'merged' | 'rejected';
export type Rejection = 'not_incident' | 'false_positive' | 'spam' | 'outside_mandate' | 'duplicate';

export interface ReportCounterTable {
  year: number;
  last: number;
}

export interface ReportTable {
  id: Generated<string>;
  reference: string;
  channel: ReportChannel;
  source: string | null;
  status: ReportStatus;
  title: string;
  body: string;
  tlp: Tlp;
  reporterName: string | null;
  reporterEmail: string | null;
  reporterPhone: string | null;
  organisation: string | null;
  receivedAt: Timestamp;
  submittedBy: string | null;
  incidentId: string | null;
  mergedInto: string | null;
  rejection: Rejection | null;
  rejectionNote: string | null;
  decidedBy: string | null;
  decidedAt: Timestamp | null;
  version: ColumnType<number, number | undefined, number>;
  updatedAt: Timestamp;
  /** Set when the report was parsed from an intake item, which holds its raw content. */
  intakeItemId: ColumnType<string | null, string | null | undefined, string | null>;
  /** Deduplication key: the same channel/source and fingerprint within a window collapse. */
  fingerprint: ColumnType<string | null, string | null | undefined, string | null>;
  /** How urgent the reporter (or the duty officer taking the call) judged it. */
  urgency: ColumnType<Level | null, Level | null | undefined, Level | null>;
  /**
   * The constituent it was recorded for, chosen by a team member or by the portal account that
   * submitted it (never from a name the public form or a mail carried): its reporter accounts follow it.
   */
  constituentId: ColumnType<string | null, string | null | undefined, string | null>;
  /** The reporter asked for updates when the incident changes state. */
  wantsUpdates: ColumnType<boolean, boolean | undefined, boolean>;
}

/** The bytes that arrived; insert-only (a trigger refuses UPDATE, DELETE and TRUNCATE). */
export interface ReportRawTable {
  reportId: string;
  contentType: string;
  content: Uint8Array;
  sha256: string;
}

export interface ReportIdempotencyTable {
  ownerId: string;
  key: string;
  requestSha256: string;
  reportId: string | null;
  createdAt: Timestamp;
}

/** Every table of this feature, keyed by its camelCase name. */
export interface ReportTables {
  reportCounter: ReportCounterTable;
  report: ReportTable;
  reportRaw: ReportRawTable;
  reportIdempotency: ReportIdempotencyTable;
}
