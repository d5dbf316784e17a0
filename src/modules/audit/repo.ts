import { sql } from 'kysely';
import type { Executor } from '../../db/index.ts';
import type { AuditRow } from '../../db/schema.ts';

export interface AuditInsert {
  seq: number;
  at: Date;
  actorId: string | null;
  actorName: string;
  action: string;
  entity: string;
  entityId: string | null;
  before: string | null;
  after: string | null;
  ip: string | null;
  requestId: string | null;
  prevHash: string;
  hash: string;
}

export interface AuditFilter {
  /** A user id, or an actor name (username, 'cli', 'vigil', 'anonymous'). */
  actor?: string | undefined;
  action?: string | undefined;
  entity?: string | undefined;
  entityId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  beforeSeq?: number | undefined;
  limit: number;
}

/** Any constant identifies the lock that serialises writers of the audit chain. */
const AUDIT_CHAIN_LOCK = 0x56494731; // "VIG1"

export const auditRepo = {
  /** Takes the chain lock until the transaction ends, then returns the current head. */
  async lockHead(x: Executor): Promise<{ seq: number; hash: string } | undefined> {
    await sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`.execute(x);
    return x.selectFrom('auditLog').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  },

  insert: (x: Executor, row: AuditInsert) =>
    x
      .insertInto('auditLog')
      .values({ ...row, before: row.before, after: row.after })
      .execute(),

  list(x: Executor, f: AuditFilter): Promise<AuditRow[]> {
    let q = x.selectFrom('auditLog').selectAll();
    if (f.actor) {
      const isId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(f.actor);
      q = isId ? q.where('actorId', '=', f.actor) : q.where('actorName', '=', f.actor.toLowerCase());
    }
    if (f.action) q = q.where('action', '=', f.action);
    if (f.entity) q = q.where('entity', '=', f.entity);
    if (f.entityId) q = q.where('entityId', '=', f.entityId);
    if (f.from) q = q.where('at', '>=', f.from);
    if (f.to) q = q.where('at', '<', f.to);
    if (f.beforeSeq !== undefined) q = q.where('seq', '<', f.beforeSeq);
    return q.orderBy('seq', 'desc').limit(f.limit).execute();
  },

  /** One page of the chain in order, for verification. */
  page: (x: Executor, afterSeq: number, limit: number): Promise<AuditRow[]> =>
    x.selectFrom('auditLog').selectAll().where('seq', '>', afterSeq).orderBy('seq', 'asc').limit(limit).execute(),
};
