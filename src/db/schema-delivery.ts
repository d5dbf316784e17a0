// Table types of the delivery layer: the one outbox and its attempt log. src/db/schema.ts's Database extends DeliveryTables.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'failed';
export type DeliveryOutcome = 'sent' | 'deferred' | 'failed' | 'abandoned';
/** What a delivery needs to go out: the SMTP relay, HTTP, or nothing outside Vigil. */
export type DeliveryVia = 'smtp' | 'http' | 'internal';

export interface DeliveryTable {
  id: Generated<string>;
  seq: ColumnType<string, never, never>;
  kind: string;
  dedupeKey: string;
  via: DeliveryVia;
  recipient: string;
  summary: string;
  payload: ColumnType<Record<string, unknown>, string | undefined, string>;
  status: DeliveryStatus;
  attempts: ColumnType<number, number | undefined, number>;
  nextAttemptAt: Timestamp;
  lastError: string | null;
  sentAt: Timestamp | null;
  createdAt: Timestamp;
}

export interface DeliveryAttemptTable {
  id: ColumnType<number, never, never>;
  deliveryId: string;
  at: Timestamp;
  outcome: DeliveryOutcome;
  response: string | null;
  code: number | null;
}

/** Every table of this feature, keyed by its camelCase name. */
export interface DeliveryTables {
  delivery: DeliveryTable;
  deliveryAttempt: DeliveryAttemptTable;
}
