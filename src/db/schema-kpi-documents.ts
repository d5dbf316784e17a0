// Table types of scheduled KPI reports. src/db/schema.ts's Database extends KpiReportTables.
import type { ColumnType, Generated } from 'kysely';
import type { Tlp } from './schema.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type ReportKind = 'monthly' | 'annual';
export type ReportFormat = 'pdf' | 'html';
export type ReportDeliveryStatus = 'queued' | 'sending' | 'sent' | 'failed';

export interface ReportScheduleTable {
  id: Generated<string>;
  kind: ReportKind;
  recipients: ColumnType<string[], string[], string[]>;
  format: ReportFormat;
  tlp: Tlp;
  enabled: boolean;
  lastPeriod: string | null;
  version: ColumnType<number, number | undefined, number>;
  createdBy: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface ReportDeliveryTable {
  id: Generated<string>;
  scheduleId: string;
  period: string;
  recipient: string;
  createdAt: Timestamp;
}

/** Every table of this feature, keyed by its camelCase name. */
export interface KpiReportTables {
  reportSchedule: ReportScheduleTable;
  reportDelivery: ReportDeliveryTable;
}
