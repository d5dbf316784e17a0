// Notifications: users' channels (e-mail, webhooks), rendering and delivering what incident events
// tell them.
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files).
export type { NotificationOutbox } from './outbox.ts';
export { notificationRepo } from './repo.ts';
