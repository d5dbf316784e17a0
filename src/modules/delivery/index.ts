// The delivery layer's front door: the outbox other modules enqueue into, the handler contract,
// the SMTP relay and its error classes, the worker, and the admin view of failed deliveries.
import type { Executor } from '../../db/index.ts';
import { deliveryRepo, type NewDelivery } from './repo.ts';

export type { ClaimedDelivery, DeliveryRow, NewDelivery } from './repo.ts';
export { PermanentDeliveryError, type DeliveryHandler, type DeliveryLogger, type HandlerContext, type Outcome } from './types.ts';
export { createRelay, redactUrl, smtpFailure, smtpSent, type Relay } from './smtp.ts';
export { backoffMs, createDeliveryWorker, startDeliveryWorker, type DeliveryWorker, type DeliveryWorkerOptions, type RoundResult } from './worker.ts';
export { incidentEventQueue, queuedWorkHandler, type QueuedIncidentEvent } from './events.ts';

/** What other modules do with the outbox (claiming, settling and listing stay the delivery layer's own). */
export const deliveries = {
  /** Adds a delivery in the caller's transaction unless one of the same kind and dedupe key exists (then undefined). */
  enqueue: (x: Executor, d: NewDelivery) => deliveryRepo.enqueue(x, d),
  /** The attempts made at a delivery, oldest first. */
  attempts: (x: Executor, deliveryId: string) => deliveryRepo.attempts(x, deliveryId),
  /** A delivery's row locked (FOR UPDATE) in the caller's transaction, or undefined. */
  lock: (x: Executor, id: string) => deliveryRepo.lockById(x, id),
  /** Replaces what a delivery keeps for its handler (forgets a secret once it is no longer needed). */
  setPayload: (x: Executor, id: string, payload: Record<string, unknown>) => deliveryRepo.setPayload(x, id, payload),
  /** Puts a delivery back in the queue, due now, with a fresh budget of attempts. */
  requeue: (x: Executor, id: string, now: Date) => deliveryRepo.requeue(x, id, now),
  /** Fails those of these deliveries not sent yet (their channel or schedule was deleted). */
  failUnsent: (x: Executor, ids: string[], reason: string) => deliveryRepo.failUnsent(x, ids, reason),
};
