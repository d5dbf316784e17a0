import type { Db, Executor } from '../../db/index.ts';
import type { ChannelKind } from '../../db/schema.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { authorize } from '../../lib/authz/policy.ts';
import { seal } from '../../lib/crypto.ts';
import { VigilError } from '../../lib/errors.ts';
import { isHttpUrl } from '../../lib/schemas.ts';
import type { AuditService } from '../audit/index.ts';
import { EVENTS, type NotificationEvent } from './events.ts';
import type { NotificationOutbox } from './outbox.ts';
import { notificationRepo } from './repo.ts';
import { deliveries } from '../delivery/index.ts';

export interface ChannelInput {
  name: string;
  kind: ChannelKind;
  url?: string | undefined;
  roomId?: string | null | undefined;
  /** The HMAC key (webhook) or access token (Matrix): undefined keeps it, null removes it. */
  secret?: string | null | undefined;
  events: NotificationEvent[];
  enabled: boolean;
}

/** Slack and Mattermost URLs carry their token in the path: only the origin is ever shown. */
const HIDDEN_PATH: ReadonlySet<ChannelKind> = new Set(['slack', 'mattermost']);
export const shownUrl = (kind: ChannelKind, url: string) => {
  if (!HIDDEN_PATH.has(kind)) return url;
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return '(hidden)';
  }
};

type ChannelRow = NonNullable<Awaited<ReturnType<typeof notificationRepo.channel>>>;
const view = (c: ChannelRow) => ({ ...c, url: shownUrl(c.kind, c.url), hasSecret: Boolean(c.hasSecret) });
/** What the audit trail keeps of a channel: never the secret, nor a hidden URL. */
const audited = (c: { name: string; kind: ChannelKind; url: string; roomId: string | null; events: string[]; enabled: boolean; secretSealed?: string | null }) =>
  ({ name: c.name, kind: c.kind, url: shownUrl(c.kind, c.url), roomId: c.roomId, events: c.events, enabled: c.enabled, hasSecret: !!c.secretSealed });

function checkUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new VigilError('VIG_NOTIFICATION_CHANNEL_INVALID', { errors: [{ path: 'body.url', message: 'not a URL' }] });
  }
  if (!isHttpUrl(url)) throw new VigilError('VIG_NOTIFICATION_CHANNEL_INVALID', { errors: [{ path: 'body.url', message: 'only http and https URLs' }] });
  if (u.username || u.password) throw new VigilError('VIG_NOTIFICATION_CHANNEL_INVALID', { errors: [{ path: 'body.url', message: 'no credentials in the URL; use the secret' }] });
  return u.toString();
}

/** Admins' notification channels: webhooks, Slack, Mattermost and Matrix rooms. */
export function createChannelService(d: { db: Db; audit: AuditService; clock: Clock; secretKey: Buffer; outbox: NotificationOutbox }) {
  const one = async (x: Executor, id: string) => {
    const c = await notificationRepo.channel(x, id);
    if (!c) throw new VigilError('VIG_NOTIFICATION_CHANNEL_NOT_FOUND', { id });
    return view(c);
  };
  const nameFree = async (x: Executor, name: string, id?: string) => {
    const other = await notificationRepo.channelByName(x, name);
    if (other && other.id !== id) throw new VigilError('VIG_NOTIFICATION_CHANNEL_EXISTS', { name });
  };
  const matrixCheck = (kind: ChannelKind, roomId: string | null, hasSecret: boolean) => {
    if (kind !== 'matrix') return;
    const errors = [];
    if (!roomId || !/^![^:\s]+:\S+$/.test(roomId)) errors.push({ path: 'body.roomId', message: 'a Matrix room id: !opaque:server' });
    if (!hasSecret) errors.push({ path: 'body.secret', message: 'a Matrix channel needs an access token' });
    if (errors.length) throw new VigilError('VIG_NOTIFICATION_CHANNEL_INVALID', { errors });
  };

  return {
    async list(actor: Actor) {
      authorize(actor, 'notification.manage');
      return { items: (await notificationRepo.channels(d.db)).map(view), events: [...EVENTS] };
    },

    async get(actor: Actor, id: string) {
      authorize(actor, 'notification.manage');
      return one(d.db, id);
    },

    async create(actor: Actor, input: ChannelInput) {
      authorize(actor, 'notification.manage');
      if (!input.url) throw new VigilError('VIG_NOTIFICATION_CHANNEL_INVALID', { errors: [{ path: 'body.url', message: 'required' }] });
      const url = checkUrl(input.url);
      const roomId = input.kind === 'matrix' ? (input.roomId ?? null) : null;
      matrixCheck(input.kind, roomId, !!input.secret);
      return d.db.transaction().execute(async (tx) => {
        await nameFree(tx, input.name);
        const now = d.clock.now();
        const row = {
          name: input.name, kind: input.kind, url, roomId, secretSealed: input.secret ? seal(d.secretKey, input.secret) : null,
          events: [...new Set(input.events)], enabled: input.enabled, createdAt: now, updatedAt: now,
        };
        const { id } = await notificationRepo.insertChannel(tx, row);
        await d.audit.record(tx, actor, { action: 'notification.channel_created', entity: 'notification_channel', entityId: id, after: audited(row) });
        return one(tx, id);
      });
    },

    async update(actor: Actor, id: string, input: Partial<ChannelInput> & { version: number }) {
      authorize(actor, 'notification.manage');
      return d.db.transaction().execute(async (tx) => {
        const before = await notificationRepo.lockChannel(tx, id);
        if (!before) throw new VigilError('VIG_NOTIFICATION_CHANNEL_NOT_FOUND', { id });
        if (before.version !== input.version) throw new VigilError('VIG_NOTIFICATION_CHANNEL_VERSION_CONFLICT', { current: await one(tx, id) });
        if (input.kind && input.kind !== before.kind && !input.url) {
          throw new VigilError('VIG_NOTIFICATION_CHANNEL_INVALID', { errors: [{ path: 'body.url', message: 'give the URL again when changing the kind' }] });
        }
        if (input.name !== undefined) await nameFree(tx, input.name, id);
        const kind = input.kind ?? before.kind;
        const url = input.url ? checkUrl(input.url) : before.url;
        const roomId = kind === 'matrix' ? (input.roomId !== undefined ? input.roomId : before.roomId) : null;
        const secretSealed = input.secret === undefined ? before.secretSealed : input.secret === null ? null : seal(d.secretKey, input.secret);
        matrixCheck(kind, roomId, !!secretSealed);
        const after = {
          name: input.name ?? before.name, kind, url, roomId, secretSealed,
          events: input.events ? [...new Set(input.events)] : before.events, enabled: input.enabled ?? before.enabled,
        };
        await notificationRepo.updateChannel(tx, id, { ...after, version: before.version + 1, updatedAt: d.clock.now() });
        await d.audit.record(tx, actor, {
          action: 'notification.channel_updated', entity: 'notification_channel', entityId: id, before: audited(before),
          after: { ...audited(after), secretChanged: input.secret !== undefined },
        });
        return one(tx, id);
      });
    },

    /** Deletes a channel; its deliveries stay in the log, the ones still queued fail. */
    async remove(actor: Actor, id: string) {
      authorize(actor, 'notification.manage');
      await d.db.transaction().execute(async (tx) => {
        const before = await notificationRepo.lockChannel(tx, id);
        if (!before) throw new VigilError('VIG_NOTIFICATION_CHANNEL_NOT_FOUND', { id });
        await deliveries.failUnsent(tx, await notificationRepo.unsentOfChannel(tx, id), 'the channel was deleted');
        await notificationRepo.deleteChannel(tx, id);
        await d.audit.record(tx, actor, { action: 'notification.channel_deleted', entity: 'notification_channel', entityId: id, before: audited(before) });
      });
    },

    /** Queues a test message to the channel (the worker sends it; its outcome shows in the log). */
    async test(actor: Actor, id: string) {
      authorize(actor, 'notification.manage');
      return d.db.transaction().execute(async (tx) => {
        const c = await notificationRepo.lockChannel(tx, id);
        if (!c) throw new VigilError('VIG_NOTIFICATION_CHANNEL_NOT_FOUND', { id });
        if (!c.enabled) throw new VigilError('VIG_NOTIFICATION_CHANNEL_DISABLED', { id });
        const now = d.clock.now();
        const r = await d.outbox.enqueue(tx, {
          event: 'test', dedupeKey: `test:${id}:${now.getTime()}:${actor.userId ?? 'system'}`,
          vars: { actor: actor.username, channel: c.name }, link: '/admin/notifications', recipients: [{ channel: id }],
        });
        const delivery = r.queued[0]!;
        await d.audit.record(tx, actor, { action: 'notification.channel_tested', entity: 'notification_channel', entityId: id, after: { deliveryId: delivery.id } });
        return { deliveryId: delivery.id };
      });
    },
  };
}
export type ChannelService = ReturnType<typeof createChannelService>;
