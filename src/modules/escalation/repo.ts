import { sql } from 'kysely';
import type { Executor } from '../../db/index.ts';
import type { AlertSeverity, EscalationRecipient, EscalationState, EscalationTrigger, Priority } from '../../db/schema.ts';
import type { PolicyShape } from './policy.ts';

export interface PolicyRow extends PolicyShape {
  description: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  updatedBy: string | null;
}

export interface PolicyWrite {
  name: string;
  description: string;
  priorities: Priority[];
  rsitClasses: string[];
  trigger: EscalationTrigger;
  repeatCount: number;
  repeatAfterMinutes: number;
  thenPolicyId: string | null;
  enabled: boolean;
  levels: { delayMinutes: number; recipients: EscalationRecipient[] }[];
}

export interface RunRow {
  id: string;
  incidentId: string;
  policyId: string;
  state: EscalationState;
  level: number;
  round: number;
  hops: number;
  nextAt: Date | null;
  startedAt: Date;
  lastNotifiedAt: Date | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  endedAt: Date | null;
}

async function withLevels(x: Executor, rows: Omit<PolicyRow, 'levels'>[]): Promise<PolicyRow[]> {
  if (rows.length === 0) return [];
  const levels = await x.selectFrom('escalationLevel').selectAll().where('policyId', 'in', rows.map((r) => r.id)).orderBy('position').execute();
  return rows.map((r) => ({
    ...r,
    levels: levels.filter((l) => l.policyId === r.id).map((l) => ({ position: l.position, delayMinutes: l.delayMinutes, recipients: l.recipients })),
  }));
}

export const escalationRepo = {
  async policies(x: Executor): Promise<PolicyRow[]> {
    return withLevels(x, await x.selectFrom('escalationPolicy').selectAll().orderBy('name').execute());
  },

  async policy(x: Executor, id: string, lock = false): Promise<PolicyRow | undefined> {
    let q = x.selectFrom('escalationPolicy').selectAll().where('id', '=', id);
    if (lock) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    return row ? (await withLevels(x, [row]))[0] : undefined;
  },

  async insertPolicy(x: Executor, p: PolicyWrite, by: string | null, at: Date): Promise<string> {
    const { levels, ...fields } = p;
    const { id } = await x.insertInto('escalationPolicy').values({ ...fields, createdAt: at, updatedAt: at, updatedBy: by }).returning('id').executeTakeFirstOrThrow();
    await escalationRepo.replaceLevels(x, id, levels);
    return id;
  },

  async updatePolicy(x: Executor, id: string, p: PolicyWrite, by: string | null, at: Date): Promise<void> {
    const { levels, ...fields } = p;
    await x.updateTable('escalationPolicy').set((eb) => ({ ...fields, updatedAt: at, updatedBy: by, version: eb('version', '+', 1) })).where('id', '=', id).execute();
    await escalationRepo.replaceLevels(x, id, levels);
  },

  async replaceLevels(x: Executor, policyId: string, levels: PolicyWrite['levels']): Promise<void> {
    await x.deleteFrom('escalationLevel').where('policyId', '=', policyId).execute();
    await x.insertInto('escalationLevel')
      .values(levels.map((l, i) => ({ policyId, position: i + 1, delayMinutes: l.delayMinutes, recipients: JSON.stringify(l.recipients) })))
      .execute();
  },

  /** Whether runs or other policies still refer to the policy (it can then only be disabled). */
  async inUse(x: Executor, id: string): Promise<{ runs: boolean; followedBy: string[] }> {
    const run = await x.selectFrom('escalationRun').select('id').where('policyId', '=', id).limit(1).executeTakeFirst();
    const followers = await x.selectFrom('escalationPolicy').select('name').where('thenPolicyId', '=', id).execute();
    return { runs: !!run, followedBy: followers.map((f) => f.name) };
  },

  deletePolicy: (x: Executor, id: string) => x.deleteFrom('escalationPolicy').where('id', '=', id).execute(),

  activeRun: (x: Executor, incidentId: string): Promise<RunRow | undefined> =>
    x.selectFrom('escalationRun').selectAll().where('incidentId', '=', incidentId).where('state', '=', 'active').forUpdate().executeTakeFirst(),

  runs: (x: Executor, incidentId: string): Promise<RunRow[]> =>
    x.selectFrom('escalationRun').selectAll().where('incidentId', '=', incidentId).orderBy('startedAt', 'desc').execute(),

  insertRun: (x: Executor, r: Omit<RunRow, 'id' | 'lastNotifiedAt' | 'acknowledgedAt' | 'acknowledgedBy' | 'endedAt' | 'hops'>): Promise<RunRow> =>
    x.insertInto('escalationRun').values(r).returningAll().executeTakeFirstOrThrow(),

  updateRun: (x: Executor, id: string, set: Partial<Omit<RunRow, 'id' | 'incidentId'>>) =>
    x.updateTable('escalationRun').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow(),

  /** Runs whose next level is due (unlocked: the caller locks the incident, then re-reads the run). */
  dueIds: (x: Executor, now: Date, limit: number) =>
    x.selectFrom('escalationRun').select(['id', 'incidentId']).where('state', '=', 'active').where('nextAt', '<=', now)
      .orderBy('nextAt').limit(limit).execute(),

  /** Alerts of these severities still new since before `before` that have not paged anyone, locked (others skip them). */
  unpagedAlerts: (x: Executor, severities: AlertSeverity[], before: Date, limit: number) =>
    x.selectFrom('alert').innerJoin('intakeSource', 'intakeSource.id', 'alert.sourceId')
      .select(['alert.id', 'alert.reference', 'alert.title', 'alert.severity', 'intakeSource.name as sourceName'])
      .where('alert.status', '=', 'new').where('alert.pagedAt', 'is', null)
      .where('alert.severity', 'in', severities).where('alert.createdAt', '<=', before)
      .orderBy('alert.createdAt').limit(limit).forUpdate('alert').skipLocked().execute(),

  async markPaged(x: Executor, alertId: string, at: Date, data: { users: number; fallback: boolean }): Promise<void> {
    await x.updateTable('alert').set({ pagedAt: at }).where('id', '=', alertId).execute();
    await x.insertInto('alertEvent').values({ alertId, at, actorId: null, actor: 'vigil', kind: 'paged', data: JSON.stringify(data) }).execute();
  },

  /** Users holding a role in the incident (active accounts only). */
  roleHolders: async (x: Executor, incidentId: string, role: string): Promise<string[]> =>
    (await x.selectFrom('incidentRole').innerJoin('appUser', 'appUser.id', 'incidentRole.userId')
      .select('incidentRole.userId').where('incidentRole.incidentId', '=', incidentId).where(sql<boolean>`incident_role.role = ${role}`)
      .where('appUser.disabledAt', 'is', null).execute()).map((r) => r.userId),

  /** Which of these users exist and are not disabled. */
  activeUsers: async (x: Executor, ids: string[]): Promise<string[]> =>
    ids.length === 0 ? [] : (await x.selectFrom('appUser').select('id').where('id', 'in', ids).where('disabledAt', 'is', null).execute()).map((r) => r.id),
};
