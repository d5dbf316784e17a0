// Tests drive the delivery worker round by round with a test clock: a worker over some kinds (or
// all), and `drainQueued` to do the queued work (reporter updates, notifications, pages, receipts).
import type { TestApp } from '../../../test/app.ts';
import type { Clock } from '../../lib/actor.ts';
import { createDeliveryWorker, type DeliveryWorker, type DeliveryWorkerOptions } from './worker.ts';

export const silentLog = { info() {}, warn() {}, error() {} };

/** A worker on the app's handlers, limited to `kinds` when given. */
export function deliveryWorker(
  t: TestApp, clock: Clock, o: Partial<DeliveryWorkerOptions> & { relayUrl: string | undefined; kinds?: readonly string[] },
): DeliveryWorker {
  const { kinds, ...over } = o;
  const handlers = t.services.deliveryHandlers.filter((h) => !kinds || kinds.includes(h.kind));
  return createDeliveryWorker({ db: t.db.db, clock, handlers, log: silentLog, ...over });
}

/** The kinds of work an incident event queues. */
export const INCIDENT_EVENT_KINDS = ['reporter_mail.incident_event', 'notification.incident_event'] as const;
/** Every kind of queued work: an incident event's, escalation and alert pages, reports' receipts. */
export const QUEUED_WORK_KINDS = [...INCIDENT_EVENT_KINDS, 'notification.page', 'reporter_mail.receipt'] as const;

/**
 * Does the queued work (incident events', pages', receipts': choosing recipients, rendering): the deliveries it makes
 * are then queued (or, in-app, in the inbox). Returns how many were worked.
 */
export async function drainQueued(t: TestApp, clock: Clock): Promise<number> {
  const w = deliveryWorker(t, clock, { relayUrl: undefined, kinds: QUEUED_WORK_KINDS, batch: 200 });
  let n = 0;
  try {
    for (let r = await w.runOnce(); r.claimed > 0; r = await w.runOnce()) n += r.claimed;
  } finally {
    await w.stop();
  }
  return n;
}
