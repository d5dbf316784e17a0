// Table types of SLA policies. src/db/schema.ts's Database extends SlaTables.
import type { ColumnType, Generated } from 'kysely';
import type { Priority } from './schema.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** 24x7, or business hours: one local window [start, end) on each working day but holidays. */
export interface SlaCalendarValue {
  kind: '24x7' | 'business_hours';
  /** IANA time zone. */
  timeZone: string;
  /** ISO weekdays 1 = Monday … 7 = Sunday (business_hours only). */
  days: number[];
  /** 'HH:MM' local, end > start (business_hours only); end may be '24:00'. */
  start: string;
  end: string;
  /** Local dates YYYY-MM-DD without business hours. */
  holidays: string[];
}

export interface SlaPolicyTable {
  id: Generated<string>;
  priority: Priority;
  constituentId: string | null;
  calendar: ColumnType<SlaCalendarValue, string, string>;
  acknowledgeMinutes: number | null;
  firstResponseMinutes: number | null;
  containmentMinutes: number | null;
  resolutionMinutes: number | null;
  warnPercent: number;
  version: ColumnType<number, number | undefined, number>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  updatedBy: string | null;
}

/** Where each SLA clock of an incident stands: a projection of its events (migration 0025). */
export interface SlaClockTable {
  incidentId: string;
  metric: 'acknowledge' | 'first_response' | 'containment' | 'resolution';
  policyId: string | null;
  targetMinutes: number;
  deadline: Timestamp | null;
  warnAt: Timestamp | null;
  paused: ColumnType<boolean, boolean | undefined, boolean>;
  metAt: Timestamp | null;
  warnedAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  breachedAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  computedAt: Timestamp;
}

/** Every table of this feature, keyed by its camelCase name. */
export interface SlaTables {
  slaPolicy: SlaPolicyTable;
  slaClock: SlaClockTable;
}
