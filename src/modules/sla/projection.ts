// Upkeep of the sla_clock projection (migration 0025): where each SLA clock of an incident stands,
// recomputed from its events (clocks.ts) in the transaction of every event that can move a clock,
// of every change to an SLA policy, and by the watcher's backfill. Rebuildable at any time.
//
// - Metrics the policy sets no target for, and every clock of an incident no policy applies to,
//   have no row. A closed incident keeps the rows of the clocks it met; the others go.
// - warned_at and breached_at of a row that persists are kept: the watcher records each once.
// - A clock met late (state met_late) whose row has no breached_at yet gets its sla.breached event
//   here, in the transaction of the event that met it (data: metric, deadline, targetMinutes, metAt).
import type { Executor } from '../../db/index.ts';
import type { IncidentEventRow, Priority } from '../../db/schema.ts';
import { systemActor } from '../../lib/actor.ts';
import { type IncidentDeps, lockIncident, recorder } from '../incidents/index.ts';
import { incidentClocks } from './clocks.ts';
import { slaClockRepo, slaRepo } from './repo.ts';

/** The incident events that can move a clock (start, stop, pause, change its policy or target). */
export const CLOCK_MOVING = new Set([
  'incident.declared', 'incident.status_changed', 'incident.assigned', 'incident.communication', 'incident.key_time_set',
  'incident.closed', 'incident.reopened', 'incident.merged', 'incident.merged_into', 'incident.priority_changed', 'incident.updated',
  'sla.paused', 'sla.resumed', 'escalation.acknowledged',
]);

/** Who records SLA warnings and breaches. */
export const SLA_ACTOR = systemActor('system');

export function createSlaProjection(d: { incidents: IncidentDeps }) {
  const record = recorder(d.incidents);

  /** Recomputes the incident's clocks at `now` and stores them; the caller's transaction. */
  async function refresh(tx: Executor, incidentId: string, now: Date): Promise<void> {
    const inc = await lockIncident(tx, incidentId);
    if (!inc) return;
    const policy = await slaRepo.policyFor(tx, inc.priority, inc.constituent, inc.createdAt);
    if (!policy) {
      await slaClockRepo.removeExcept(tx, inc.id, []);
      return;
    }
    const before = new Map((await slaClockRepo.ofIncident(tx, inc.id)).map((r) => [r.metric, r]));
    const { paused, clocks } = incidentClocks(inc, await slaRepo.clockEvents(tx, inc.id), policy, now);
    const met = (s: string) => s === 'met' || s === 'met_late';
    const kept = clocks.filter((c) => inc.status !== 'closed' || met(c.state));
    const keep = new Set<string>(kept.map((c) => c.metric));
    if ([...before.keys()].some((m) => !keep.has(m))) await slaClockRepo.removeExcept(tx, inc.id, [...keep]);
    const writes: Parameters<typeof slaClockRepo.upsertMany>[2] = [];
    for (const c of kept) {
      const row = before.get(c.metric);
      let breachedAt = row?.breachedAt ?? null;
      if (c.state === 'met_late' && !breachedAt) {
        await record(tx, SLA_ACTOR, inc.id, 'sla.breached', {
          metric: c.metric, deadline: c.deadline?.toISOString() ?? null, targetMinutes: c.targetMinutes, metAt: c.metAt!.toISOString(),
        });
        breachedAt = now;
      }
      // A pause that starts this very instant is open (the engine counts it from the next one): no deadline is known.
      // A clock already overdue stays due, paused or not: its breach is recorded all the same.
      const held = c.state === 'paused' || (paused && c.state === 'running');
      const warnAt = held && c.warningAt && c.warningAt.getTime() > now.getTime() ? null : c.warningAt;
      writes.push({
        metric: c.metric, policyId: policy.id, targetMinutes: c.targetMinutes, deadline: held ? null : c.deadline, warnAt, paused: held,
        metAt: met(c.state) ? c.metAt : null, warnedAt: row?.warnedAt ?? null, breachedAt, computedAt: now,
      });
    }
    await slaClockRepo.upsertMany(tx, inc.id, writes);
  }

  return {
    refresh,

    /** The incident event hook: refreshes the clocks after every event that can move one. */
    async incidentEvent(tx: Executor, e: Pick<IncidentEventRow, 'incidentId' | 'kind'>): Promise<void> {
      if (CLOCK_MOVING.has(e.kind)) await refresh(tx, e.incidentId, d.incidents.clock.now());
    },

    /** After an SLA policy changed: refreshes every open incident of these priorities, in the caller's transaction. */
    async refreshOpen(tx: Executor, priorities: Priority[], now: Date): Promise<number> {
      const ids = await slaClockRepo.openOf(tx, [...new Set(priorities)]);
      for (const id of ids) await refresh(tx, id, now);
      return ids.length;
    },
  };
}
export type SlaProjection = ReturnType<typeof createSlaProjection>;
