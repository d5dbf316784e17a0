import type { Executor } from '../../db/index.ts';
import type { NotificationDeliveryRow, NotificationMedium } from '../../db/schema.ts';
import type { Clock } from '../../lib/actor.ts';
import { VigilError } from '../../lib/errors.ts';
import { RESTRICTED_TLP } from '../../lib/tlp.ts';
import { accessRepo } from '../../lib/authz/access.repo.ts';
import type { SettingsService } from '../settings/index.ts';
import { EVENT_SPECS, isEvent, type NotificationEvent, type Template } from './events.ts';
import { render, templateIssues } from './render.ts';
import { deliveries, incidentEventQueue, PermanentDeliveryError, queuedWorkHandler } from '../delivery/index.ts';
import { notificationRepo, type NewDelivery } from './repo.ts';

/** Who gets a notification: a user (by their preferences), a configured channel, or an address. */
export type Recipient =
  | { user: string }
  | { channel: string }
  | { email: string }
  /** Every enabled channel subscribed to the event kind. */
  | { subscribers: true };

export interface EnqueueInput {
  event: NotificationEvent;
  /**
   * What makes this notification unique, e.g. `escalation:<incidentId>:<level>:<round>`. With the
   * recipient and medium it is enqueued at most once, however often the caller retries.
   */
  dedupeKey: string;
  /** Template variables; `teamName` and `link` are filled in by Vigil. Unknown names are refused. */
  vars?: Record<string, string | number | null | undefined>;
  /** A path in the web app (/incidents/…) or an absolute http(s) URL. */
  link?: string | null;
  recipients: Recipient[];
}

/**
 * A notification queued as facts in the caller's transaction and rendered by the delivery worker
 * after it commits (escalation pages, alert pages): a template that does not render then fails
 * that delivery, never the caller's change, and the incident's variables are read when rendering
 * (so a page of an incident numbered at commit names its final reference).
 */
export interface QueuedNotice extends EnqueueInput {
  /**
   * The incident whose reference, title (with "[EXERCISE] " for an exercise), priority and TLP
   * fill `incidentReference`, `incidentTitle`, `priority` and `tlp`, and whose page is the link
   * when none is given. `title`: `shown`; `hidden` (recipients without a need to know: the
   * reference only); `by_tlp` (hidden when the incident is TLP:RED or AMBER+STRICT then).
   */
  incident?: { id: string; title: 'shown' | 'hidden' | 'by_tlp' } | undefined;
}

/** The delivery kind of a queued notification (its facts are the delivery's payload). */
export const QUEUED_NOTICE = 'notification.page';
const INCIDENT_VARS = ['incidentReference', 'incidentTitle', 'priority', 'tlp'];

export interface EnqueueResult {
  /** Deliveries written now. */
  queued: NotificationDeliveryRow[];
  /** Deliveries that already existed under this key (a retried enqueue). */
  duplicates: number;
}

/** The preference of a user with no row for the event: in-app and e-mail. */
export const DEFAULT_PREFERENCE = { email: true, inApp: true } as const;

const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$/;

/** The template in force for an event: the admins' version, else the default. */
export async function currentTemplate(x: Executor, event: NotificationEvent): Promise<Template & { isDefault: boolean; version: number }> {
  const row = await notificationRepo.template(x, event);
  return row ? { subject: row.subject, body: row.body, isDefault: false, version: row.version } : { ...EVENT_SPECS[event].template, isDefault: true, version: 0 };
}

/**
 * The enqueue side of notifications, called by other modules inside their own transaction. It only
 * inserts rows: nothing here talks to the relay or a webhook, so an unreachable one never slows
 * or fails the caller's work.
 */
export function createNotificationOutbox(d: {
  settings: SettingsService; clock: Clock; publicUrl?: string | undefined;
  /** Who hears of an unassigned incident's SLA warning or breach (on duty, else management). */
  onDuty?: ((x: Executor, at: Date) => Promise<string[]>) | undefined;
}) {
  const absolute = (link: string | null | undefined): string | null => {
    if (!link) return null;
    if (/^https?:\/\//i.test(link)) return link;
    if (!link.startsWith('/')) return null;
    return d.publicUrl ? `${d.publicUrl.replace(/\/+$/, '')}${link}` : link;
  };

  /** What a caller got wrong (a programming error): refused in its transaction. Returns the dedupe key. */
  function check(input: EnqueueInput): string {
    if (!isEvent(input.event)) throw new VigilError('VIG_NOTIFICATION_INVALID', { errors: [{ path: 'event', message: `unknown event kind ${String(input.event)}` }] });
    const key = input.dedupeKey.trim();
    if (!key || key.length > 200) throw new VigilError('VIG_NOTIFICATION_INVALID', { errors: [{ path: 'dedupeKey', message: '1 to 200 characters' }] });
    const spec = EVENT_SPECS[input.event];
    const unknown = Object.keys(input.vars ?? {}).filter((k) => !spec.variables.includes(k));
    if (unknown.length) throw new VigilError('VIG_NOTIFICATION_INVALID', { errors: unknown.map((k) => ({ path: `vars.${k}`, message: `not a variable of ${input.event}` })) });
    for (const r of input.recipients) {
      if ('email' in r && !EMAIL.test(r.email.trim().toLowerCase())) throw new VigilError('VIG_NOTIFICATION_INVALID', { errors: [{ path: 'recipients.email', message: 'not an e-mail address' }] });
    }
    return key;
  }

  async function enqueue(tx: Executor, input: EnqueueInput, o: { strict?: boolean } = {}): Promise<EnqueueResult> {
    const key = check(input);

    const now = d.clock.now();
    const team = await d.settings.current(tx);
    const link = absolute(input.link);
    const vars: Record<string, string> = { teamName: team.teamName, link: link ?? '' };
    for (const [k, v] of Object.entries(input.vars ?? {})) if (v !== null && v !== undefined && k !== 'teamName' && k !== 'link') vars[k] = String(v).slice(0, 2000);
    const template = await currentTemplate(tx, input.event);
    // Queued work (an incident event's notifications) refuses a stored template that no longer
    // fits its event: the delivery fails with the reason, for an admin to see and fix.
    const issues = o.strict ? templateIssues(input.event, template, 'template') : [];
    if (issues.length) throw new PermanentDeliveryError(`the ${input.event} notification template does not render: ${issues.map((i) => i.message).join('; ')}`);
    const msg = render(template, vars);

    // Who, over what: one row per (recipient, medium).
    const rows: Omit<NewDelivery, 'event' | 'dedupeKey' | 'subject' | 'body' | 'link' | 'vars' | 'createdAt'>[] = [];
    const queued = (medium: NotificationMedium, recipient: string, extra: Partial<NewDelivery>) =>
      rows.push({ readAt: null, medium, recipient, userId: null, channelId: null, address: null, status: 'queued', ...extra });

    const userIds = [...new Set(input.recipients.flatMap((r) => ('user' in r ? [r.user] : [])))];
    const users = await notificationRepo.users(tx, userIds);
    const prefs = new Map((await notificationRepo.preferencesOf(tx, userIds, input.event)).map((p) => [p.userId, p]));
    for (const u of users) {
      const p = prefs.get(u.id) ?? DEFAULT_PREFERENCE;
      // An in-app notification needs no delivery: it is in the inbox the moment it is written.
      if (p.inApp) queued('in_app', `user:${u.id}`, { userId: u.id, status: 'sent' });
      if (p.email && u.email) queued('email', `user:${u.id}`, { userId: u.id, address: u.email });
    }
    const channelIds = new Set(input.recipients.flatMap((r) => ('channel' in r ? [r.channel] : [])));
    if (input.recipients.some((r) => 'subscribers' in r)) for (const c of await notificationRepo.subscribedChannels(tx, input.event)) channelIds.add(c.id);
    for (const c of await notificationRepo.enabledChannels(tx, [...channelIds])) queued('webhook', `channel:${c.id}`, { channelId: c.id });
    for (const r of input.recipients) {
      if (!('email' in r)) continue;
      const address = r.email.trim().toLowerCase();
      if (!EMAIL.test(address)) throw new VigilError('VIG_NOTIFICATION_INVALID', { errors: [{ path: 'recipients.email', message: 'not an e-mail address' }] });
      queued('email', `email:${address}`, { address });
    }

    const out: EnqueueResult = { queued: [], duplicates: 0 };
    for (const r of rows) {
      const row = await notificationRepo.enqueue(tx, {
        ...r, event: input.event, dedupeKey: key, subject: msg.subject, body: msg.body, link, vars: JSON.stringify(vars), createdAt: now,
      });
      if (row) out.queued.push(row);
      else out.duplicates++;
    }
    return out;
  }

  const enqueueStrict = (tx: Executor, input: EnqueueInput) => enqueue(tx, input, { strict: true });

  return {
    enqueue: (tx: Executor, input: EnqueueInput) => enqueue(tx, input),

    /**
     * Queues a notification as facts (event, dedupe key, recipients, variables, the incident) in
     * the caller's transaction: one insert, no template read, no recipient looked up. The delivery
     * worker renders and addresses it after the commit (`renderQueued`). Queued once per dedupe
     * key; false when it was queued before.
     */
    async enqueueLater(tx: Executor, n: QueuedNotice): Promise<boolean> {
      const key = check({ ...n, vars: Object.fromEntries(Object.entries(n.vars ?? {}).filter(([k]) => !(n.incident && INCIDENT_VARS.includes(k)))) });
      const who = [
        n.recipients.filter((r) => 'user' in r).length ? `${n.recipients.filter((r) => 'user' in r).length} team member(s)` : '',
        ...n.recipients.flatMap((r) => ('email' in r ? [r.email.trim().toLowerCase()] : 'channel' in r ? [`channel ${r.channel}`] : 'subscribers' in r ? ['subscribed channels'] : [])),
      ].filter(Boolean).join(', ');
      const row = await deliveries.enqueue(tx, {
        kind: QUEUED_NOTICE, dedupeKey: key, via: 'internal', recipient: who || 'nobody', summary: `${n.event} (${key})`,
        payload: { notice: { ...n, dedupeKey: key } }, createdAt: d.clock.now(),
      });
      return !!row;
    },

    /**
     * Renders and addresses a queued notification (the delivery worker, after the caller's
     * commit): the incident's variables as they are now, the template in force, refused with the
     * reason when it no longer fits its event. Returns how many deliveries it wrote.
     */
    async renderQueued(tx: Executor, n: QueuedNotice): Promise<number> {
      let vars = { ...(n.vars ?? {}) };
      let link = n.link ?? null;
      if (n.incident) {
        const inc = await notificationRepo.incidentSummary(tx, n.incident.id);
        if (!inc) throw new PermanentDeliveryError(`the incident ${n.incident.id} is no longer stored`);
        const hide = n.incident.title === 'hidden' || (n.incident.title === 'by_tlp' && RESTRICTED_TLP.includes(inc.tlp as (typeof RESTRICTED_TLP)[number]));
        vars = {
          ...vars, incidentReference: inc.reference, priority: String(inc.priority), tlp: String(inc.tlp),
          incidentTitle: hide ? '(restricted: see Vigil)' : `${inc.exercise ? '[EXERCISE] ' : ''}${inc.title}`,
        };
        link ??= `/incidents/${inc.reference}`;
      }
      return (await enqueueStrict(tx, { event: n.event, dedupeKey: n.dedupeKey, vars, link, recipients: n.recipients })).queued.length;
    },

    /**
     * The work of an incident event, done by the delivery worker after the event committed (see
     * `notificationsQueue`): a declared incident goes to the channels subscribed to
     * incident.declared; an assignment to the new assignee (by their preferences); an SLA warning or
     * breach of a running clock to the assignee, or, unassigned, to whoever is on duty. Returns how
     * many deliveries it wrote.
     */
    async notifyFor(tx: Executor, e: { id: number | string; incidentId: string; kind: string; actorName: string; data: Record<string, unknown> }): Promise<number> {
      if (!INCIDENT_EVENTS.has(e.kind)) return 0;
      const inc = await notificationRepo.incidentSummary(tx, e.incidentId);
      if (!inc) return 0;
      let n = 0;
      const enqueue = async (input: EnqueueInput) => void (n += (await enqueueStrict(tx, input)).queued.length);
      const vars = { incidentReference: inc.reference, incidentTitle: inc.title, priority: String(inc.priority), tlp: String(inc.tlp), actor: e.actorName };
      // Channels (a chat room, a webhook) have no need to know a RED or AMBER+STRICT incident: its reference only.
      const restricted = RESTRICTED_TLP.includes(inc.tlp as (typeof RESTRICTED_TLP)[number]);
      const forChannels = restricted ? { ...vars, incidentTitle: '(restricted: see Vigil)' } : vars;
      const link = `/incidents/${e.incidentId}`;
      if (e.kind === 'sla.warning' || e.kind === 'sla.breached') {
        // A clock met late is history by now: its breach is on the timeline, nobody is paged for it.
        if (e.data.metAt) return 0;
        const sla = { metric: String(e.data.metric ?? '').replace(/_/g, ' '), deadline: String(e.data.deadline ?? ''), targetMinutes: String(e.data.targetMinutes ?? '') };
        const users = inc.assigneeId ? [inc.assigneeId] : ((await d.onDuty?.(tx, d.clock.now())) ?? []);
        // The assignee has a need to know; of the others, only those with one read a restricted incident's title.
        const knowing = new Set(!inc.assigneeId ? await accessRepo.usersWhoSee(tx, e.incidentId, users) : users);
        const told = users.filter((u) => knowing.has(u));
        const untold = users.filter((u) => !knowing.has(u));
        if (told.length) await enqueue({ event: e.kind, dedupeKey: `incident-event:${e.id}`, vars: { ...vars, ...sla }, link, recipients: told.map((user) => ({ user })) });
        if (untold.length) await enqueue({ event: e.kind, dedupeKey: `incident-event:${e.id}:restricted`, vars: { ...forChannels, ...sla }, link, recipients: untold.map((user) => ({ user })) });
        return n;
      }
      if (e.kind === 'incident.declared') {
        await enqueue({ event: 'incident.declared', dedupeKey: `incident-event:${e.id}`, vars: forChannels, link, recipients: [{ subscribers: true }] });
        return n;
      }
      const to = e.data.to as { id?: string; username?: string } | null | undefined;
      if (!to?.id) return n;
      // The assignee has a need to know; the channels as above.
      await enqueue({ event: 'incident.assigned', dedupeKey: `incident-event:${e.id}`, vars: { ...vars, assignee: to.username ?? '' }, link, recipients: [{ user: to.id }] });
      await enqueue({
        event: 'incident.assigned', dedupeKey: `incident-event:${e.id}:channels`, vars: { ...forChannels, assignee: to.username ?? '' }, link,
        recipients: [{ subscribers: true }],
      });
      return n;
    },
  };
}
export type NotificationOutbox = ReturnType<typeof createNotificationOutbox>;

/** Incident events that notify someone. */
const INCIDENT_EVENTS = new Set(['incident.declared', 'incident.assigned', 'sla.warning', 'sla.breached']);

/**
 * The incident event subscriber of notifications (`subscriber`: it only queues the event in the
 * incident's transaction) and the handler that chooses recipients and renders afterwards.
 */
export function notificationsQueue(outbox: NotificationOutbox, clock: Clock) {
  return incidentEventQueue({
    name: 'notification', recipient: 'the team (preferences, channels)', clock,
    wants: (kind) => INCIDENT_EVENTS.has(kind),
    work: (tx, e) => outbox.notifyFor(tx, e),
  });
}

/** The handler of queued notifications (escalation and alert pages): renders them in the delivery worker. */
export function queuedNoticeHandler(outbox: NotificationOutbox) {
  return queuedWorkHandler(QUEUED_NOTICE, (tx, d) => outbox.renderQueued(tx, (d.payload as { notice: QueuedNotice }).notice));
}
