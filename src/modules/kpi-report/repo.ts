// All SQL of KPI reports: the notable incidents a report names, the schedules, and their deliveries.
import { sql } from 'kysely';
import type { Executor } from '../../db/index.ts';
import type { Priority, ReportDeliveryStatus, ReportFormat, ReportKind, Tlp } from '../../db/schema.ts';
import type { IncidentScope } from '../../lib/authz/incidents.ts';
import { visibleSql } from '../incidents/repo.ts';

export interface NotableIncident {
  reference: string;
  title: string;
  priority: Priority;
  tlp: Tlp;
  class: string | null;
  type: string | null;
  status: string;
  createdAt: Date;
  closedAt: Date | null;
}

export interface ScheduleRow {
  id: string;
  kind: ReportKind;
  recipients: string[];
  format: ReportFormat;
  tlp: Tlp;
  enabled: boolean;
  lastPeriod: string | null;
  version: number;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}
export type ScheduleWrite = Pick<ScheduleRow, 'kind' | 'recipients' | 'format' | 'tlp' | 'enabled'>;

export interface ClaimedReportDelivery {
  id: string;
  scheduleId: string;
  period: string;
  recipient: string;
  attempts: number;
  /** The status before this claim: 'sending' means a sender died holding it. */
  was: ReportDeliveryStatus;
}

export const kpiReportRepo = {
  /**
   * P1 and P2 incidents declared in [from, to) that the scope may see, whose TLP is one of `tlps`
   * (those at or below the report's); exercises and duplicates left out, oldest first.
   */
  notable: (x: Executor, scope: IncidentScope, from: Date, to: Date, tlps: Tlp[]): Promise<NotableIncident[]> =>
    x.selectFrom('incident')
      .leftJoin('incidentClassification as c', (j) => j.onRef('c.incidentId', '=', 'incident.id').on('c.isPrimary', '=', true))
      .select(['incident.reference', 'incident.title', 'incident.priority', 'incident.tlp', 'incident.status', 'incident.createdAt', 'incident.closedAt', 'c.class', 'c.type'])
      .where('incident.createdAt', '>=', from).where('incident.createdAt', '<', to)
      .where('incident.priority', 'in', ['P1', 'P2']).where('incident.tlp', 'in', tlps)
      .where('incident.exercise', '=', false).where(sql<boolean>`incident.resolution is distinct from 'duplicate'`)
      .where(sql<boolean>`not exists (select 1 from incident_event e where e.incident_id = incident.id and e.kind = 'incident.merged_into')`)
      .where(visibleSql(scope, 'incident'))
      .orderBy('incident.createdAt').orderBy('incident.id')
      .limit(500)
      .execute(),

  schedules: (x: Executor): Promise<ScheduleRow[]> => x.selectFrom('reportSchedule').selectAll().orderBy('createdAt').orderBy('id').execute(),

  schedule: (x: Executor, id: string, lock = false): Promise<ScheduleRow | undefined> => {
    const q = x.selectFrom('reportSchedule').selectAll().where('id', '=', id);
    return (lock ? q.forUpdate() : q).executeTakeFirst();
  },

  insertSchedule: async (x: Executor, s: ScheduleWrite & { lastPeriod: string | null }, by: string | null, at: Date): Promise<string> =>
    (await x.insertInto('reportSchedule').values({ ...s, createdBy: by, createdAt: at, updatedAt: at }).returning('id').executeTakeFirstOrThrow()).id,

  updateSchedule: (x: Executor, id: string, s: ScheduleWrite, at: Date) =>
    x.updateTable('reportSchedule').set((eb) => ({ ...s, updatedAt: at, version: eb('version', '+', 1) })).where('id', '=', id).execute(),

  setLastPeriod: (x: Executor, id: string, period: string) => x.updateTable('reportSchedule').set({ lastPeriod: period }).where('id', '=', id).execute(),

  removeSchedule: (x: Executor, id: string) => x.deleteFrom('reportSchedule').where('id', '=', id).execute(),

  /** Enabled schedules of a kind whose last period is before `period`, locked (others skip them). */
  dueSchedules: (x: Executor, kind: ReportKind, period: string): Promise<ScheduleRow[]> =>
    x.selectFrom('reportSchedule').selectAll()
      .where('kind', '=', kind).where('enabled', '=', true)
      .where((eb) => eb.or([eb('lastPeriod', 'is', null), eb('lastPeriod', '<', period)]))
      .orderBy('id').forUpdate().skipLocked().execute(),

  /** Claims the period for the schedule and writes its deliveries (one per recipient), in the caller's transaction. */
  async claimPeriod(x: Executor, s: ScheduleRow, period: string, now: Date): Promise<void> {
    await x.insertInto('reportDelivery')
      .values(s.recipients.map((recipient) => ({ scheduleId: s.id, period, recipient, status: 'queued' as const, nextAttemptAt: now, createdAt: now })))
      .onConflict((oc) => oc.columns(['scheduleId', 'period', 'recipient']).doNothing())
      .execute();
    await x.updateTable('reportSchedule').set({ lastPeriod: period }).where('id', '=', s.id).execute();
  },

  deliveries: (x: Executor, scheduleId: string, limit = 50) =>
    x.selectFrom('reportDelivery').select(['id', 'period', 'recipient', 'status', 'attempts', 'lastError', 'sentAt', 'createdAt'])
      .where('scheduleId', '=', scheduleId).orderBy('createdAt', 'desc').orderBy('recipient').limit(limit).execute(),

  /** Due deliveries, taken with a lease (FOR UPDATE SKIP LOCKED: two workers never take the same one). */
  claimDue: (x: Executor, now: Date, leaseUntil: Date, limit: number): Promise<ClaimedReportDelivery[]> =>
    x.updateTable('reportDelivery')
      .from((eb) => eb.selectFrom('reportDelivery').select(['id as dueId', 'status as was'])
        .where('status', 'in', ['queued', 'sending']).where('nextAttemptAt', '<=', now)
        .orderBy('nextAttemptAt').limit(limit).forUpdate().skipLocked().as('due'))
      .set((eb) => ({ status: 'sending', attempts: eb('reportDelivery.attempts', '+', 1), nextAttemptAt: leaseUntil }))
      .whereRef('reportDelivery.id', '=', 'due.dueId')
      .returning(['reportDelivery.id', 'reportDelivery.scheduleId', 'reportDelivery.period', 'reportDelivery.recipient', 'reportDelivery.attempts', 'due.was'])
      .execute() as Promise<ClaimedReportDelivery[]>,

  addAttempt: (x: Executor, a: { deliveryId: string; at: Date; outcome: 'sent' | 'deferred' | 'failed' | 'abandoned'; response: string | null; smtpCode: number | null }) =>
    x.insertInto('reportDeliveryAttempt').values(a).execute(),

  attempts: (x: Executor, deliveryId: string) =>
    x.selectFrom('reportDeliveryAttempt').selectAll().where('deliveryId', '=', deliveryId).orderBy('id').execute(),

  /** Records how a claimed attempt ended, only while the claim still holds (same attempt, still 'sending'). */
  settle: async (x: Executor, id: string, attempt: number, p: { status: ReportDeliveryStatus; nextAttemptAt: Date; lastError: string | null; sentAt: Date | null }) => {
    const r = await x.updateTable('reportDelivery').set(p)
      .where('id', '=', id).where('attempts', '=', attempt).where('status', '=', 'sending').executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
};
