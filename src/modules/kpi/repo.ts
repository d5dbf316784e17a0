import { sql } from 'kysely';
import type { Executor } from '../../db/index.ts';
import type { ActivityKind, Priority, Tlp } from '../../db/schema.ts';
import { reportVisibleSql, visibleSql } from '../../lib/authz/access.repo.ts';
import type { IncidentScope } from '../../lib/authz/incidents.ts';
import type { ClockEvent } from '../sla/index.ts';
import type { CohortIncident } from './stats.ts';
import type { Period } from './period.ts';

/**
 * The events the statistics read: acknowledgements, status changes and closing (containment),
 * breaches, reopenings and merges. Communications and pauses move SLA clocks but no KPI. Migration
 * 0030's partial index lists the same kinds (a test keeps them equal).
 */
export const FACT_EVENTS = [
  'incident.status_changed', 'incident.closed', 'incident.assigned', 'escalation.acknowledged', 'sla.breached', 'incident.reopened', 'incident.merged_into',
] as const;

export interface ActivityRow {
  id: string;
  kind: ActivityKind;
  title: string;
  description: string;
  startsAt: Date;
  endsAt: Date | null;
  constituentId: string | null;
  constituentName: string | null;
  participants: number | null;
  tlp: Tlp;
  version: number;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}
export type ActivityWrite = Pick<ActivityRow, 'kind' | 'title' | 'description' | 'startsAt' | 'endsAt' | 'constituentId' | 'participants' | 'tlp'>;

export interface KpiDefinitionRow {
  id: string;
  key: string;
  name: string;
  description: string;
  measure: string;
  params: Record<string, unknown>;
  targetOp: '<' | '<=' | '>' | '>=' | null;
  targetValue: number | null;
  enabled: boolean;
  position: number;
  version: number;
  updatedAt: Date;
  updatedBy: string | null;
}
export type KpiDefinitionWrite = Pick<KpiDefinitionRow, 'key' | 'name' | 'description' | 'measure' | 'params' | 'targetOp' | 'targetValue' | 'enabled' | 'position'>;

const inPeriod = (p: Pick<Period, 'from' | 'to'>) => sql<boolean>`incident.created_at >= ${p.from} and incident.created_at < ${p.to}`;

const activities = (x: Executor) =>
  x.selectFrom('teamActivity').leftJoin('constituent', 'constituent.id', 'teamActivity.constituentId')
    .selectAll('teamActivity').select('constituent.name as constituentName');

export const kpiRepo = {
  /** The incidents declared in the period that the scope may see, with their facts (exercises included: the caller tallies them). */
  async cohort(x: Executor, scope: IncidentScope, period: Period): Promise<CohortIncident[]> {
    // Two statements at once: on PostgreSQL they run on two connections.
    const [rows, events] = await Promise.all([x.selectFrom('incident')
      // Looked up per incident through migration 0030's covering indexes (a join would hash the
      // whole classification table; the report is the incident's first).
      .leftJoinLateral((eb) => eb.selectFrom('incidentClassification as pc').select(['pc.class', 'pc.type'])
        .whereRef('pc.incidentId', '=', 'incident.id').where(sql<boolean>`pc.is_primary`).limit(1).as('c'), (j) => j.onTrue())
      .select(['incident.id', 'incident.reference', 'incident.priority', 'incident.status', 'incident.resolution', 'incident.constituent',
        'incident.exercise', 'incident.createdAt', 'incident.closedAt', 'incident.firstCompromiseAt', 'incident.detectedAt', 'incident.containedAt',
        'c.class', 'c.type'])
      .select(sql<string | null>`(select r.channel from report r where r.incident_id = incident.id order by r.received_at, r.id limit 1)`.as('channel'))
      .where(inPeriod(period)).where(visibleSql(scope, 'incident'))
      .orderBy('incident.createdAt').orderBy('incident.id')
      .execute(),
    // Each incident's events through migration 0030's partial index (its kinds written out, and
    // offset 0 keeping PostgreSQL from flattening the lateral into a join that scans every event).
    x.selectFrom('incident')
      .innerJoinLateral((eb) => eb.selectFrom('incidentEvent as ev')
        .select(['ev.id', 'ev.kind', 'ev.at'])
        // Only the fields the facts read.
        .select(sql<Record<string, unknown>>`jsonb_build_object('from', ev.data->'from', 'to', ev.data->'to', 'metric', ev.data->'metric')`.as('data'))
        .whereRef('ev.incidentId', '=', 'incident.id').where(sql<boolean>`ev.kind in (${sql.join(FACT_EVENTS.map((k) => sql.lit(k)))})`)
        .offset(0).as('e'), (j) => j.onTrue())
      .select(['incident.id as incidentId', 'e.kind', 'e.at', 'e.data'])
      .where(inPeriod(period)).where(visibleSql(scope, 'incident'))
      .orderBy('incident.id').orderBy('e.at').orderBy('e.id')
      .execute()]);
    const byIncident = new Map<string, ClockEvent[]>();
    for (const e of events) {
      let list = byIncident.get(e.incidentId);
      if (!list) byIncident.set(e.incidentId, (list = []));
      list.push({ kind: e.kind, at: e.at, data: e.data });
    }
    return rows.map((r) => ({ ...r, events: byIncident.get(r.id) ?? [] }));
  },

  /** Incidents declared per month (in the period's zone) and priority; exercises and duplicates left out. */
  monthlyCounts: (x: Executor, scope: IncidentScope, from: Date, to: Date, timeZone: string) =>
    x.selectFrom('incident')
      .select(sql<string>`to_char(incident.created_at at time zone ${timeZone}, 'YYYY-MM')`.as('month'))
      .select('incident.priority')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where(inPeriod({ from, to })).where(visibleSql(scope, 'incident'))
      .where('incident.exercise', '=', false).where(sql<boolean>`incident.resolution is distinct from 'duplicate'`)
      .groupBy(['month', 'incident.priority'])
      .execute() as Promise<{ month: string; priority: Priority; count: string }[]>,

  /**
   * The reports received in the period: how many, how many decided, how many rejected as false
   * positives. The team's figure for unscoped members; a member limited to constituents counts the
   * reports they may see (the access rule).
   */
  async reports(x: Executor, scope: IncidentScope, period: Period) {
    const r = await x.selectFrom('report')
      .select((eb) => [
        eb.fn.countAll<string>().as('received'),
        sql<string>`count(*) filter (where status <> 'new')`.as('decided'),
        sql<string>`count(*) filter (where status = 'rejected' and rejection = 'false_positive')`.as('falsePositives'),
      ])
      .where('receivedAt', '>=', period.from).where('receivedAt', '<', period.to)
      .$if(scope.constituentIds !== null, (q) => q.where(reportVisibleSql(scope, 'report', 'set')))
      .executeTakeFirstOrThrow();
    return { received: Number(r.received), decided: Number(r.decided), falsePositives: Number(r.falsePositives) };
  },

  activities: (x: Executor, from: Date, to: Date): Promise<ActivityRow[]> =>
    activities(x).where('teamActivity.startsAt', '>=', from).where('teamActivity.startsAt', '<', to)
      .orderBy('teamActivity.startsAt').orderBy('teamActivity.id').execute(),

  activity: (x: Executor, id: string, lock = false): Promise<ActivityRow | undefined> => {
    const q = activities(x).where('teamActivity.id', '=', id);
    return (lock ? q.forUpdate('teamActivity') : q).executeTakeFirst();
  },

  insertActivity: async (x: Executor, a: ActivityWrite, by: string | null, at: Date): Promise<string> =>
    (await x.insertInto('teamActivity').values({ ...a, createdBy: by, createdAt: at, updatedAt: at }).returning('id').executeTakeFirstOrThrow()).id,

  updateActivity: (x: Executor, id: string, a: ActivityWrite, at: Date) =>
    x.updateTable('teamActivity').set((eb) => ({ ...a, updatedAt: at, version: eb('version', '+', 1) })).where('id', '=', id).execute(),

  removeActivity: (x: Executor, id: string) => x.deleteFrom('teamActivity').where('id', '=', id).execute(),

  constituentExists: async (x: Executor, id: string): Promise<boolean> =>
    !!(await x.selectFrom('constituent').select('id').where('id', '=', id).executeTakeFirst()),

  definitions: (x: Executor): Promise<KpiDefinitionRow[]> =>
    x.selectFrom('kpiDefinition').selectAll().orderBy('position').orderBy('key').execute(),

  definition: (x: Executor, id: string, lock = false): Promise<KpiDefinitionRow | undefined> => {
    const q = x.selectFrom('kpiDefinition').selectAll().where('id', '=', id);
    return (lock ? q.forUpdate() : q).executeTakeFirst();
  },

  keyTaken: async (x: Executor, key: string, exceptId: string | null): Promise<boolean> => {
    let q = x.selectFrom('kpiDefinition').select('id').where('key', '=', key);
    if (exceptId) q = q.where('id', '<>', exceptId);
    return !!(await q.executeTakeFirst());
  },

  insertDefinition: async (x: Executor, d: KpiDefinitionWrite, by: string | null, at: Date): Promise<string> =>
    (await x.insertInto('kpiDefinition').values({ ...d, params: JSON.stringify(d.params), updatedAt: at, updatedBy: by }).returning('id').executeTakeFirstOrThrow()).id,

  updateDefinition: (x: Executor, id: string, d: KpiDefinitionWrite, by: string | null, at: Date) =>
    x.updateTable('kpiDefinition').set((eb) => ({ ...d, params: JSON.stringify(d.params), updatedAt: at, updatedBy: by, version: eb('version', '+', 1) }))
      .where('id', '=', id).execute(),

  removeDefinition: (x: Executor, id: string) => x.deleteFrom('kpiDefinition').where('id', '=', id).execute(),
};
