import { sql } from 'kysely';
import type { Executor } from '../../db/index.ts';
import type { AuditRow } from '../../db/schema.ts';

/** A record's fields as the caller knows them; the sequence number and hashes come from the chain's head. */
export interface AuditAppend {
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
  /** SHA-256 (hex) of the record's canonical body without seq and prevHash (hash form 2). */
  bodyDigest: string;
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

export const auditRepo = {
  /**
   * Appends the next record in one statement: locks the head row (a waiting writer then reads the
   * head its predecessor committed), inserts the record with hash = sha256(prevHash \n seq \n
   * bodyDigest), and moves the head. The lock lasts until the caller's transaction ends.
   */
  append: (x: Executor, r: AuditAppend) =>
    sql`with head as (select seq, hash from audit_head where id = 1 for update),
      added as (
        insert into audit_log (seq, at, actor_id, actor_name, action, entity, entity_id, before, after, ip, request_id, prev_hash, hash, hash_form)
        select head.seq + 1, ${r.at}, ${r.actorId}, ${r.actorName}, ${r.action}, ${r.entity}, ${r.entityId}, ${r.before}::jsonb, ${r.after}::jsonb,
               ${r.ip}, ${r.requestId}, head.hash,
               encode(sha256(convert_to(head.hash || E'\n' || (head.seq + 1)::text || E'\n' || ${r.bodyDigest}, 'UTF8')), 'hex'), 2
        from head
        returning seq, hash)
      update audit_head set seq = added.seq, hash = added.hash from added where audit_head.id = 1`.execute(x),

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
