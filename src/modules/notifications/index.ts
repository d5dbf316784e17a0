// Notifications: users' channels (e-mail, webhooks), rendering and delivering what incident events
// tell them.
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files).
import type { Executor } from '../../db/index.ts';
import { notificationRepo } from './repo.ts';

export type { NotificationOutbox } from './outbox.ts';

/** Whether a notification channel with this id exists and is enabled (an escalation step may page it). */
export const channelEnabled = async (x: Executor, id: string) => (await notificationRepo.enabledChannels(x, [id])).length > 0;
