// The admin view of deliveries of every kind (failed ones first of all), with retry.
import type { Db, Executor } from '../../db/index.ts';
import type { DeliveryStatus } from '../../db/schema.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { authorize } from '../../lib/authz/policy.ts';
import { decodeCursor, keysetPage } from '../../lib/cursor.ts';
import { VigilError } from '../../lib/errors.ts';
import { deliveryRepo } from './repo.ts';

/**
 * The part of the audit trail the admin view writes to (a retry is audited). Declared here, and handed
 * in by src/services.ts, because the audit module itself queues deliveries (the anchor mail).
 */
export interface DeliveryAudit {
  record(tx: Executor, actor: Actor, e: { action: string; entity: string; entityId?: string | null; before?: unknown; after?: unknown }): Promise<void>;
}

export function createDeliveryService(d: { db: Db; audit: DeliveryAudit; clock: Clock; relayConfigured: boolean }) {
  return {
    /** Deliveries of every kind, newest first, by kind and state (keyset pages). */
    async list(actor: Actor, f: { kind?: string[] | undefined; status?: DeliveryStatus[] | undefined; limit: number; cursor?: string | undefined }) {
      authorize(actor, 'delivery.manage');
      const after = f.cursor ? toAfter(decodeCursor(f.cursor, 'delivery', ['date', 'uuid'])) : undefined;
      const rows = await deliveryRepo.list(d.db, { kind: f.kind, status: f.status, after, limit: f.limit + 1 });
      const { page, nextCursor } = keysetPage(rows, f.limit, 'delivery', (r) => [r.createdAt, r.id]);
      return {
        items: page,
        nextCursor,
        relayConfigured: d.relayConfigured,
      };
    },

    async get(actor: Actor, id: string) {
      authorize(actor, 'delivery.manage');
      const row = await deliveryRepo.findById(d.db, id);
      if (!row) throw new VigilError('VIG_DELIVERY_NOT_FOUND', { id });
      return { ...row, attemptLog: await deliveryRepo.attempts(d.db, id) };
    },

    /** Puts a queued or failed delivery back in the queue, due now, with a fresh budget of attempts (audited). */
    async retry(actor: Actor, id: string) {
      authorize(actor, 'delivery.manage');
      return d.db.transaction().execute(async (tx) => {
        const row = await deliveryRepo.lockById(tx, id);
        if (!row) throw new VigilError('VIG_DELIVERY_NOT_FOUND', { id });
        if (row.status === 'sent' || row.status === 'sending') throw new VigilError('VIG_DELIVERY_NOT_RETRYABLE', { id, deliveryStatus: row.status });
        await deliveryRepo.requeue(tx, id, d.clock.now());
        await d.audit.record(tx, actor, {
          action: 'delivery.retried', entity: 'delivery', entityId: id,
          before: { kind: row.kind, status: row.status, attempts: row.attempts, lastError: row.lastError }, after: { status: 'queued', recipient: row.recipient },
        });
        const after = (await deliveryRepo.findById(tx, id))!;
        return { ...after, attemptLog: await deliveryRepo.attempts(tx, id) };
      });
    },
  };
}
export type DeliveryService = ReturnType<typeof createDeliveryService>;

const toAfter = ([createdAt, id]: (string | Date)[]) => ({ createdAt: createdAt as Date, id: id as string });
