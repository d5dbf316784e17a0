// Report schedules (who gets which report, in which format, at which TLP) and the claiming of
// complete periods: a schedule's next period is claimed, and its deliveries written, in one
// transaction, so each period goes out once whatever crashes.
import type { Db } from '../../db/index.ts';
import type { ReportKind } from '../../db/schema.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { authorize } from '../../lib/authz/policy.ts';
import { VigilError } from '../../lib/errors.ts';
import { localDate } from '../../lib/tz.ts';
import type { AuditService } from '../audit/index.ts';
import { addMonths } from '../kpi/index.ts';
import { ownAddresses, unanswerable } from '../outbound-mail/index.ts';
import type { SettingsService } from '../settings/index.ts';
import { kpiReportRepo, type ScheduleRow, type ScheduleWrite } from './repo.ts';

/** The last complete period of a kind at `now` in the zone: the month (or year) before the current one. */
export function lastCompletePeriod(kind: ReportKind, timeZone: string, now: Date): string {
  const today = localDate(timeZone, now.getTime());
  return kind === 'monthly' ? addMonths(today.slice(0, 7), -1) : String(Number(today.slice(0, 4)) - 1);
}

export function createReportScheduleService(d: { db: Db; audit: AuditService; clock: Clock; settings: SettingsService; from: string; accept: string }) {
  const own = ownAddresses(d.from, d.accept);

  /** Recipients trimmed, lower-cased, de-duplicated; refused when one cannot or must not get mail. */
  function checked(s: ScheduleWrite): ScheduleWrite {
    const recipients = [...new Set(s.recipients.map((r) => r.trim().toLowerCase()))];
    const problems = recipients.flatMap((r, i) => {
      const why = unanswerable(r, own);
      return why ? [`recipients.${i}: ${r}: ${why}`] : [];
    });
    if (!recipients.length) problems.push('recipients: at least one address');
    if (problems.length) throw new VigilError('VIG_REPORT_SCHEDULE_INVALID', { problems });
    return { ...s, recipients };
  }

  return {
    async list(actor: Actor): Promise<ScheduleRow[]> {
      authorize(actor, 'kpi.manage');
      return kpiReportRepo.schedules(d.db);
    },

    async get(actor: Actor, id: string) {
      authorize(actor, 'kpi.manage');
      const s = await kpiReportRepo.schedule(d.db, id);
      if (!s) throw new VigilError('VIG_REPORT_SCHEDULE_NOT_FOUND', { id });
      return { ...s, deliveries: await kpiReportRepo.deliveries(d.db, id) };
    },

    /** A new schedule starts with the next period to complete: it sends nothing for periods already over. */
    async create(actor: Actor, input: ScheduleWrite): Promise<ScheduleRow> {
      authorize(actor, 'kpi.manage');
      const s = checked(input);
      const { timeZone } = await d.settings.current();
      return d.db.transaction().execute(async (tx) => {
        const id = await kpiReportRepo.insertSchedule(tx, { ...s, lastPeriod: lastCompletePeriod(s.kind, timeZone, d.clock.now()) }, actor.userId, d.clock.now());
        const after = (await kpiReportRepo.schedule(tx, id))!;
        await d.audit.record(tx, actor, { action: 'kpi.report_schedule_created', entity: 'report_schedule', entityId: id, after });
        return after;
      });
    },

    async update(actor: Actor, id: string, input: ScheduleWrite & { version: number }): Promise<ScheduleRow> {
      authorize(actor, 'kpi.manage');
      const { version, ...write } = input;
      const s = checked(write);
      return d.db.transaction().execute(async (tx) => {
        const before = await kpiReportRepo.schedule(tx, id, true);
        if (!before) throw new VigilError('VIG_REPORT_SCHEDULE_NOT_FOUND', { id });
        if (before.version !== version) throw new VigilError('VIG_REPORT_SCHEDULE_VERSION_CONFLICT', { id, yourVersion: version, currentVersion: before.version, current: before });
        if (s.kind !== before.kind) {
          // Another kind counts other periods: it too starts with the next one to complete.
          const { timeZone } = await d.settings.current(tx);
          await kpiReportRepo.setLastPeriod(tx, id, lastCompletePeriod(s.kind, timeZone, d.clock.now()));
        }
        await kpiReportRepo.updateSchedule(tx, id, s, d.clock.now());
        const after = (await kpiReportRepo.schedule(tx, id))!;
        await d.audit.record(tx, actor, { action: 'kpi.report_schedule_updated', entity: 'report_schedule', entityId: id, before, after });
        return after;
      });
    },

    async remove(actor: Actor, id: string): Promise<void> {
      authorize(actor, 'kpi.manage');
      await d.db.transaction().execute(async (tx) => {
        const before = await kpiReportRepo.schedule(tx, id, true);
        if (!before) throw new VigilError('VIG_REPORT_SCHEDULE_NOT_FOUND', { id });
        await kpiReportRepo.removeSchedule(tx, id);
        await d.audit.record(tx, actor, { action: 'kpi.report_schedule_deleted', entity: 'report_schedule', entityId: id, before });
      });
    },

    /**
     * Claims the last complete month and year for every enabled schedule that has not had them:
     * their deliveries (one per recipient) are written with the claim, in one transaction.
     * Returns how many schedules were claimed for.
     */
    async claimDue(): Promise<number> {
      const { timeZone } = await d.settings.current();
      const now = d.clock.now();
      let n = 0;
      for (const kind of ['monthly', 'annual'] as const) {
        const period = lastCompletePeriod(kind, timeZone, now);
        n += await d.db.transaction().execute(async (tx) => {
          const due = await kpiReportRepo.dueSchedules(tx, kind, period);
          for (const s of due) await kpiReportRepo.claimPeriod(tx, s, period, now);
          return due.length;
        });
      }
      return n;
    },
  };
}
export type ReportScheduleService = ReturnType<typeof createReportScheduleService>;
