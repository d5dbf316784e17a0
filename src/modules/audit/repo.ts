import { sql } from 'kysely';
import { finalStatement } from '../../db/commit-hooks.ts';
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
  /** JSON values (redacted), or null. */
  before: unknown;
  after: unknown;
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

/**
 * The append as one statement without parameters (it may then travel with the COMMIT): the
 * records are one JSON array, base64-encoded so the literal needs no escaping.
 */
function appendStatement(records: AuditAppend[]): string {
  const json = Buffer.from(JSON.stringify(records), 'utf8').toString('base64');
  return `with recursive head as (select seq, hash from audit_head where id = 1 for update),
      input as (
        select o.i, (o.r->>'at')::timestamptz as at, (o.r->>'actorId')::uuid as actor_id, o.r->>'actorName' as actor_name, o.r->>'action' as action,
               o.r->>'entity' as entity, o.r->>'entityId' as entity_id, nullif(o.r->'before', 'null'::jsonb) as before,
               nullif(o.r->'after', 'null'::jsonb) as after, o.r->>'ip' as ip, o.r->>'requestId' as request_id, o.r->>'bodyDigest' as body_digest
        from jsonb_array_elements(convert_from(decode('${json}', 'base64'), 'UTF8')::jsonb) with ordinality as o(r, i)),
      chain (i, seq, prev, hash) as (
        select 0::bigint, head.seq, null::text, head.hash from head
        union all
        select x.i, c.seq + 1, c.hash, encode(sha256(convert_to(c.hash || E'\\n' || (c.seq + 1)::text || E'\\n' || x.body_digest, 'UTF8')), 'hex')
        from chain c join input x on x.i = c.i + 1),
      added as (
        insert into audit_log (seq, at, actor_id, actor_name, action, entity, entity_id, before, after, ip, request_id, prev_hash, hash, hash_form)
        select c.seq, x.at, x.actor_id, x.actor_name, x.action, x.entity, x.entity_id, x.before, x.after, x.ip, x.request_id, c.prev, c.hash, 2
        from chain c join input x on x.i = c.i
        returning seq, hash)
      update audit_head set seq = last.seq, hash = last.hash from (select seq, hash from added order by seq desc limit 1) last where audit_head.id = 1`;
}

export const auditRepo = {
  /**
   * Appends records in order in one statement: locks the head row (a waiting writer then reads the
   * head its predecessor committed), inserts each record with hash = sha256(prevHash \n seq \n
   * bodyDigest), chained one to the next, and moves the head to the last. The lock lasts until the
   * caller's transaction ends, which is why the audit service runs this as the transaction's last
   * statement (src/db/commit-hooks.ts): the chain's order is the commit order.
   */
  append: async (x: Executor, records: AuditAppend[]): Promise<void> => {
    if (records.length) await sql.raw(appendStatement(records)).execute(x);
  },

  /** `append` as the very last statement of the transaction of `x`, sent with its COMMIT on PostgreSQL; from a commit hook. */
  appendLast: async (x: Executor, records: AuditAppend[]): Promise<void> => {
    if (records.length) await finalStatement(x, appendStatement(records));
  },

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
