import type { Db } from '../../db/index.ts';
import type { ActivityKind } from '../../db/schema.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { incidentScope, seesAll, type IncidentScope } from '../../lib/authz/incidents.ts';
import { authorize, can } from '../../lib/authz/policy.ts';
import { VigilError } from '../../lib/errors.ts';
import { localDate } from '../../lib/tz.ts';
import type { AuditService } from '../audit/index.ts';
import type { SettingsService } from '../settings/index.ts';
import { ACTIVITY_KINDS, evaluate, meets, parseParams, type Unit } from './measures.ts';
import { addMonths, monthPeriod, yearPeriod, type Period } from './period.ts';
import { kpiRepo, type ActivityRow, type ActivityWrite, type KpiDefinitionRow, type KpiDefinitionWrite } from './repo.ts';
import { counting, incidentStats, PRIORITIES, type CohortIncident, type IncidentStats } from './stats.ts';

export interface KpiValue {
  id: string;
  key: string;
  name: string;
  description: string;
  measure: string;
  params: Record<string, unknown>;
  unit: Unit;
  value: number | null;
  /** How many incidents or reports the value was computed over (null for plain counts). */
  sample: number | null;
  target: { op: NonNullable<KpiDefinitionRow['targetOp']>; value: number } | null;
  met: boolean | null;
}

export interface PeriodKpis {
  period: { label: string; timeZone: string; from: Date; to: Date };
  /** 'visible': the caller may not see every incident, so incident figures cover only those it may. */
  scope: 'all' | 'visible';
  incidents: IncidentStats;
  /** Reports received in the period (null without report.read). */
  reports: { received: number; decided: number; falsePositives: number; falsePositiveRate: number | null } | null;
  activities: { byKind: Record<ActivityKind, number>; items: ActivityRow[] };
  kpis: KpiValue[];
}

export interface MonthlyKpis extends PeriodKpis {
  /** The month before's values, for comparison (null when not asked for). */
  previous: { label: string; kpis: Pick<KpiValue, 'key' | 'value' | 'met'>[] } | null;
  /** Incidents declared in each of the twelve months up to this one, by priority. */
  trend: { month: string; total: number; byPriority: Record<(typeof PRIORITIES)[number], number> }[];
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const round1 = (n: number) => Math.round(n * 10) / 10;

/** KPIs and statistics computed from incidents, their events, reports and the team's activities; the definitions and activities. */
export function createKpiService(d: { db: Db; audit: AuditService; clock: Clock; settings: SettingsService }) {
  const zone = async () => (await d.settings.current()).timeZone;

  function checkMonth(month: string) {
    if (!MONTH.test(month)) throw new VigilError('VIG_REQUEST_INVALID', { errors: [{ path: 'month', message: 'a month as YYYY-MM' }] });
  }

  /** Everything about one period from its cohort (already read), its reports and the activities up to its end. */
  function compute(
    period: Period, scope: IncidentScope, cohort: CohortIncident[], reports: Awaited<ReturnType<typeof kpiRepo.reports>> | null,
    activities: ActivityRow[], defs: KpiDefinitionRow[], monthsBack: (n: number) => Date,
  ): PeriodKpis {
    const inPeriod = activities.filter((a) => a.startsAt >= period.from && a.startsAt < period.to);
    const byKind = Object.fromEntries(ACTIVITY_KINDS.map((k) => [k, inPeriod.filter((a) => a.kind === k).length])) as Record<ActivityKind, number>;
    const ctx = {
      counting: counting(cohort).counting,
      reports,
      activities: (kind: ActivityKind, months: number) => {
        const from = monthsBack(months);
        return activities.filter((a) => a.kind === kind && a.startsAt >= from && a.startsAt < period.to).length;
      },
    };
    const kpis = defs.filter((k) => k.enabled).map((k): KpiValue => {
      const { value, unit, sample } = evaluate(k, ctx);
      return {
        id: k.id, key: k.key, name: k.name, description: k.description, measure: k.measure, params: k.params, unit, value, sample,
        target: k.targetOp !== null && k.targetValue !== null ? { op: k.targetOp, value: k.targetValue } : null,
        met: meets(value, k.targetOp, k.targetValue),
      };
    });
    return {
      period: { label: period.label, timeZone: period.timeZone, from: period.from, to: period.to },
      scope: seesAll(scope) ? 'all' : 'visible',
      incidents: incidentStats(cohort),
      reports: reports && { ...reports, falsePositiveRate: reports.decided ? round1((reports.falsePositives * 100) / reports.decided) : null },
      activities: { byKind, items: inPeriod },
      kpis,
    };
  }

  async function month(actor: Actor, scope: IncidentScope, label: string, timeZone: string, defs: KpiDefinitionRow[]): Promise<PeriodKpis> {
    const period = monthPeriod(label, timeZone);
    const [cohort, reports, activities] = await Promise.all([
      kpiRepo.cohort(d.db, scope, period),
      can(actor, 'report.read') ? kpiRepo.reports(d.db, scope, period) : null,
      kpiRepo.activities(d.db, monthPeriod(addMonths(label, -11), timeZone).from, period.to),
    ]);
    return compute(period, scope, cohort, reports, activities, defs, (n) => monthPeriod(addMonths(label, 1 - n), timeZone).from);
  }

  async function definitionChecked(x: Db | Parameters<typeof kpiRepo.definitions>[0], k: KpiDefinitionWrite, exceptId: string | null): Promise<KpiDefinitionWrite> {
    const problems: string[] = [];
    const parsed = parseParams(k.measure, k.params);
    if (!parsed.ok) problems.push(...parsed.problems);
    if ((k.targetOp === null) !== (k.targetValue === null)) problems.push('target: give both the comparison and the value, or neither');
    if (parsed.ok && k.targetValue !== null && !Number.isFinite(k.targetValue)) problems.push('target: not a number');
    if (problems.length) throw new VigilError('VIG_KPI_INVALID', { problems });
    if (await kpiRepo.keyTaken(x, k.key, exceptId)) throw new VigilError('VIG_KPI_KEY_TAKEN', { key: k.key });
    return { ...k, params: parsed.ok ? parsed.params : k.params };
  }

  async function activityChecked(x: Parameters<typeof kpiRepo.definitions>[0], a: ActivityWrite) {
    if (a.endsAt && a.endsAt < a.startsAt) throw new VigilError('VIG_REQUEST_INVALID', { errors: [{ path: 'endsAt', message: 'ends before it starts' }] });
    if (a.constituentId && !(await kpiRepo.constituentExists(x, a.constituentId))) throw new VigilError('VIG_CONSTITUENT_NOT_FOUND', { id: a.constituentId });
  }

  return {
    /** The month's KPIs (default: the current month in the team's zone), the month before's values (unless `compare` is false) and a twelve-month trend. */
    async monthly(actor: Actor, label?: string, o: { compare?: boolean } = {}): Promise<MonthlyKpis> {
      authorize(actor, 'kpi.read');
      const scope = incidentScope(actor);
      const timeZone = await zone();
      const m = label ?? localDate(timeZone, d.clock.now().getTime()).slice(0, 7);
      checkMonth(m);
      const defs = await kpiRepo.definitions(d.db);
      const first = addMonths(m, -11);
      const [current, before, counts] = await Promise.all([
        month(actor, scope, m, timeZone, defs),
        o.compare === false ? null : month(actor, scope, addMonths(m, -1), timeZone, defs),
        kpiRepo.monthlyCounts(d.db, scope, monthPeriod(first, timeZone).from, monthPeriod(m, timeZone).to, timeZone),
      ]);
      const trend = Array.from({ length: 12 }, (_, i) => {
        const month = addMonths(first, i);
        const byPriority = Object.fromEntries(PRIORITIES.map((p) => [p, Number(counts.find((c) => c.month === month && c.priority === p)?.count ?? 0)])) as Record<(typeof PRIORITIES)[number], number>;
        return { month, total: Object.values(byPriority).reduce((a, b) => a + b, 0), byPriority };
      });
      const previous = before && { label: before.period.label, kpis: before.kpis.map(({ key, value, met }) => ({ key, value, met })) };
      return { ...current, previous, trend };
    },

    /** A year's KPIs, and each of its months' (the months of the annual report), from one read of the year. */
    async annual(actor: Actor, year: number): Promise<PeriodKpis & { months: PeriodKpis[] }> {
      authorize(actor, 'kpi.read');
      if (!Number.isInteger(year) || year < 2000 || year > 2999) throw new VigilError('VIG_REQUEST_INVALID', { errors: [{ path: 'year', message: 'a year such as 2026' }] });
      const scope = incidentScope(actor);
      const timeZone = await zone();
      const defs = await kpiRepo.definitions(d.db);
      const period = yearPeriod(year, timeZone);
      const cohort = await kpiRepo.cohort(d.db, scope, period);
      const readsReports = can(actor, 'report.read');
      const activities = await kpiRepo.activities(d.db, monthPeriod(`${year - 1}-02`, timeZone).from, period.to);
      const months: PeriodKpis[] = [];
      for (let i = 1; i <= 12; i++) {
        const label = `${year}-${String(i).padStart(2, '0')}`;
        const p = monthPeriod(label, timeZone);
        const own = cohort.filter((c) => c.createdAt >= p.from && c.createdAt < p.to);
        const reports = readsReports ? await kpiRepo.reports(d.db, scope, p) : null;
        months.push(compute(p, scope, own, reports, activities, defs, (n) => monthPeriod(addMonths(label, 1 - n), timeZone).from));
      }
      const reports = readsReports ? await kpiRepo.reports(d.db, scope, period) : null;
      // A year's activity KPIs count the whole year whatever their months window.
      return { ...compute(period, scope, cohort, reports, activities, defs, () => period.from), months };
    },

    async definitions(actor: Actor): Promise<KpiDefinitionRow[]> {
      authorize(actor, 'kpi.read');
      return kpiRepo.definitions(d.db);
    },

    async createDefinition(actor: Actor, input: KpiDefinitionWrite): Promise<KpiDefinitionRow> {
      authorize(actor, 'kpi.manage');
      return d.db.transaction().execute(async (tx) => {
        const k = await definitionChecked(tx, input, null);
        const id = await kpiRepo.insertDefinition(tx, k, actor.userId, d.clock.now());
        const after = (await kpiRepo.definition(tx, id))!;
        await d.audit.record(tx, actor, { action: 'kpi.definition_created', entity: 'kpi_definition', entityId: id, after });
        return after;
      });
    },

    async updateDefinition(actor: Actor, id: string, input: KpiDefinitionWrite & { version: number }): Promise<KpiDefinitionRow> {
      authorize(actor, 'kpi.manage');
      return d.db.transaction().execute(async (tx) => {
        const before = await kpiRepo.definition(tx, id, true);
        if (!before) throw new VigilError('VIG_KPI_NOT_FOUND', { id });
        if (before.version !== input.version) throw new VigilError('VIG_KPI_VERSION_CONFLICT', { id, yourVersion: input.version, currentVersion: before.version, current: before });
        const { version: _v, ...write } = input;
        await kpiRepo.updateDefinition(tx, id, await definitionChecked(tx, write, id), actor.userId, d.clock.now());
        const after = (await kpiRepo.definition(tx, id))!;
        await d.audit.record(tx, actor, { action: 'kpi.definition_updated', entity: 'kpi_definition', entityId: id, before, after });
        return after;
      });
    },

    async removeDefinition(actor: Actor, id: string): Promise<void> {
      authorize(actor, 'kpi.manage');
      await d.db.transaction().execute(async (tx) => {
        const before = await kpiRepo.definition(tx, id, true);
        if (!before) throw new VigilError('VIG_KPI_NOT_FOUND', { id });
        await kpiRepo.removeDefinition(tx, id);
        await d.audit.record(tx, actor, { action: 'kpi.definition_deleted', entity: 'kpi_definition', entityId: id, before });
      });
    },

    /** Activities that started in [from, to). */
    async activities(actor: Actor, from: Date, to: Date): Promise<ActivityRow[]> {
      authorize(actor, 'kpi.read');
      return kpiRepo.activities(d.db, from, to);
    },

    async activity(actor: Actor, id: string): Promise<ActivityRow> {
      authorize(actor, 'kpi.read');
      const row = await kpiRepo.activity(d.db, id);
      if (!row) throw new VigilError('VIG_ACTIVITY_NOT_FOUND', { id });
      return row;
    },

    async recordActivity(actor: Actor, input: ActivityWrite): Promise<ActivityRow> {
      authorize(actor, 'activity.record');
      return d.db.transaction().execute(async (tx) => {
        await activityChecked(tx, input);
        const id = await kpiRepo.insertActivity(tx, input, actor.userId, d.clock.now());
        const after = (await kpiRepo.activity(tx, id))!;
        await d.audit.record(tx, actor, { action: 'activity.recorded', entity: 'team_activity', entityId: id, after });
        return after;
      });
    },

    async updateActivity(actor: Actor, id: string, input: ActivityWrite & { version: number }): Promise<ActivityRow> {
      authorize(actor, 'activity.record');
      return d.db.transaction().execute(async (tx) => {
        const before = await kpiRepo.activity(tx, id, true);
        if (!before) throw new VigilError('VIG_ACTIVITY_NOT_FOUND', { id });
        if (before.version !== input.version) throw new VigilError('VIG_ACTIVITY_VERSION_CONFLICT', { id, yourVersion: input.version, currentVersion: before.version, current: before });
        const { version: _v, ...write } = input;
        await activityChecked(tx, write);
        await kpiRepo.updateActivity(tx, id, write, d.clock.now());
        const after = (await kpiRepo.activity(tx, id))!;
        await d.audit.record(tx, actor, { action: 'activity.updated', entity: 'team_activity', entityId: id, before, after });
        return after;
      });
    },

    async removeActivity(actor: Actor, id: string): Promise<void> {
      authorize(actor, 'activity.record');
      await d.db.transaction().execute(async (tx) => {
        const before = await kpiRepo.activity(tx, id, true);
        if (!before) throw new VigilError('VIG_ACTIVITY_NOT_FOUND', { id });
        await kpiRepo.removeActivity(tx, id);
        await d.audit.record(tx, actor, { action: 'activity.deleted', entity: 'team_activity', entityId: id, before });
      });
    },
  };
}
export type KpiService = ReturnType<typeof createKpiService>;
