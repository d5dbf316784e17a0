import type { Db, Executor } from '../../db/index.ts';
import type { NotificationMedium, NotificationStatus } from '../../db/schema.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { authorize } from '../../lib/authz/policy.ts';
import { decodeCursor, keysetPage } from '../../lib/cursor.ts';
import { VigilError } from '../../lib/errors.ts';
import type { AuditService } from '../audit/index.ts';
import { EVENT_SPECS, EVENTS, type NotificationEvent, type Template } from './events.ts';
import { currentTemplate, DEFAULT_PREFERENCE } from './outbox.ts';
import { templateIssues } from './render.ts';
import { notificationRepo } from './repo.ts';

const toAfter = ([createdAt, id]: (string | Date)[]) => ({ createdAt: createdAt as Date, id: id as string });
const selfOf = (actor: Actor) => {
  authorize(actor, 'account.manage');
  if (!actor.userId) throw new VigilError('VIG_AUTHZ_FORBIDDEN', { permission: 'account.manage' });
  return actor.userId;
};

/** Templates, the delivery log with retry, and every user's own inbox and preferences. */
export function createNotificationService(d: { db: Db; audit: AuditService; clock: Clock; relayConfigured: boolean }) {
  const templateView = async (x: Executor, event: NotificationEvent) => ({
    event, label: EVENT_SPECS[event].label, variables: [...EVENT_SPECS[event].variables], default: EVENT_SPECS[event].template, ...(await currentTemplate(x, event)),
  });
  const detail = async (x: Executor, id: string) => {
    const row = await notificationRepo.findById(x, id);
    if (!row) throw new VigilError('VIG_NOTIFICATION_DELIVERY_NOT_FOUND', { id });
    return { ...row, attemptLog: await notificationRepo.attempts(x, id) };
  };

  return {
    events: () => EVENTS.map((e) => ({ event: e, label: EVENT_SPECS[e].label })),

    async templates(actor: Actor) {
      authorize(actor, 'notification.manage');
      return { items: await Promise.all(EVENTS.map((e) => templateView(d.db, e))) };
    },

    /** Saves a template (null: back to the default); `version` is the one read (0 for the default). */
    async setTemplate(actor: Actor, event: NotificationEvent, input: { template: Template | null; version: number }) {
      authorize(actor, 'notification.manage');
      if (input.template) {
        const issues = templateIssues(event, input.template);
        if (issues.length) throw new VigilError('VIG_NOTIFICATION_TEMPLATE_INVALID', { errors: issues });
      }
      return d.db.transaction().execute(async (tx) => {
        const locked = await notificationRepo.lockTemplate(tx, event);
        const before = await currentTemplate(tx, event);
        if ((locked?.version ?? 0) !== input.version) throw new VigilError('VIG_NOTIFICATION_TEMPLATE_VERSION_CONFLICT', { current: await templateView(tx, event) });
        if (input.template === null) await notificationRepo.resetTemplate(tx, event);
        else await notificationRepo.putTemplate(tx, { event, ...input.template, version: input.version + 1, updatedBy: actor.userId, updatedAt: d.clock.now() });
        const after = await currentTemplate(tx, event);
        await d.audit.record(tx, actor, {
          action: 'notification.template_updated', entity: 'notification_template', entityId: event,
          before: { subject: before.subject, body: before.body, isDefault: before.isDefault }, after: { subject: after.subject, body: after.body, isDefault: after.isDefault },
        });
        return templateView(tx, event);
      });
    },

    async deliveries(actor: Actor, f: { status?: NotificationStatus[] | undefined; event?: NotificationEvent[] | undefined; medium?: NotificationMedium[] | undefined; recipient?: string | undefined; limit: number; cursor?: string | undefined }) {
      authorize(actor, 'notification.read');
      const after = f.cursor ? toAfter(decodeCursor(f.cursor, 'notification', ['date', 'uuid'])) : undefined;
      const rows = await notificationRepo.list(d.db, { ...f, after, limit: f.limit + 1 });
      const { page, nextCursor } = keysetPage(rows, f.limit, 'notification', (r) => [r.createdAt, r.id]);
      return {
        items: page,
        nextCursor,
        relayConfigured: d.relayConfigured,
      };
    },

    async delivery(actor: Actor, id: string) {
      authorize(actor, 'notification.read');
      return detail(d.db, id);
    },

    /** Sends a queued or failed e-mail / webhook delivery at the next chance, with a fresh budget of attempts. */
    async retry(actor: Actor, id: string) {
      authorize(actor, 'notification.manage');
      return d.db.transaction().execute(async (tx) => {
        const row = await notificationRepo.lockById(tx, id);
        if (!row) throw new VigilError('VIG_NOTIFICATION_DELIVERY_NOT_FOUND', { id });
        if (row.status === 'sent' || row.status === 'sending' || row.medium === 'in_app') {
          throw new VigilError('VIG_NOTIFICATION_DELIVERY_NOT_RETRYABLE', { id, deliveryStatus: row.status });
        }
        await notificationRepo.requeue(tx, id, d.clock.now());
        await d.audit.record(tx, actor, {
          action: 'notification.retried', entity: 'notification_delivery', entityId: id,
          before: { status: row.status, attempts: row.attempts, lastError: row.lastError }, after: { status: 'queued', recipient: row.recipient },
        });
        return detail(tx, id);
      });
    },

    // The signed-in user's own inbox and preferences.
    async inbox(actor: Actor, f: { unread?: boolean | undefined; limit: number; cursor?: string | undefined }) {
      const me = selfOf(actor);
      const after = f.cursor ? toAfter(decodeCursor(f.cursor, 'inbox', ['date', 'uuid'])) : undefined;
      const rows = await notificationRepo.inbox(d.db, me, { unread: f.unread, after, limit: f.limit + 1 });
      const { page, nextCursor } = keysetPage(rows, f.limit, 'inbox', (r) => [r.createdAt, r.id]);
      return {
        items: page,
        unread: await notificationRepo.unread(d.db, me),
        nextCursor,
      };
    },

    async unreadCount(actor: Actor) {
      return { unread: await notificationRepo.unread(d.db, selfOf(actor)) };
    },

    /** Marks some (or all) of one's own notifications read; others' ids are ignored. No audit record: it is one's own inbox. */
    async markRead(actor: Actor, ids: string[] | 'all') {
      const me = selfOf(actor);
      const marked = await notificationRepo.markRead(d.db, me, ids, d.clock.now());
      return { marked, unread: await notificationRepo.unread(d.db, me) };
    },

    async preferences(actor: Actor) {
      const me = selfOf(actor);
      return prefsView(d.db, me);
    },

    async setPreferences(actor: Actor, items: { event: NotificationEvent; email: boolean; inApp: boolean }[]) {
      const me = selfOf(actor);
      return d.db.transaction().execute(async (tx) => {
        const before = await prefsView(tx, me);
        const now = d.clock.now();
        for (const p of items) await notificationRepo.putPreference(tx, { userId: me, event: p.event, email: p.email, inApp: p.inApp, updatedAt: now });
        const after = await prefsView(tx, me);
        await d.audit.record(tx, actor, { action: 'notification.preferences_updated', entity: 'user', entityId: me, before: before.items, after: after.items });
        return after;
      });
    },
  };
}
export type NotificationService = ReturnType<typeof createNotificationService>;

async function prefsView(x: Executor, userId: string) {
  const rows = new Map((await notificationRepo.preferences(x, userId)).map((r) => [r.event, r]));
  return {
    hasEmail: !!(await notificationRepo.emailOf(x, userId)),
    items: EVENTS.filter((e) => e !== 'test').map((e) => {
      const r = rows.get(e);
      return { event: e, label: EVENT_SPECS[e].label, email: r?.email ?? DEFAULT_PREFERENCE.email, inApp: r?.inApp ?? DEFAULT_PREFERENCE.inApp };
    }),
  };
}
