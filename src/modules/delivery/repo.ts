// All SQL of the delivery layer: the one outbox (`delivery`) and its attempt log (`delivery_attempt`).
import { sql, type Selectable } from 'kysely';
import type { Executor } from '../../db/index.ts';
import type { DeliveryAttemptTable, DeliveryStatus, DeliveryTable, DeliveryVia } from '../../db/schema.ts';

export type DeliveryRow = Selectable<DeliveryTable>;
/** A delivery a worker claimed, with the status it had ('sending': its previous sender's lease ran out). */
export type ClaimedDelivery = DeliveryRow & { was: DeliveryStatus };
export type AttemptRow = Pick<Selectable<DeliveryAttemptTable>, 'at' | 'outcome' | 'response' | 'code'>;

export interface NewDelivery {
  kind: string;
  dedupeKey: string;
  via: DeliveryVia;
  recipient: string;
  summary: string;
  payload?: Record<string, unknown>;
  /** 'sent' for a delivery that is done when written (an in-app notification). */
  status?: 'queued' | 'sent';
  /** When it is first due (default: now). */
  dueAt?: Date;
  createdAt: Date;
}

export interface DeliveryFilter {
  kind?: string[] | undefined;
  status?: DeliveryStatus[] | undefined;
  after?: { createdAt: Date; id: string } | undefined;
  limit: number;
}

export const deliveryRepo = {
  /** Adds a delivery unless one of the same kind and dedupe key exists; undefined then. */
  enqueue: async (x: Executor, d: NewDelivery): Promise<{ id: string } | undefined> =>
    x.insertInto('delivery')
      .values({
        kind: d.kind, dedupeKey: d.dedupeKey, via: d.via, recipient: d.recipient.slice(0, 400), summary: d.summary.slice(0, 1000),
        payload: JSON.stringify(d.payload ?? {}), status: d.status ?? 'queued', attempts: 0,
        nextAttemptAt: d.dueAt ?? d.createdAt, sentAt: d.status === 'sent' ? d.createdAt : null, lastError: null, createdAt: d.createdAt,
      })
      .onConflict((oc) => oc.columns(['kind', 'dedupeKey']).doNothing())
      .returning('id')
      .executeTakeFirst(),

  /**
   * Claims up to `limit` due deliveries for one worker: queued ones whose time has come, and
   * 'sending' ones whose sender's lease ran out. Rows another worker holds are skipped, never
   * waited for. Each claim counts an attempt and holds the row until its lease (`leaseUntil`, or
   * the kind's own in `leases`).
   */
  claimDue: (
    x: Executor, now: Date, leaseUntil: Date, limit: number,
    o: { kinds?: readonly string[]; vias?: readonly DeliveryVia[]; leases?: Readonly<Record<string, Date>> } = {},
  ): Promise<ClaimedDelivery[]> => {
    const leases = Object.entries(o.leases ?? {});
    const lease = leases.length
      ? sql<Date>`case ${sql.join(leases.map(([k, at]) => sql`when delivery.kind = ${k} then ${at.toISOString()}::timestamptz`), sql` `)} else ${leaseUntil.toISOString()}::timestamptz end`
      : sql<Date>`${leaseUntil.toISOString()}::timestamptz`;
    return x.updateTable('delivery')
      .from((eb) => {
        let q = eb.selectFrom('delivery').select(['id as dueId', 'status as was'])
          .where('status', 'in', ['queued', 'sending']).where('nextAttemptAt', '<=', now);
        if (o.kinds) q = q.where('kind', 'in', o.kinds.length ? [...o.kinds] : ['-']);
        if (o.vias) q = q.where('via', 'in', o.vias.length ? [...o.vias] : ['internal']);
        return q.orderBy('nextAttemptAt').orderBy('seq').limit(limit).forUpdate().skipLocked().as('due');
      })
      .set((eb) => ({ status: 'sending', attempts: eb('delivery.attempts', '+', 1), nextAttemptAt: lease }))
      .whereRef('delivery.id', '=', 'due.dueId')
      .returningAll('delivery')
      .returning('due.was')
      .execute()
      .then((rows) => (rows as ClaimedDelivery[]).sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1)));
  },

  /**
   * Records how a claimed attempt ended, only if the claim still holds (same attempt, still
   * 'sending'): a sender that overran its lease and lost the row changes nothing.
   */
  settle: async (x: Executor, id: string, attempt: number, p: { status: DeliveryStatus; nextAttemptAt: Date; lastError: string | null; sentAt: Date | null }): Promise<boolean> => {
    const r = await x.updateTable('delivery').set(p)
      .where('id', '=', id).where('status', '=', 'sending').where('attempts', '=', attempt).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  addAttempt: (x: Executor, a: { deliveryId: string; at: Date; outcome: 'sent' | 'deferred' | 'failed' | 'abandoned'; response: string | null; code: number | null }) =>
    x.insertInto('deliveryAttempt').values(a).execute(),

  attempts: (x: Executor, deliveryId: string): Promise<AttemptRow[]> =>
    x.selectFrom('deliveryAttempt').select(['at', 'outcome', 'response', 'code']).where('deliveryId', '=', deliveryId).orderBy('id').execute(),

  list(x: Executor, f: DeliveryFilter) {
    let q = x.selectFrom('delivery').select(['id', 'kind', 'via', 'recipient', 'summary', 'status', 'attempts', 'nextAttemptAt', 'lastError', 'sentAt', 'createdAt']);
    if (f.kind?.length) q = q.where('kind', 'in', f.kind);
    if (f.status?.length) q = q.where('status', 'in', f.status);
    if (f.after) {
      const { createdAt, id } = f.after;
      q = q.where((eb) => eb.or([eb('createdAt', '<', createdAt), eb.and([eb('createdAt', '=', createdAt), eb('id', '<', id)])]));
    }
    return q.orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
  },

  findById: (x: Executor, id: string) => x.selectFrom('delivery').selectAll().where('id', '=', id).executeTakeFirst(),
  lockById: (x: Executor, id: string) => x.selectFrom('delivery').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),

  /** Replaces what a delivery keeps for its handler (forgets a secret once it is no longer needed). */
  setPayload: (x: Executor, id: string, payload: Record<string, unknown>) =>
    x.updateTable('delivery').set({ payload: JSON.stringify(payload) }).where('id', '=', id).execute(),

  /** Puts a delivery back in the queue, due now, with a fresh budget of attempts. */
  requeue: (x: Executor, id: string, now: Date) =>
    x.updateTable('delivery').set({ status: 'queued', attempts: 0, nextAttemptAt: now }).where('id', '=', id).execute(),

  /** Fails deliveries that can no longer go out (their channel or schedule was deleted). */
  failUnsent: (x: Executor, ids: string[], reason: string) =>
    ids.length
      ? x.updateTable('delivery').set({ status: 'failed', lastError: reason }).where('id', 'in', ids).where('status', 'in', ['queued', 'sending']).execute()
      : Promise.resolve([]),
};
