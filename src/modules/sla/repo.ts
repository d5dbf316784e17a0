import { sql, type Selectable } from 'kysely';
import type { Executor } from '../../db/index.ts';
import type { Priority, SlaCalendarValue, SlaClockTable } from '../../db/schema.ts';

export interface SlaPolicyRow {
  id: string;
  priority: Priority;
  constituentId: string | null;
  constituentName: string | null;
  calendar: SlaCalendarValue;
  acknowledgeMinutes: number | null;
  firstResponseMinutes: number | null;
  containmentMinutes: number | null;
  resolutionMinutes: number | null;
  warnPercent: number;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  updatedBy: string | null;
}

export type SlaPolicyWrite = Pick<SlaPolicyRow, 'priority' | 'constituentId' | 'calendar' | 'acknowledgeMinutes' | 'firstResponseMinutes' | 'containmentMinutes' | 'resolutionMinutes' | 'warnPercent'>;

/** The events a clock is computed from. */
export const CLOCK_EVENTS = [
  'incident.status_changed', 'incident.closed', 'incident.assigned', 'escalation.acknowledged', 'incident.communication', 'sla.paused', 'sla.resumed',
] as const;

const select = (x: Executor) =>
  x.selectFrom('slaPolicy').leftJoin('constituent', 'constituent.id', 'slaPolicy.constituentId')
    .selectAll('slaPolicy').select('constituent.name as constituentName');

export const slaRepo = {
  policies: (x: Executor): Promise<SlaPolicyRow[]> =>
    select(x).orderBy(sql`constituent.name nulls first`).orderBy('slaPolicy.priority').execute(),

  policy: (x: Executor, id: string, lock = false): Promise<SlaPolicyRow | undefined> => {
    const q = select(x).where('slaPolicy.id', '=', id);
    return (lock ? q.forUpdate('slaPolicy') : q).executeTakeFirst();
  },

  /** The policy for a priority: the constituent's, if it has one and an SLA agreement in force on `on`; else the team's. */
  async policyFor(x: Executor, priority: Priority, constituentName: string | null, on: Date): Promise<SlaPolicyRow | undefined> {
    if (constituentName) {
      const day = on.toISOString().slice(0, 10);
      const own = await select(x).where('slaPolicy.priority', '=', priority)
        .where(sql<boolean>`lower(constituent.name) = lower(${constituentName})`)
        .where(sql<boolean>`exists (select 1 from constituent_agreement a where a.constituent_id = constituent.id and a.kind = 'sla'
          and (a.starts_on is null or a.starts_on <= ${day}::date) and (a.ends_on is null or a.ends_on >= ${day}::date))`)
        .executeTakeFirst();
      if (own) return own;
    }
    return select(x).where('slaPolicy.priority', '=', priority).where('slaPolicy.constituentId', 'is', null).executeTakeFirst();
  },

  constituentExists: async (x: Executor, id: string): Promise<boolean> =>
    !!(await x.selectFrom('constituent').select('id').where('id', '=', id).executeTakeFirst()),

  /** Another policy for the same priority and constituent (or the team's), if any. */
  clash: (x: Executor, p: Pick<SlaPolicyWrite, 'priority' | 'constituentId'>, exceptId: string | null) => {
    let q = x.selectFrom('slaPolicy').select('id').where('priority', '=', p.priority)
      .where('constituentId', p.constituentId ? '=' : 'is', p.constituentId);
    if (exceptId) q = q.where('id', '<>', exceptId);
    return q.executeTakeFirst();
  },

  insert: async (x: Executor, p: SlaPolicyWrite, by: string | null, at: Date): Promise<string> =>
    (await x.insertInto('slaPolicy').values({ ...p, calendar: JSON.stringify(p.calendar), createdAt: at, updatedAt: at, updatedBy: by })
      .returning('id').executeTakeFirstOrThrow()).id,

  update: (x: Executor, id: string, p: SlaPolicyWrite, by: string | null, at: Date) =>
    x.updateTable('slaPolicy').set((eb) => ({ ...p, calendar: JSON.stringify(p.calendar), updatedAt: at, updatedBy: by, version: eb('version', '+', 1) }))
      .where('id', '=', id).execute(),

  remove: (x: Executor, id: string) => x.deleteFrom('slaPolicy').where('id', '=', id).execute(),

  /** The incident's events that start, stop and pause its clocks, oldest first. */
  clockEvents: (x: Executor, incidentId: string) =>
    x.selectFrom('incidentEvent').select(['kind', 'at', 'occurredAt', 'data']).where('incidentId', '=', incidentId)
      .where('kind', 'in', [...CLOCK_EVENTS]).orderBy('at').orderBy('id').execute(),
};

export type SlaClockRow = Selectable<SlaClockTable>;
export type SlaClockWrite = Omit<SlaClockRow, 'incidentId' | 'metric'>;

/** The sla_clock projection (migration 0025): where each clock of an incident stands. */
export const slaClockRepo = {
  ofIncident: (x: Executor, incidentId: string): Promise<SlaClockRow[]> =>
    x.selectFrom('slaClock').selectAll().where('incidentId', '=', incidentId).execute(),

  /** Writes the incident's clocks, new or known, in one statement. */
  upsertMany: (x: Executor, incidentId: string, clocks: (SlaClockWrite & { metric: SlaClockRow['metric'] })[]) =>
    clocks.length === 0 ? Promise.resolve([]) : x.insertInto('slaClock').values(clocks.map((c) => ({ incidentId, ...c })))
      .onConflict((oc) => oc.columns(['incidentId', 'metric']).doUpdateSet((eb) => ({
        policyId: eb.ref('excluded.policyId'), targetMinutes: eb.ref('excluded.targetMinutes'), deadline: eb.ref('excluded.deadline'),
        warnAt: eb.ref('excluded.warnAt'), paused: eb.ref('excluded.paused'), metAt: eb.ref('excluded.metAt'),
        warnedAt: eb.ref('excluded.warnedAt'), breachedAt: eb.ref('excluded.breachedAt'), computedAt: eb.ref('excluded.computedAt'),
      }))).execute(),

  /** Removes the incident's clocks but those of `keep`. */
  removeExcept: (x: Executor, incidentId: string, keep: string[]) => {
    let q = x.deleteFrom('slaClock').where('incidentId', '=', incidentId);
    if (keep.length) q = q.where('metric', 'not in', keep as SlaClockRow['metric'][]);
    return q.execute();
  },

  /** One clock, locked (the caller holds the incident's lock first). */
  lock: (x: Executor, incidentId: string, metric: string): Promise<SlaClockRow | undefined> =>
    x.selectFrom('slaClock').selectAll().where('incidentId', '=', incidentId).where('metric', '=', metric as SlaClockRow['metric']).forUpdate().executeTakeFirst(),

  mark: (x: Executor, incidentId: string, metric: string, set: { warnedAt?: Date; breachedAt?: Date }) =>
    x.updateTable('slaClock').set(set).where('incidentId', '=', incidentId).where('metric', '=', metric as SlaClockRow['metric']).execute(),

  /** Running clocks whose warning or deadline has come and not been recorded, earliest first (unlocked). */
  due: (x: Executor, now: Date, limit: number) =>
    x.selectFrom('slaClock').select(['incidentId', 'metric']).where('metAt', 'is', null).where('paused', '=', false)
      .where((eb) => eb.or([
        eb.and([eb('warnedAt', 'is', null), eb('warnAt', '<=', now)]),
        eb.and([eb('breachedAt', 'is', null), eb('deadline', '<=', now)]),
      ]))
      .orderBy(sql`least(warn_at, deadline)`).orderBy('incidentId').orderBy('metric').limit(limit).execute(),

  /** Open incidents without any projected clock (databases from before 0025), by id after `after`. */
  unprojected: async (x: Executor, after: string, limit: number): Promise<string[]> =>
    (await x.selectFrom('incident').select('incident.id').where('incident.status', '<>', 'closed')
      .where((eb) => eb.not(eb.exists(eb.selectFrom('slaClock').select('slaClock.incidentId').whereRef('slaClock.incidentId', '=', 'incident.id'))))
      .where(sql<boolean>`incident.id::text > ${after}`).orderBy(sql`incident.id::text`).limit(limit).execute()).map((r) => r.id),

  /** Open incidents of these priorities (a policy of theirs changed), by id. */
  openOf: async (x: Executor, priorities: Priority[]): Promise<string[]> =>
    priorities.length === 0 ? [] : (await x.selectFrom('incident').select('id').where('status', '<>', 'closed')
      .where('priority', 'in', priorities).orderBy('id').execute()).map((r) => r.id),
};
