// Work an incident event causes that need not share the incident's transaction (reporter updates,
// team notifications): the subscriber only inserts a queued delivery; the worker does the work
// (choosing recipients, rendering templates) afterwards. A template that does not render then
// fails that delivery, shown in the failed-deliveries view, and never rolls back the analyst's change.
import type { Executor } from '../../db/index.ts';
import type { Clock } from '../../lib/actor.ts';
import { deliveryRepo, type ClaimedDelivery } from './repo.ts';
import { PermanentDeliveryError, type DeliveryHandler } from './types.ts';
import { isDatabaseUnavailable } from '../../db/errors.ts';

/** What of an incident event the queued work keeps. */
export interface QueuedIncidentEvent {
  id: number | string;
  incidentId: string;
  kind: string;
  actorName: string;
  data: Record<string, unknown>;
}

/**
 * A subscriber `(tx, event) => Promise<unknown>` that queues the event for `work` when `wants`
 * accepts its kind, and the handler that does the work later, in a transaction of its own. The
 * kind is `<name>.incident_event`; each event is queued once per name.
 */
export function incidentEventQueue(o: {
  name: string;
  /** Who it is for, in the logs ("reporters on the incident", "the team"). */
  recipient: string;
  clock: Clock;
  wants: (kind: string) => boolean;
  work: (tx: Executor, e: QueuedIncidentEvent) => Promise<number>;
}): { subscriber: (tx: Executor, e: QueuedIncidentEvent) => Promise<unknown>; handler: DeliveryHandler } {
  const kind = `${o.name}.incident_event`;
  return {
    subscriber: async (tx, e) => {
      if (!o.wants(e.kind)) return undefined;
      const event: QueuedIncidentEvent = { id: String(e.id), incidentId: e.incidentId, kind: e.kind, actorName: e.actorName, data: e.data ?? {} };
      return deliveryRepo.enqueue(tx, {
        kind, dedupeKey: String(e.id), via: 'internal', recipient: o.recipient, summary: `${e.kind} (event ${e.id})`,
        payload: { event }, createdAt: o.clock.now(),
      });
    },
    handler: queuedWorkHandler(kind, (tx, d) => o.work(tx, (d.payload as { event: QueuedIncidentEvent }).event)),
  };
}

/**
 * The handler of a kind of queued work (an incident event's, a queued escalation page, a report's
 * receipt): `work` runs in a transaction of its own and returns how many deliveries it wrote. A
 * database that is away, a deadlock or a serialization failure are retried; anything else (a
 * template that does not render) would fail again: failed at once, with its reason.
 */
export function queuedWorkHandler(kind: string, work: (tx: Executor, d: ClaimedDelivery) => Promise<number>, o: Pick<DeliveryHandler, 'onSent'> = {}): DeliveryHandler {
  return {
    kind,
    ...o,
    async deliver(d: ClaimedDelivery, ctx) {
      try {
        const n = await ctx.db.transaction().execute((tx) => work(tx, d));
        return { outcome: 'sent', response: n === 1 ? '1 delivery queued' : `${n} deliveries queued`, code: null };
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (isDatabaseUnavailable(err) || (typeof code === 'string' && code.startsWith('40'))) throw err;
        throw new PermanentDeliveryError(`${err instanceof Error ? err.message : String(err)}`.slice(0, 2000));
      }
    },
  };
}
