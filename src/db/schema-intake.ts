// Table types of intake (raw items, monitoring sources and alerts, report messages, attachments,
// status links) and of mail to reporters. src/db/schema.ts re-exports them with the rest.
import type { ColumnType, Generated } from 'kysely';
import type { Level, Tlp } from './schema.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type IntakeChannel = 'email' | 'web_form' | 'monitoring' | 'api';
export type IntakeState = 'pending' | 'parsed' | 'failed';

/** A monitoring source that posts alerts with its own token, field mapping and dedup window. */
export interface IntakeSourceTable {
  id: Generated<string>;
  name: string;
  description: ColumnType<string, string | undefined, string>;
  tokenHash: string;
  tokenHint: string;
  mapping: ColumnType<unknown, string, string>;
  dedupWindowSeconds: number;
  tlp: Tlp;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  createdBy: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  version: ColumnType<number, number | undefined, number>;
}

/** What arrived on a channel, byte for byte, stored before parsing (a trigger keeps the bytes). */
export interface IntakeItemTable {
  id: Generated<string>;
  channel: IntakeChannel;
  sourceId: string | null;
  receivedAt: Timestamp;
  contentType: string;
  content: Uint8Array;
  sha256: string;
  envelope: ColumnType<Record<string, unknown>, string | undefined, never>;
  messageId: string | null;
  state: ColumnType<IntakeState, IntakeState | undefined, IntakeState>;
  error: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  parsedAt: Timestamp | null;
  reportId: string | null;
  incidentId: string | null;
}

export type ReportMessageKind = 'repeat' | 'reply' | 'reporter_update';
export interface ReportMessageTable {
  id: Generated<string>;
  reportId: string;
  kind: ReportMessageKind;
  intakeItemId: string | null;
  receivedAt: Timestamp;
  sender: string | null;
  subject: string | null;
  body: ColumnType<string, string | undefined, string>;
}

export interface ReportAttachmentTable {
  id: Generated<string>;
  reportId: string;
  messageId: string | null;
  filename: string;
  contentType: string;
  size: ColumnType<string, number | bigint | string, never>;
  sha256: string | null;
  stored: boolean;
  flags: ColumnType<string[], string[] | undefined, never>;
  createdAt: Timestamp;
}

export interface ReportStatusLinkTable {
  tokenHash: string;
  reportId: string;
  createdAt: Timestamp;
  expiresAt: Timestamp;
}

export interface IntakeRateTable {
  key: string;
  windowStart: Timestamp;
  hits: number;
}

export type AlertStatus = 'new' | 'acknowledged' | 'escalated' | 'dismissed';
export type AlertSeverity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export type AlertDismissal = 'false_positive' | 'benign' | 'duplicate' | 'test' | 'outside_mandate';

export interface AlertTable {
  id: Generated<string>;
  reference: string;
  sourceId: string;
  status: AlertStatus;
  title: string;
  description: ColumnType<string, string | undefined, string>;
  severity: AlertSeverity;
  tlp: Tlp;
  fingerprint: string;
  sourceRef: string | null;
  observedAt: Timestamp | null;
  classification: ColumnType<{ class: string; type: string } | null, string | null, string | null>;
  observables: ColumnType<{ type: string; value: string }[], string | undefined, string>;
  fields: ColumnType<Record<string, unknown>, string | undefined, string>;
  createdAt: Timestamp;
  incidentId: string | null;
  dismissal: AlertDismissal | null;
  dismissalNote: string | null;
  decidedBy: string | null;
  decidedAt: Timestamp | null;
  version: ColumnType<number, number | undefined, number>;
  updatedAt: Timestamp;
  /** When the alert, still new, paged whoever was on duty (escalation). */
  pagedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface AlertArrivalTable {
  intakeItemId: string;
  position: number;
  alertId: string;
  receivedAt: Timestamp;
}

export interface AlertEventTable {
  id: Generated<string>;
  alertId: string;
  at: Timestamp;
  actorId: string | null;
  actor: string;
  kind: string;
  data: ColumnType<Record<string, unknown>, string | undefined, never>;
}

export interface IntakeIdempotencyTable {
  sourceId: string;
  key: string;
  requestSha256: string;
  intakeItemId: string | null;
  createdAt: Timestamp;
}

export type MailKind = 'receipt' | 'update';
export type MailStatus = 'queued' | 'sending' | 'sent' | 'failed';

export interface MailDeliveryTable {
  id: Generated<string>;
  kind: MailKind;
  reportId: string;
  incidentId: string | null;
  eventKey: string;
  publicStatus: string;
  recipient: string;
  subject: string;
  body: string;
  statusUrl: string | null;
  messageId: string;
  inReplyTo: string | null;
  createdAt: Timestamp;
}

export interface MailTemplateTable {
  kind: MailKind;
  subject: string;
  body: string;
  updatedBy: string | null;
  updatedAt: Timestamp;
}
