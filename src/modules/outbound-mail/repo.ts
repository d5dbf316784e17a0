import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../../db/index.ts';
import type { DeliveryStatus, MailDeliveryTable, MailKind, MailStatus, MailTemplateTable } from '../../db/schema.ts';
import { deliveries } from '../delivery/index.ts';
import { bracketed } from './addresses.ts';

/** The delivery kind of one message to a reporter (its state lives in `delivery`, its message in `mail_delivery`). */
export const REPORTER_MAIL = 'reporter_mail';

export type DeliveryRow = Selectable<MailDeliveryTable> & {
  status: DeliveryStatus; attempts: number; nextAttemptAt: Date; lastError: string | null; sentAt: Date | null;
};
export type NewDelivery = Omit<Insertable<MailDeliveryTable>, 'id'>;

export interface DeliveryFilter {
  status?: MailStatus[] | undefined;
  after?: { createdAt: Date; id: string } | undefined;
  limit: number;
}

/** What the admin list shows of a delivery: no body (it is on the detail). */
const LISTED = [
  'mailDelivery.id', 'mailDelivery.kind', 'mailDelivery.reportId', 'mailDelivery.incidentId', 'mailDelivery.recipient',
  'mailDelivery.subject', 'mailDelivery.messageId', 'delivery.status', 'delivery.attempts', 'delivery.nextAttemptAt',
  'delivery.lastError', 'delivery.sentAt', 'mailDelivery.createdAt', 'mailDelivery.publicStatus',
] as const;

/** All SQL of outgoing mail: the messages (their delivery state is the delivery layer's), the templates. */
export const mailRepo = {
  templates: (x: Executor): Promise<Selectable<MailTemplateTable>[]> => x.selectFrom('mailTemplate').selectAll().execute(),

  putTemplate: (x: Executor, row: Insertable<MailTemplateTable>) =>
    x
      .insertInto('mailTemplate')
      .values(row)
      .onConflict((oc) => oc.column('kind').doUpdateSet({ subject: row.subject, body: row.body, updatedBy: row.updatedBy ?? null, updatedAt: row.updatedAt }))
      .execute(),

  resetTemplate: (x: Executor, kind: MailKind) => x.deleteFrom('mailTemplate').where('kind', '=', kind).execute(),

  /** Locks the template rows (a change reads the previous ones for the audit trail). */
  lockTemplates: (x: Executor) => x.selectFrom('mailTemplate').selectAll().forUpdate().execute(),

  /** Adds a delivery unless one with the same (kind, report, event key) exists; undefined then. */
  enqueue: async (x: Executor, row: NewDelivery): Promise<DeliveryRow | undefined> => {
    const d = await deliveries.enqueue(x, {
      kind: REPORTER_MAIL, dedupeKey: `${row.kind}:${row.reportId}:${row.eventKey}`, via: 'smtp',
      recipient: row.recipient, summary: row.subject, createdAt: row.createdAt as Date,
    });
    if (!d) return undefined;
    const detail = await x.insertInto('mailDelivery').values({ ...row, id: d.id }).returningAll().executeTakeFirstOrThrow();
    return { ...detail, status: 'queued', attempts: 0, nextAttemptAt: detail.createdAt, lastError: null, sentAt: null };
  },

  /** What a receipt names of its report. */
  reportForReceipt: (x: Executor, id: string) => x.selectFrom('report').select(['id', 'reference', 'title']).where('id', '=', id).executeTakeFirst(),

  /** The message of a delivery, for its sender. */
  message: (x: Executor, id: string) => x.selectFrom('mailDelivery').selectAll().where('id', '=', id).executeTakeFirst(),

  /** Forgets the private status link once the relay accepted the message that carried it. */
  clearStatusUrl: (x: Executor, id: string) => x.updateTable('mailDelivery').set({ statusUrl: null }).where('id', '=', id).execute(),

  /** How many receipts went to this address since then (a loop breaker). */
  receiptsSince: async (x: Executor, recipient: string, since: Date): Promise<number> => {
    const r = await x
      .selectFrom('mailDelivery')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('kind', '=', 'receipt')
      .where((eb) => eb(eb.fn('lower', ['recipient']), '=', recipient.toLowerCase()))
      .where('createdAt', '>=', since)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },

  /** Reports on this incident whose reporter asked for updates and gave an address, with the incident's state. */
  reportsWantingUpdates: (x: Executor, incidentId: string) =>
    x
      .selectFrom('report')
      .innerJoin('incident', 'incident.id', 'report.incidentId')
      .select(['report.id', 'report.reference', 'report.title', 'report.reporterEmail', 'incident.reference as incidentReference', 'incident.status as incidentStatus'])
      .where('report.incidentId', '=', incidentId)
      .where('report.wantsUpdates', '=', true)
      .where('report.reporterEmail', 'is not', null)
      .where('report.status', 'in', ['linked', 'merged'])
      .orderBy('report.receivedAt')
      .execute(),

  /** What the last update to this report's reporter said (its public status), if one was sent or queued. */
  lastUpdateStatus: async (x: Executor, reportId: string): Promise<string | undefined> =>
    (await x
      .selectFrom('mailDelivery')
      .select('publicStatus')
      .where('reportId', '=', reportId)
      .where('kind', '=', 'update')
      .orderBy('createdAt', 'desc')
      .orderBy((eb) => eb.fn('length', ['eventKey']), 'desc')
      .orderBy('eventKey', 'desc')
      .limit(1)
      .executeTakeFirst())?.publicStatus,

  receiptMessageId: async (x: Executor, reportId: string): Promise<string | undefined> =>
    (await x.selectFrom('mailDelivery').select('messageId').where('reportId', '=', reportId).where('kind', '=', 'receipt').executeTakeFirst())?.messageId,

  /**
   * Which reports these Message-IDs (with or without angle brackets) were sent about: a reply to
   * a receipt or update carries one in In-Reply-To / References, which threads it onto the report.
   * Each match comes back with the id exactly as the caller wrote it.
   */
  reportOfMessageIds: async (x: Executor, ids: readonly string[]): Promise<{ messageId: string; reportId: string }[]> => {
    const given = ids.filter((i) => i.trim());
    if (given.length === 0) return [];
    const rows = await x.selectFrom('mailDelivery').select(['messageId', 'reportId']).where('messageId', 'in', [...new Set(given.map(bracketed))]).execute();
    const reportOf = new Map(rows.map((r) => [r.messageId, r.reportId]));
    return given.flatMap((id) => {
      const reportId = reportOf.get(bracketed(id));
      return reportId ? [{ messageId: id, reportId }] : [];
    });
  },

  /** The attempt log of a delivery (the delivery layer's), as the mail log shows it. */
  attempts: async (x: Executor, deliveryId: string) =>
    (await deliveries.attempts(x, deliveryId)).map((a) => ({ at: a.at, outcome: a.outcome, response: a.response, smtpCode: a.code })),

  list(x: Executor, f: DeliveryFilter) {
    let q = x.selectFrom('mailDelivery').innerJoin('delivery', 'delivery.id', 'mailDelivery.id').innerJoin('report', 'report.id', 'mailDelivery.reportId')
      .select([...LISTED, 'report.reference as reportReference']);
    if (f.status?.length) q = q.where('delivery.status', 'in', f.status);
    if (f.after) {
      const { createdAt, id } = f.after;
      q = q.where((eb) => eb.or([eb('mailDelivery.createdAt', '<', createdAt), eb.and([eb('mailDelivery.createdAt', '=', createdAt), eb('mailDelivery.id', '<', id)])]));
    }
    return q.orderBy('mailDelivery.createdAt', 'desc').orderBy('mailDelivery.id', 'desc').limit(f.limit).execute();
  },

  findById: (x: Executor, id: string) =>
    x
      .selectFrom('mailDelivery')
      .innerJoin('delivery', 'delivery.id', 'mailDelivery.id')
      .innerJoin('report', 'report.id', 'mailDelivery.reportId')
      .select([...LISTED, 'mailDelivery.body', 'mailDelivery.inReplyTo', 'report.reference as reportReference'])
      .where('mailDelivery.id', '=', id)
      .executeTakeFirst(),

  /** The delivery of a message, locked (a retry). */
  lockById: async (x: Executor, id: string) =>
    (await x.selectFrom('mailDelivery').select('id').where('id', '=', id).executeTakeFirst()) ? deliveries.lock(x, id) : undefined,

  /** Puts a delivery back in the queue, due now, with a fresh budget of attempts. */
  requeue: (x: Executor, id: string, now: Date) => deliveries.requeue(x, id, now),
};
