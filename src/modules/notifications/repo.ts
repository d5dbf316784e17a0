import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../../db/index.ts';
import type {
  NotificationChannelTable, NotificationDeliveryRow, NotificationDeliveryTable, NotificationMedium, NotificationStatus,
} from '../../db/schema.ts';
import { deliveries } from '../delivery/index.ts';

/** The delivery kind of one notification to one recipient over e-mail or a webhook (in-app ones are 'sent' when written). */
export const NOTIFICATION = 'notification';

export type NewDelivery = Omit<Insertable<NotificationDeliveryTable>, 'id'> & { status: 'queued' | 'sent' };

export interface LogFilter {
  status?: NotificationStatus[] | undefined;
  event?: string[] | undefined;
  medium?: NotificationMedium[] | undefined;
  /** Matches the recipient key or address (case-insensitive substring). */
  recipient?: string | undefined;
  after?: { createdAt: Date; id: string } | undefined;
  limit: number;
}

const LISTED = [
  'notificationDelivery.id', 'event', 'notificationDelivery.dedupeKey', 'medium', 'notificationDelivery.recipient', 'userId', 'channelId', 'address', 'subject', 'link',
  'delivery.status', 'delivery.attempts', 'delivery.nextAttemptAt', 'delivery.lastError', 'delivery.sentAt', 'readAt', 'notificationDelivery.createdAt',
] as const;

/** Channel columns safe to show (no secret). */
const CHANNEL = ['id', 'name', 'kind', 'url', 'roomId', 'events', 'enabled', 'version', 'createdAt', 'updatedAt'] as const;

/** All SQL of notifications. */
export const notificationRepo = {
  /** What an incident notification names of the incident. */
  incidentSummary: (x: Executor, id: string) =>
    x.selectFrom('incident').select(['reference', 'title', 'priority', 'tlp', 'assigneeId', 'exercise']).where('id', '=', id).executeTakeFirst(),

  emailOf: async (x: Executor, userId: string): Promise<string | null> =>
    (await x.selectFrom('appUser').select('email').where('id', '=', userId).executeTakeFirst())?.email ?? null,

  // Channels.
  channels: (x: Executor) =>
    x.selectFrom('notificationChannel').select([...CHANNEL, (eb) => eb('secretSealed', 'is not', null).as('hasSecret')]).orderBy('name').execute(),
  channel: (x: Executor, id: string) =>
    x.selectFrom('notificationChannel').select([...CHANNEL, (eb) => eb('secretSealed', 'is not', null).as('hasSecret')]).where('id', '=', id).executeTakeFirst(),
  channelFull: (x: Executor, id: string): Promise<Selectable<NotificationChannelTable> | undefined> =>
    x.selectFrom('notificationChannel').selectAll().where('id', '=', id).executeTakeFirst(),
  lockChannel: (x: Executor, id: string) => x.selectFrom('notificationChannel').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),
  channelByName: (x: Executor, name: string) => x.selectFrom('notificationChannel').select('id').where('name', '=', name).executeTakeFirst(),
  insertChannel: (x: Executor, row: Insertable<NotificationChannelTable>) => x.insertInto('notificationChannel').values(row).returning('id').executeTakeFirstOrThrow(),
  updateChannel: (x: Executor, id: string, patch: Partial<Insertable<NotificationChannelTable>>) =>
    x.updateTable('notificationChannel').set(patch).where('id', '=', id).execute(),
  channelUsed: async (x: Executor, id: string) => !!(await x.selectFrom('notificationDelivery').select('id').where('channelId', '=', id).limit(1).executeTakeFirst()),
  /** A channel's deliveries that have not gone out yet. */
  unsentOfChannel: async (x: Executor, id: string) =>
    (await x.selectFrom('notificationDelivery').innerJoin('delivery', 'delivery.id', 'notificationDelivery.id').select('notificationDelivery.id')
      .where('channelId', '=', id).where('delivery.status', 'in', ['queued', 'sending']).execute()).map((r) => r.id),
  deleteChannel: (x: Executor, id: string) => x.deleteFrom('notificationChannel').where('id', '=', id).execute(),
  /** Enabled channels that asked for this event kind. */
  subscribedChannels: (x: Executor, event: string) =>
    x.selectFrom('notificationChannel').select(['id', 'enabled']).where('enabled', '=', true).where((eb) => eb(eb.val(event), '=', eb.fn.any('events'))).execute(),
  enabledChannels: (x: Executor, ids: string[]) =>
    ids.length ? x.selectFrom('notificationChannel').select('id').where('id', 'in', ids).where('enabled', '=', true).execute() : Promise.resolve([]),

  // Preferences and templates.
  preferences: (x: Executor, userId: string) => x.selectFrom('notificationPreference').select(['event', 'email', 'inApp']).where('userId', '=', userId).execute(),
  preferencesOf: (x: Executor, userIds: string[], event: string) =>
    userIds.length ? x.selectFrom('notificationPreference').select(['userId', 'email', 'inApp']).where('userId', 'in', userIds).where('event', '=', event).execute() : Promise.resolve([]),
  putPreference: (x: Executor, row: { userId: string; event: string; email: boolean; inApp: boolean; updatedAt: Date }) =>
    x.insertInto('notificationPreference').values(row)
      .onConflict((oc) => oc.columns(['userId', 'event']).doUpdateSet({ email: row.email, inApp: row.inApp, updatedAt: row.updatedAt })).execute(),
  templates: (x: Executor) => x.selectFrom('notificationTemplate').selectAll().execute(),
  template: (x: Executor, event: string) => x.selectFrom('notificationTemplate').selectAll().where('event', '=', event).executeTakeFirst(),
  lockTemplate: (x: Executor, event: string) => x.selectFrom('notificationTemplate').selectAll().where('event', '=', event).forUpdate().executeTakeFirst(),
  putTemplate: (x: Executor, row: { event: string; subject: string; body: string; version: number; updatedBy: string | null; updatedAt: Date }) =>
    x.insertInto('notificationTemplate').values(row)
      .onConflict((oc) => oc.column('event').doUpdateSet({ subject: row.subject, body: row.body, version: row.version, updatedBy: row.updatedBy, updatedAt: row.updatedAt })).execute(),
  resetTemplate: (x: Executor, event: string) => x.deleteFrom('notificationTemplate').where('event', '=', event).execute(),

  /** Active users with their e-mail addresses. */
  users: (x: Executor, ids: string[]) =>
    ids.length ? x.selectFrom('appUser').select(['id', 'username', 'displayName', 'email']).where('id', 'in', ids).where('disabledAt', 'is', null).execute() : Promise.resolve([]),

  // Deliveries.
  /** Adds a delivery unless one with the same (dedupe key, recipient, medium) exists; undefined then. */
  enqueue: async (x: Executor, row: NewDelivery): Promise<NotificationDeliveryRow | undefined> => {
    const { status, ...detail } = row;
    const d = await deliveries.enqueue(x, {
      kind: NOTIFICATION, dedupeKey: `${row.medium}|${row.recipient}|${row.dedupeKey}`,
      via: row.medium === 'email' ? 'smtp' : row.medium === 'webhook' ? 'http' : 'internal',
      recipient: row.address ?? row.recipient, summary: row.subject, status, createdAt: row.createdAt as Date,
    });
    if (!d) return undefined;
    const r = await x.insertInto('notificationDelivery').values({ ...detail, id: d.id }).returningAll().executeTakeFirstOrThrow();
    return { ...r, status, attempts: 0, nextAttemptAt: r.createdAt, lastError: null, sentAt: status === 'sent' ? r.createdAt : null };
  },

  /** The notification of a delivery, for its sender. */
  message: (x: Executor, id: string) => x.selectFrom('notificationDelivery').selectAll().where('id', '=', id).executeTakeFirst(),

  /** The attempt log of a delivery (the delivery layer's). */
  attempts: (x: Executor, deliveryId: string) => deliveries.attempts(x, deliveryId),

  list(x: Executor, f: LogFilter) {
    let q = x.selectFrom('notificationDelivery').innerJoin('delivery', 'delivery.id', 'notificationDelivery.id').select([...LISTED]);
    if (f.status?.length) q = q.where('delivery.status', 'in', f.status);
    if (f.event?.length) q = q.where('event', 'in', f.event);
    if (f.medium?.length) q = q.where('medium', 'in', f.medium);
    if (f.recipient) {
      const like = `%${f.recipient.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) => eb.or([eb(eb.fn('lower', ['notificationDelivery.recipient']), 'like', like), eb(eb.fn('lower', ['address']), 'like', like)]));
    }
    if (f.after) {
      const { createdAt, id } = f.after;
      q = q.where((eb) => eb.or([eb('notificationDelivery.createdAt', '<', createdAt), eb.and([eb('notificationDelivery.createdAt', '=', createdAt), eb('notificationDelivery.id', '<', id)])]));
    }
    return q.orderBy('notificationDelivery.createdAt', 'desc').orderBy('notificationDelivery.id', 'desc').limit(f.limit).execute();
  },
  findById: (x: Executor, id: string): Promise<NotificationDeliveryRow | undefined> =>
    x.selectFrom('notificationDelivery').innerJoin('delivery', 'delivery.id', 'notificationDelivery.id')
      .selectAll('notificationDelivery').select(['delivery.status', 'delivery.attempts', 'delivery.nextAttemptAt', 'delivery.lastError', 'delivery.sentAt'])
      .where('notificationDelivery.id', '=', id).executeTakeFirst(),
  lockById: async (x: Executor, id: string): Promise<NotificationDeliveryRow | undefined> => {
    if (!(await x.selectFrom('delivery').select('id').where('id', '=', id).forUpdate().executeTakeFirst())) return undefined;
    return notificationRepo.findById(x, id);
  },
  requeue: (x: Executor, id: string, now: Date) => deliveries.requeue(x, id, now),

  // The inbox: in-app deliveries of one user.
  inbox(x: Executor, userId: string, f: { unread?: boolean | undefined; after?: { createdAt: Date; id: string } | undefined; limit: number }) {
    let q = x.selectFrom('notificationDelivery').select(['id', 'event', 'subject', 'body', 'link', 'readAt', 'createdAt'])
      .where('userId', '=', userId).where('medium', '=', 'in_app');
    if (f.unread) q = q.where('readAt', 'is', null);
    if (f.after) {
      const { createdAt, id } = f.after;
      q = q.where((eb) => eb.or([eb('createdAt', '<', createdAt), eb.and([eb('createdAt', '=', createdAt), eb('id', '<', id)])]));
    }
    return q.orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
  },
  unread: async (x: Executor, userId: string) =>
    Number((await x.selectFrom('notificationDelivery').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('userId', '=', userId).where('medium', '=', 'in_app').where('readAt', 'is', null).executeTakeFirstOrThrow()).n),
  markRead: async (x: Executor, userId: string, ids: string[] | 'all', now: Date) => {
    let q = x.updateTable('notificationDelivery').set({ readAt: now }).where('userId', '=', userId).where('medium', '=', 'in_app').where('readAt', 'is', null);
    if (ids !== 'all') q = q.where('id', 'in', ids.length ? ids : ['00000000-0000-0000-0000-000000000000']);
    return Number((await q.executeTakeFirst()).numUpdatedRows);
  },
};
