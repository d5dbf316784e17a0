import type { Db } from '../../db/index.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { incidentScope } from '../../lib/authz/incidents.ts';
import { authorize } from '../../lib/authz/policy.ts';
import { VigilError } from '../../lib/errors.ts';
import type { AuditService } from '../audit/index.ts';
import { lockVisible } from '../../lib/authz/access.repo.ts';
import { findVisibleIncident, type IncidentDeps, recorder } from '../incidents/index.ts';
import { validateCalendar, type SlaCalendar } from './clock.ts';
import { incidentClocks, milestones } from './clocks.ts';
import type { SlaProjection } from './projection.ts';
import { slaRepo, type SlaPolicyRow, type SlaPolicyWrite } from './repo.ts';

/** SLA policies, and each incident's clocks computed from its events. */
export function createSlaService(d: { db: Db; audit: AuditService; clock: Clock; incidents: IncidentDeps; projection: SlaProjection }) {
  const record = recorder(d.incidents);

  async function check(x: Db | Parameters<typeof slaRepo.policies>[0], p: SlaPolicyWrite, exceptId: string | null) {
    const problems = validateCalendar(p.calendar as SlaCalendar);
    if (problems.length) throw new VigilError('VIG_SLA_CALENDAR_INVALID', { problems });
    if (!p.acknowledgeMinutes && !p.firstResponseMinutes && !p.containmentMinutes && !p.resolutionMinutes) {
      throw new VigilError('VIG_SLA_CALENDAR_INVALID', { problems: ['set at least one target'] });
    }
    if (p.constituentId && !(await slaRepo.constituentExists(x, p.constituentId))) throw new VigilError('VIG_CONSTITUENT_NOT_FOUND', { id: p.constituentId });
    if (await slaRepo.clash(x, p, exceptId)) throw new VigilError('VIG_SLA_POLICY_EXISTS', { priority: p.priority, constituentId: p.constituentId });
  }

  return {
    async list(actor: Actor): Promise<SlaPolicyRow[]> {
      authorize(actor, 'sla.read');
      return slaRepo.policies(d.db);
    },

    async create(actor: Actor, input: SlaPolicyWrite): Promise<SlaPolicyRow> {
      authorize(actor, 'sla.manage');
      return d.db.transaction().execute(async (tx) => {
        await check(tx, input, null);
        const id = await slaRepo.insert(tx, input, actor.userId, d.clock.now());
        const row = (await slaRepo.policy(tx, id))!;
        await d.audit.record(tx, actor, { action: 'sla.policy_created', entity: 'sla_policy', entityId: id, after: row });
        // The open incidents' clocks under the new policy, in this transaction (see docs/sla.md).
        await d.projection.refreshOpen(tx, [row.priority], d.clock.now());
        return row;
      });
    },

    async update(actor: Actor, id: string, input: SlaPolicyWrite & { version: number }): Promise<SlaPolicyRow> {
      authorize(actor, 'sla.manage');
      return d.db.transaction().execute(async (tx) => {
        const before = await slaRepo.policy(tx, id, true);
        if (!before) throw new VigilError('VIG_SLA_POLICY_NOT_FOUND', { id });
        if (before.version !== input.version) throw new VigilError('VIG_SLA_POLICY_VERSION_CONFLICT', { id, yourVersion: input.version, currentVersion: before.version, current: before });
        const { version: _v, ...write } = input;
        await check(tx, write, id);
        await slaRepo.update(tx, id, write, actor.userId, d.clock.now());
        const after = (await slaRepo.policy(tx, id))!;
        await d.audit.record(tx, actor, { action: 'sla.policy_updated', entity: 'sla_policy', entityId: id, before, after });
        await d.projection.refreshOpen(tx, [before.priority, after.priority], d.clock.now());
        return after;
      });
    },

    async remove(actor: Actor, id: string): Promise<void> {
      authorize(actor, 'sla.manage');
      await d.db.transaction().execute(async (tx) => {
        const before = await slaRepo.policy(tx, id, true);
        if (!before) throw new VigilError('VIG_SLA_POLICY_NOT_FOUND', { id });
        await slaRepo.remove(tx, id);
        await d.audit.record(tx, actor, { action: 'sla.policy_deleted', entity: 'sla_policy', entityId: id, before });
        await d.projection.refreshOpen(tx, [before.priority], d.clock.now());
      });
    },

    /** The incident's clocks under the policy that applies to it now (null: no policy for its priority). */
    async clocks(actor: Actor, idOrRef: string) {
      const inc = await findVisibleIncident(d.db, incidentScope(actor), idOrRef);
      if (!inc) throw new VigilError('VIG_INCIDENT_NOT_FOUND', { id: idOrRef });
      const policy = await slaRepo.policyFor(d.db, inc.priority, inc.constituent, inc.createdAt);
      if (!policy) return { policy: null, paused: false, clocks: [] };
      const now = d.clock.now();
      const { paused, clocks } = incidentClocks(inc, await slaRepo.clockEvents(d.db, inc.id), policy, now);
      return { policy, paused, clocks };
    },

    /** Stops the clocks while the team waits on the constituent (an incident event). */
    async pause(actor: Actor, idOrRef: string, reason: string) {
      return d.db.transaction().execute(async (tx) => {
        const inc = await lockVisible(tx, actor, incidentScope(actor), idOrRef, 'incident.update');
        if (inc.status === 'closed') throw new VigilError('VIG_INCIDENT_CLOSED', { id: inc.id });
        if (milestones(inc, await slaRepo.clockEvents(tx, inc.id)).paused) throw new VigilError('VIG_SLA_PAUSE_STATE', { paused: true });
        await record(tx, actor, inc.id, 'sla.paused', { reason });
      });
    },

    async resume(actor: Actor, idOrRef: string) {
      return d.db.transaction().execute(async (tx) => {
        const inc = await lockVisible(tx, actor, incidentScope(actor), idOrRef, 'incident.update');
        if (!milestones(inc, await slaRepo.clockEvents(tx, inc.id)).paused) throw new VigilError('VIG_SLA_PAUSE_STATE', { paused: false });
        await record(tx, actor, inc.id, 'sla.resumed', {});
      });
    },
  };
}
export type SlaService = ReturnType<typeof createSlaService>;
