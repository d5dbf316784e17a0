// The SLA watcher: records the warning before a breach (sla.warning) and the breach (sla.breached)
// of running clocks as incident events, once each, from the sla_clock projection. Those events feed
// the 'sla_at_risk' escalation policies and the sla.warning / sla.breached notifications through
// the incident event hook.
//
// - One transaction per clock: the incident is locked first (the order every event takes), then the
//   clock row, and the row is checked again, so two workers, or a crash between clocks, never
//   record an event twice.
// - A clock whose deadline has passed as well gets its breach only: its warning is marked as done
//   (warned_at) without an event of its own.
// - Backfill: each tick also refreshes up to `limit` open incidents that have no sla_clock rows
//   (databases upgraded from before migration 0025), going through them by id and starting over at
//   the end, so incidents no policy applies to never hold up the others.
import type { Db } from '../../db/index.ts';
import type { Clock } from '../../lib/actor.ts';
import { everyTick, type Ticker } from '../../lib/rounds.ts';
import { type IncidentDeps, lockIncident, recorder } from '../incidents/index.ts';
import { SLA_ACTOR, type SlaProjection } from './projection.ts';
import { slaClockRepo } from './repo.ts';

export interface SlaTick {
  warned: number;
  breached: number;
  /** Incidents the backfill gave their clocks. */
  backfilled: number;
}

export function createSlaWatcher(d: { db: Db; clock: Clock; incidents: IncidentDeps; projection: SlaProjection }) {
  const record = recorder(d.incidents);
  let cursor = '';

  async function watchOne(incidentId: string, metric: string, now: Date): Promise<{ warned: number; breached: number }> {
    return d.db.transaction().execute(async (tx) => {
      const out = { warned: 0, breached: 0 };
      const inc = await lockIncident(tx, incidentId);
      const row = await slaClockRepo.lock(tx, incidentId, metric);
      if (!inc || !row || row.metAt || row.paused) return out;
      // Closed some way that moved no clock (an older server): its unmet clocks go.
      if (inc.status === 'closed') {
        await d.projection.refresh(tx, inc.id, now);
        return out;
      }
      const breach = !row.breachedAt && !!row.deadline && row.deadline.getTime() <= now.getTime();
      const warn = !row.warnedAt && !!row.warnAt && row.warnAt.getTime() <= now.getTime();
      if (!breach && !warn) return out;
      const base = { metric: row.metric, deadline: row.deadline?.toISOString() ?? null };
      if (warn && !breach) {
        await record(tx, SLA_ACTOR, inc.id, 'sla.warning', { ...base, warnAt: row.warnAt!.toISOString(), targetMinutes: row.targetMinutes });
        out.warned++;
      }
      if (breach) {
        await record(tx, SLA_ACTOR, inc.id, 'sla.breached', { ...base, targetMinutes: row.targetMinutes });
        out.breached++;
      }
      await slaClockRepo.mark(tx, inc.id, row.metric, { ...(warn ? { warnedAt: now } : {}), ...(breach ? { breachedAt: now } : {}) });
      return out;
    });
  }

  async function backfill(limit: number): Promise<number> {
    const ids = await slaClockRepo.unprojected(d.db, cursor, limit);
    for (const id of ids) await d.db.transaction().execute((tx) => d.projection.refresh(tx, id, d.clock.now()));
    cursor = ids.length < limit ? '' : ids[ids.length - 1]!;
    return ids.length;
  }

  return {
    /** Backfills up to `limit` incidents, then records the warnings and breaches due now (up to `limit` clocks). */
    async tick(limit = 50): Promise<SlaTick> {
      const out: SlaTick = { warned: 0, breached: 0, backfilled: await backfill(limit) };
      const now = d.clock.now();
      for (const c of await slaClockRepo.due(d.db, now, limit)) {
        const r = await watchOne(c.incidentId, c.metric, now);
        out.warned += r.warned;
        out.breached += r.breached;
      }
      return out;
    },
  };
}
export type SlaWatcher = ReturnType<typeof createSlaWatcher>;

export type SlaWorker = Ticker;

/** Runs the watcher every `tickMs` (VIGIL_SLA_TICK_MS); a tick never overlaps the previous one, a failed one is logged. */
export function startSlaWorker(d: { watcher: SlaWatcher; tickMs: number; log: { error(obj: object, msg?: string): void } }): SlaWorker {
  return everyTick('SLA', () => d.watcher.tick(), d.tickMs, d.log);
}
