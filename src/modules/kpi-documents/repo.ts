// All SQL of KPI reports: the notable incidents a report names, the schedules, and their deliveries.
import { sql } from 'kysely';
import type { Executor } from '../../db/index.ts';
import type { Priority, ReportFormat, ReportKind, Tlp } from '../../db/schema.ts';
import { deliveries } from '../delivery/index.ts';
import type { IncidentScope } from '../../lib/authz/incidents.ts';
import { visibleSql } from '../../lib/authz/access.repo.ts';

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

/** The delivery kind of one scheduled report to one recipient. */
export const KPI_REPORT = 'kpi_report';

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

  /** Deletes a schedule and its deliveries' record here; those not sent yet fail (the delivery log keeps them all). */
  removeSchedule: async (x: Executor, id: string) => {
    const ids = (await x.selectFrom('reportDelivery').select('id').where('scheduleId', '=', id).execute()).map((r) => r.id);
    await deliveries.failUnsent(x, ids, 'the schedule was deleted');
    return x.deleteFrom('reportSchedule').where('id', '=', id).execute();
  },

  /** Enabled schedules of a kind whose last period is before `period`, locked (others skip them). */
  dueSchedules: (x: Executor, kind: ReportKind, period: string): Promise<ScheduleRow[]> =>
    x.selectFrom('reportSchedule').selectAll()
      .where('kind', '=', kind).where('enabled', '=', true)
      .where((eb) => eb.or([eb('lastPeriod', 'is', null), eb('lastPeriod', '<', period)]))
      .orderBy('id').forUpdate().skipLocked().execute(),

  /** Claims the period for the schedule and writes its deliveries (one per recipient), in the caller's transaction. */
  async claimPeriod(x: Executor, s: ScheduleRow, period: string, now: Date): Promise<void> {
    for (const recipient of s.recipients) {
      const d = await deliveries.enqueue(x, {
        kind: KPI_REPORT, dedupeKey: `${s.id}:${period}:${recipient}`, via: 'smtp', recipient,
        summary: `${s.kind} KPI report ${period}`, createdAt: now,
      });
      if (d) await x.insertInto('reportDelivery').values({ id: d.id, scheduleId: s.id, period, recipient, createdAt: now }).execute();
    }
    await x.updateTable('reportSchedule').set({ lastPeriod: period }).where('id', '=', s.id).execute();
  },

  deliveries: (x: Executor, scheduleId: string, limit = 50) =>
    x.selectFrom('reportDelivery').innerJoin('delivery', 'delivery.id', 'reportDelivery.id')
      .select(['reportDelivery.id', 'period', 'reportDelivery.recipient', 'delivery.status', 'delivery.attempts', 'delivery.lastError', 'delivery.sentAt', 'reportDelivery.createdAt'])
      .where('scheduleId', '=', scheduleId).orderBy('reportDelivery.createdAt', 'desc').orderBy('reportDelivery.recipient').limit(limit).execute(),

  /** What a delivery is of: its schedule and period. */
  delivery: (x: Executor, id: string) => x.selectFrom('reportDelivery').select(['scheduleId', 'period', 'recipient']).where('id', '=', id).executeTakeFirst(),

  /** The attempt log of a delivery (the delivery layer's), as the schedule shows it. */
  attempts: async (x: Executor, deliveryId: string) =>
    (await deliveries.attempts(x, deliveryId)).map((a) => ({ at: a.at, outcome: a.outcome, response: a.response, smtpCode: a.code })),
};
