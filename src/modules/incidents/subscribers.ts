import type { Executor } from '../../db/index.ts';
import type { IncidentEventRow } from '../../db/schema.ts';

/** One subscriber of incident events: called in the transaction of every event recorded. */
export type IncidentEventSubscriber = (tx: Executor, event: IncidentEventRow) => Promise<unknown>;

/**
 * The subscribers of incident events, in the order they run (each after the one before has
 * finished, in the event's transaction):
 *
 * 1. `slaProjection` first: it keeps the `sla_clock` rows, and the `sla.breached` it records for a
 *    clock met late must come right after the event that met it, before anything the later
 *    subscribers record; escalation reads those clocks (an SLA warning or breach starts a run).
 * 2. `reporterUpdates`: queues the reporters' update mails (the delivery worker renders them).
 * 3. `notifications`: queues the team's notifications (the delivery worker addresses them).
 * 4. `escalation` last: it may record further events (escalation.started, escalation.level),
 *    whose own dispatch then runs the whole list again; the events of this one are all handled
 *    by then. It runs in its slot for every event, a declaration numbered at commit included: its
 *    pages are queued as facts (the incident's id) and rendered by the delivery worker after the
 *    commit, so nothing it writes needs the final reference, and the year's reference counter is
 *    taken as the transaction's last statement but the audit append (`declare`,
 *    src/modules/incidents/service.ts).
 */
export const SUBSCRIBER_ORDER = ['slaProjection', 'reporterUpdates', 'notifications', 'escalation'] as const;
export type SubscriberName = (typeof SUBSCRIBER_ORDER)[number];

export interface IncidentEventSubscribers {
  /** Runs every subscriber in order for the event, in its transaction. */
  dispatch(tx: Executor, event: IncidentEventRow): Promise<void>;
  /** Binds the subscribers (once: they are made after the services that record events through the list). */
  bind(subscribers: Record<SubscriberName, IncidentEventSubscriber>): void;
  /** The names in the order they run. */
  readonly order: readonly SubscriberName[];
}

export function createIncidentEventSubscribers(): IncidentEventSubscribers {
  let bound: { name: SubscriberName; run: IncidentEventSubscriber }[] | undefined;
  return {
    order: SUBSCRIBER_ORDER,
    bind(subscribers) {
      if (bound) throw new Error('incident event subscribers are bound once');
      bound = SUBSCRIBER_ORDER.map((name) => ({ name, run: subscribers[name] }));
    },
    async dispatch(tx, event) {
      if (!bound) throw new Error('incident event subscribers are not bound');
      for (const s of bound) await s.run(tx, event);
    },
  };
}
