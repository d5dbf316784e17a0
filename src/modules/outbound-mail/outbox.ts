import type { Executor } from '../../db/index.ts';
import type { MailKind, ReportChannel } from '../../db/schema.ts';
import type { Clock } from '../../lib/actor.ts';
import type { SettingsService } from '../settings/index.ts';
import { messageIdDomain, newMessageId, ownAddresses, unanswerable } from './addresses.ts';
import { deliveries, incidentEventQueue, PermanentDeliveryError, queuedWorkHandler } from '../delivery/index.ts';
import { mailRepo, type DeliveryRow } from './repo.ts';
import { DEFAULT_TEMPLATES, headerSafe, PUBLIC_STATUS_TEXT, render, templateIssues, type Template, type Vars } from './templates.ts';

/** Channels whose reporters get a receipt: they wrote to us themselves and expect an answer. */
const RECEIPT_CHANNELS: ReadonlySet<ReportChannel> = new Set(['email', 'web_form', 'portal']);
/** Incident events that change its state as a reporter sees it. */
const STATE_EVENTS = new Set(['incident.status_changed', 'incident.closed', 'incident.reopened']);
/** At most this many receipts to one address per hour: an auto-responder that escapes every other check cannot loop. */
export const RECEIPTS_PER_HOUR = 5;
/** The delivery kind of a report's receipt queued as facts: the delivery worker writes the message. */
export const QUEUED_RECEIPT = 'reporter_mail.receipt';

/** What a queued receipt keeps until the worker writes it (the status link only until then). */
interface QueuedReceipt {
  reportId: string;
  to: string;
  statusUrl: string | null;
}

/** What a channel knows about a report beyond its row. */
export interface ReceivedExtras {
  /**
   * The message must not be answered automatically: it said `Auto-Submitted` (other than "no"),
   * `Precedence: bulk|junk|list`, came with an empty MAIL FROM (a bounce), or similar.
   */
  autoSubmitted?: boolean | undefined;
  /** The reporter's private status link (web form), put in the receipt; never kept once sent. */
  statusUrl?: string | null | undefined;
}

/** The part of a report the outbox reads. */
export interface ReceivedReport {
  id: string;
  reference: string;
  title: string;
  channel: ReportChannel;
  reporterEmail: string | null;
}

/** The part of an incident event the outbox reads. */
export interface RecordedEvent {
  id: number | string;
  incidentId: string;
  kind: string;
  data?: Record<string, unknown>;
}

/** Whether an incident event left the incident closed. */
const closes = (e: RecordedEvent) => e.kind === 'incident.closed' || (e.kind === 'incident.status_changed' && e.data?.to === 'closed');

/** Current templates: the admins' versions where they made one, the defaults otherwise. */
export async function currentTemplates(x: Executor): Promise<Record<MailKind, Template & { isDefault: boolean }>> {
  const rows = new Map((await mailRepo.templates(x)).map((r) => [r.kind, r]));
  const pick = (kind: MailKind) => {
    const r = rows.get(kind);
    return r ? { subject: r.subject, body: r.body, isDefault: false } : { ...DEFAULT_TEMPLATES[kind], isDefault: true };
  };
  return { receipt: pick('receipt'), update: pick('update') };
}

/**
 * The outbox side of outgoing mail: the hooks the report and incident services call inside their
 * own transactions, so a message is enqueued exactly when (and only if) its cause commits.
 */
export function createMailOutbox(d: { settings: SettingsService; clock: Clock; from: string; accept: string }) {
  const domain = messageIdDomain(d.from);
  const own = ownAddresses(d.from, d.accept);

  return {
    /**
     * A receipt for a new report, when its reporter wrote to us and may be answered: queued as
     * facts in the report's transaction (one insert: no template read, nothing rendered), and
     * written by the delivery worker after the commit (`writeReceipt`). A receipt template that
     * does not render then fails that delivery, never the report.
     */
    async reportReceived(tx: Executor, report: ReceivedReport, extras: ReceivedExtras = {}): Promise<{ id: string } | undefined> {
      if (!RECEIPT_CHANNELS.has(report.channel) || extras.autoSubmitted) return undefined;
      const to = report.reporterEmail?.trim().toLowerCase();
      if (!to || unanswerable(to, own)) return undefined;
      const receipt: QueuedReceipt = { reportId: report.id, to, statusUrl: extras.statusUrl ? headerSafe(extras.statusUrl) : null };
      return deliveries.enqueue(tx, {
        kind: QUEUED_RECEIPT, dedupeKey: report.id, via: 'internal', recipient: to, summary: `receipt for ${report.reference}`,
        payload: { receipt }, createdAt: d.clock.now(),
      });
    },

    /**
     * Writes a queued receipt (the delivery worker, in order, after the report committed): the
     * message from the template in force, to go out through the relay as `reporter_mail`. None
     * when the address had RECEIPTS_PER_HOUR receipts in the last hour (an auto-responder loop).
     * Returns how many messages it wrote (0 or 1).
     */
    async writeReceipt(tx: Executor, r: QueuedReceipt): Promise<number> {
      const now = d.clock.now();
      if ((await mailRepo.receiptsSince(tx, r.to, new Date(now.getTime() - 3_600_000))) >= RECEIPTS_PER_HOUR) return 0;
      const report = await mailRepo.reportForReceipt(tx, r.reportId);
      if (!report) throw new PermanentDeliveryError(`the report ${r.reportId} is no longer stored`);
      const template = (await currentTemplates(tx)).receipt;
      const issues = templateIssues(template, 'receipt');
      if (issues.length) throw new PermanentDeliveryError(`the receipt template does not render: ${issues.map((i) => i.message).join('; ')}`);
      const statusUrl = r.statusUrl ?? '';
      const team = await d.settings.current(tx);
      const vars: Vars = {
        reference: report.reference, title: report.title, teamName: team.teamName, statusUrl,
        publicStatus: PUBLIC_STATUS_TEXT.received!, incidentReference: '',
      };
      const msg = render(template, vars, statusUrl ? ['statusUrl'] : []);
      const row = await mailRepo.enqueue(tx, {
        kind: 'receipt', reportId: report.id, incidentId: null, eventKey: 'receipt', publicStatus: 'received',
        recipient: r.to, subject: msg.subject, body: msg.body, statusUrl: statusUrl || null,
        messageId: newMessageId(domain), inReplyTo: null, createdAt: now,
      });
      return row ? 1 : 0;
    },

    /**
     * The work of an incident event, done by the delivery worker after the event committed (see
     * `updatesQueue`): when it changed the incident's state, an update to each reporter on it who
     * asked for updates, if what they see (received, being handled, closed) changed since the last
     * message they got. Keyed by the event, so it is enqueued once.
     */
    async updatesFor(tx: Executor, event: RecordedEvent): Promise<DeliveryRow[]> {
      if (!STATE_EVENTS.has(event.kind)) return [];
      const out: DeliveryRow[] = [];
      const reports = await mailRepo.reportsWantingUpdates(tx, event.incidentId);
      if (reports.length === 0) return out;
      const now = d.clock.now();
      const team = await d.settings.current(tx);
      const template = (await currentTemplates(tx)).update;
      for (const r of reports) {
        const to = r.reporterEmail!.trim().toLowerCase();
        if (unanswerable(to, own)) continue;
        // What the event made of the incident (not its state now: later events are worked after it, in order).
        const status = closes(event) ? 'closed' : 'in_progress';
        if (((await mailRepo.lastUpdateStatus(tx, r.id)) ?? 'received') === status) continue;
        const vars: Vars = {
          reference: r.reference, title: r.title, teamName: team.teamName, statusUrl: '',
          publicStatus: PUBLIC_STATUS_TEXT[status]!, incidentReference: r.incidentReference,
        };
        const msg = render(template, vars);
        const row = await mailRepo.enqueue(tx, {
          kind: 'update', reportId: r.id, incidentId: event.incidentId, eventKey: String(event.id), publicStatus: status,
          recipient: to, subject: msg.subject, body: msg.body, statusUrl: null,
          messageId: newMessageId(domain), inReplyTo: (await mailRepo.receiptMessageId(tx, r.id)) ?? null,
          createdAt: now,
        });
        if (row) out.push(row);
      }
      return out;
    },
  };
}
export type MailOutbox = ReturnType<typeof createMailOutbox>;

/**
 * The incident event subscriber of reporter mail (`subscriber`: it only queues the event in the
 * incident's transaction) and the handler that makes the updates afterwards.
 */
export function reporterUpdatesQueue(outbox: MailOutbox, clock: Clock) {
  return incidentEventQueue({
    name: 'reporter_mail', recipient: 'reporters on the incident', clock,
    wants: (kind) => STATE_EVENTS.has(kind),
    work: async (tx, e) => (await outbox.updatesFor(tx, e)).length,
  });
}

/**
 * The handler of queued receipts: writes each receipt's message in the delivery worker. The
 * status link leaves the queued facts once the message that carries it is written (the message
 * keeps it until the relay accepted it).
 */
export function receiptsHandler(outbox: MailOutbox) {
  return queuedWorkHandler(QUEUED_RECEIPT, (tx, d) => outbox.writeReceipt(tx, (d.payload as { receipt: QueuedReceipt }).receipt), {
    onSent: async (tx, d) => {
      const { receipt } = d.payload as { receipt: QueuedReceipt };
      if (receipt.statusUrl) await deliveries.setPayload(tx, d.id, { receipt: { ...receipt, statusUrl: null } });
    },
  });
}
