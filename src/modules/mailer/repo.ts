import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../../db/index.ts';
import type { MailAttemptTable, MailDeliveryTable, MailKind, MailStatus, MailTemplateTable } from '../../db/schema.ts';
import { bracketed } from './addresses.ts';

export type DeliveryRow = Selectable<MailDeliveryTable>;
export type NewDelivery = Insertable<MailDeliveryTable>;
/** A delivery a sender claimed, with the status it had (a 'sending' one was left by a sender whose lease ran out). */
export type ClaimedDelivery = DeliveryRow & { was: MailStatus };

export interface DeliveryFilter {
  status?: MailStatus[] | undefined;
  after?: { createdAt: Date; id: string } | undefined;
  limit: number;
}

/** What the admin list shows of a delivery: no body (it is on the detail). */
const LISTED = [
  'mailDelivery.id', 'mailDelivery.kind', 'mailDelivery.reportId', 'mailDelivery.incidentId', 'mailDelivery.recipient',
  'mailDelivery.subject', 'mailDelivery.messageId', 'mailDelivery.status', 'mailDelivery.attempts', 'mailDelivery.nextAttemptAt',
  'mailDelivery.lastError', 'mailDelivery.sentAt', 'mailDelivery.createdAt', 'mailDelivery.publicStatus',
] as const;

/** All SQL of outgoing mail: the outbox, its attempt log, the templates. */
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
  enqueue: (x: Executor, row: NewDelivery): Promise<DeliveryRow | undefined> =>
    x
      .insertInto('mailDelivery')
      .values(row)
      .onConflict((oc) => oc.columns(['kind', 'reportId', 'eventKey']).doNothing())
      .returningAll()
      .executeTakeFirst(),

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

  /**
   * Claims up to `limit` due deliveries for one sender: queued ones whose time has come, and
   * 'sending' ones whose sender's lease ran out. Rows another sender holds are skipped, never
   * waited for. Each claim counts an attempt and holds the row until `leaseUntil`.
   */
  claimDue: (x: Executor, now: Date, leaseUntil: Date, limit: number): Promise<ClaimedDelivery[]> =>
    x
      .updateTable('mailDelivery')
      .from((eb) =>
        eb
          .selectFrom('mailDelivery')
          .select(['id as dueId', 'status as was'])
          .where('status', 'in', ['queued', 'sending'])
          .where('nextAttemptAt', '<=', now)
          .orderBy('nextAttemptAt')
          .limit(limit)
          .forUpdate()
          .skipLocked()
          .as('due'),
      )
      .set((eb) => ({ status: 'sending', attempts: eb('mailDelivery.attempts', '+', 1), nextAttemptAt: leaseUntil }))
      .whereRef('mailDelivery.id', '=', 'due.dueId')
      .returningAll('mailDelivery')
      .returning('due.was')
      .execute() as Promise<ClaimedDelivery[]>,

  /**
   * Records how a claimed attempt ended, only if the claim still holds (same attempt, still
   * 'sending'): a sender that overran its lease and lost the row changes nothing.
   */
  settle: async (
    x: Executor, id: string, attempt: number,
    patch: { status: MailStatus; nextAttemptAt: Date; lastError: string | null; sentAt: Date | null; clearStatusUrl: boolean },
  ): Promise<boolean> => {
    const r = await x
      .updateTable('mailDelivery')
      .set({
        status: patch.status, nextAttemptAt: patch.nextAttemptAt, lastError: patch.lastError, sentAt: patch.sentAt,
        ...(patch.clearStatusUrl ? { statusUrl: null } : {}),
      })
      .where('id', '=', id)
      .where('status', '=', 'sending')
      .where('attempts', '=', attempt)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  addAttempt: (x: Executor, row: Insertable<MailAttemptTable>) => x.insertInto('mailAttempt').values(row).execute(),

  attempts: (x: Executor, deliveryId: string) =>
    x.selectFrom('mailAttempt').select(['at', 'outcome', 'response', 'smtpCode']).where('deliveryId', '=', deliveryId).orderBy('id').execute(),

  list(x: Executor, f: DeliveryFilter) {
    let q = x.selectFrom('mailDelivery').innerJoin('report', 'report.id', 'mailDelivery.reportId').select([...LISTED, 'report.reference as reportReference']);
    if (f.status?.length) q = q.where('mailDelivery.status', 'in', f.status);
    if (f.after) {
      const { createdAt, id } = f.after;
      q = q.where((eb) => eb.or([eb('mailDelivery.createdAt', '<', createdAt), eb.and([eb('mailDelivery.createdAt', '=', createdAt), eb('mailDelivery.id', '<', id)])]));
    }
    return q.orderBy('mailDelivery.createdAt', 'desc').orderBy('mailDelivery.id', 'desc').limit(f.limit).execute();
  },

  findById: (x: Executor, id: string) =>
    x
      .selectFrom('mailDelivery')
      .innerJoin('report', 'report.id', 'mailDelivery.reportId')
      .select([...LISTED, 'mailDelivery.body', 'mailDelivery.inReplyTo', 'report.reference as reportReference'])
      .where('mailDelivery.id', '=', id)
      .executeTakeFirst(),

  lockById: (x: Executor, id: string) => x.selectFrom('mailDelivery').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),

  /** Puts a delivery back in the queue, due now, with a fresh budget of attempts. */
  requeue: (x: Executor, id: string, now: Date) =>
    x.updateTable('mailDelivery').set({ status: 'queued', attempts: 0, nextAttemptAt: now }).where('id', '=', id).execute(),
};
