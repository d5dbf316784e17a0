// The delivery layer's front door: the outbox other modules enqueue into, the handler contract,
// the SMTP relay and its error classes, the worker, and the admin view of failed deliveries.
export { deliveryRepo, type ClaimedDelivery, type DeliveryRow, type NewDelivery } from './repo.ts';
export { PermanentDeliveryError, type DeliveryHandler, type DeliveryLogger, type HandlerContext, type Outcome } from './types.ts';
export { createRelay, redactUrl, smtpFailure, smtpSent, type Relay } from './smtp.ts';
export { backoffMs, createDeliveryWorker, startDeliveryWorker, type DeliveryWorker, type DeliveryWorkerOptions, type RoundResult } from './worker.ts';
export { incidentEventQueue, queuedWorkHandler, type QueuedIncidentEvent } from './events.ts';
