import type { Db, Executor } from '../../db/index.ts';
import type { AuditRow } from '../../db/schema.ts';
import { canonicalJson, toPlainJson } from '../../lib/canonical-json.ts';
import { sha256Hex } from '../../lib/crypto.ts';
import { authorize } from '../../lib/authz/policy.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { VigilError } from '../../lib/errors.ts';
import { atCommit, PHASE } from '../../db/commit-hooks.ts';
import { auditRepo, type AuditAppend, type AuditFilter } from './repo.ts';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  action: string;
  entity: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
}

/** Keys whose values never enter the audit trail, whatever entity carries them. */
const SECRET_KEY = /password|secret|token|hash|recovery/i;

export function redact(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redact);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(x);
    return out;
  }
  return v;
}

/** The fields of a record its hash covers, but seq, prevHash, hash and hashForm. */
function bodyFields(r: Omit<AuditRow, 'seq' | 'prevHash' | 'hash' | 'hashForm'>) {
  return {
    at: new Date(r.at).toISOString(),
    actorId: r.actorId,
    actorName: r.actorName,
    action: r.action,
    entity: r.entity,
    entityId: r.entityId,
    before: r.before ?? null,
    after: r.after ?? null,
    ip: r.ip,
    requestId: r.requestId,
  };
}

/** The canonical body of a record (form 2 hashes its digest). */
function canonicalBody(r: Omit<AuditRow, 'seq' | 'prevHash' | 'hash' | 'hashForm'>): string {
  return canonicalJson(bodyFields(r));
}

/**
 * A record's hash. Form 1 (records written before the chain's head had a row of its own) covers
 * the previous hash and the canonical body with seq; form 2, which the database computes as it
 * appends, covers the previous hash, seq and the SHA-256 of the canonical body.
 */
export function hashRecord(r: Omit<AuditRow, 'hash'>): string {
  if (r.hashForm === 2) return sha256Hex(`${r.prevHash}\n${r.seq}\n${sha256Hex(canonicalBody(r))}`);
  return sha256Hex(`${r.prevHash}\n${canonicalJson({ seq: r.seq, ...bodyFields(r) })}`);
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  headSeq: number;
  firstBroken?: { seq: number; reason: string };
}

export function createAuditService(d: { db: Db; clock: Clock }) {
  /** A record as the chain will hold it: redacted and digested. */
  const build = (actor: Actor, e: AuditEntry): AuditAppend => {
    const before = e.before === undefined ? null : redact(toPlainJson(e.before));
    const after = e.after === undefined ? null : redact(toPlainJson(e.after));
    const row = {
      at: d.clock.now(),
      actorId: actor.userId,
      actorName: actor.username,
      action: e.action,
      entity: e.entity,
      entityId: e.entityId ?? null,
      before,
      after,
      ip: actor.ip,
      requestId: actor.requestId,
    };
    return { ...row, bodyDigest: sha256Hex(canonicalBody(row)) };
  };
  /** The records kept with a transaction and appended as its last statement; undefined outside one with commit hooks. */
  const kept = (tx: Executor) =>
    atCommit(tx, 'audit', PHASE.audit, (): AuditAppend[] => [], (last, records) => auditRepo.appendLast(last, records.filter((r) => !(r as { empty?: true }).empty)));

  return {
    /**
     * Adds one record to the chain for the caller's transaction. In a transaction the records are
     * kept and appended together as its last statement (src/db/commit-hooks.ts), so the chain's
     * head is locked from that statement to the commit only and the records are in commit order;
     * a rolled-back transaction appends none. Outside one (`d.db`), the record is appended at once.
     */
    async record(tx: Executor, actor: Actor, e: AuditEntry): Promise<void> {
      const rec = build(actor, e);
      const pending = await kept(tx);
      if (pending) pending.push(rec);
      else await auditRepo.append(tx, [rec]);
    },

    /**
     * Keeps the place, among the transaction's records, of one whose content is known only at its
     * commit (a declaration's, which names the reference given then): `fill` it from a commit hook
     * that runs before the audit append, and it is appended where it was reserved, before the
     * records written after it (an escalation the declaration started). A place never filled is
     * left out. Undefined outside a transaction with commit hooks (record it when known then).
     */
    async reserve(tx: Executor): Promise<((actor: Actor, e: AuditEntry) => void) | undefined> {
      const pending = await kept(tx);
      if (!pending) return undefined;
      const slot = { empty: true } as unknown as AuditAppend & { empty?: true };
      pending.push(slot);
      return (actor, e) => {
        Object.assign(slot, build(actor, e));
        delete slot.empty;
      };
    },

    async list(actor: Actor, f: AuditFilter): Promise<{ items: AuditRow[]; nextCursor: string | null }> {
      authorize(actor, 'audit.read');
      const items = await auditRepo.list(d.db, { ...f, limit: f.limit + 1 });
      const more = items.length > f.limit;
      const page = more ? items.slice(0, f.limit) : items;
      return { items: page, nextCursor: more ? encodeCursor(page[page.length - 1]!.seq) : null };
    },

    async verify(actor: Actor): Promise<VerifyResult> {
      authorize(actor, 'audit.verify');
      return verifyChain(d.db);
    },
  };
}
export type AuditService = ReturnType<typeof createAuditService>;

export function encodeCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`).toString('base64url');
}
export function decodeCursor(c: string): number {
  const m = /^seq:(\d{1,15})$/.exec(Buffer.from(c, 'base64url').toString('utf8'));
  if (!m) throw new VigilError('VIG_AUDIT_CURSOR_INVALID');
  return Number(m[1]);
}

/**
 * Walks the whole chain in order and names the first record that was altered (its hash no longer
 * matches its content), deleted (a gap in the sequence, or a prev_hash that points elsewhere) or
 * moved (a prev_hash that does not match the record before it).
 */
export async function verifyChain(db: Executor, pageSize = 2000): Promise<VerifyResult> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  for (;;) {
    const rows = await auditRepo.page(db, expectedSeq - 1, pageSize);
    if (rows.length === 0) break;
    for (const r of rows) {
      if (r.seq !== expectedSeq) {
        return broken(checked, prevHash, r.seq, `records ${expectedSeq}..${r.seq - 1} are missing (deleted)`);
      }
      if (r.prevHash !== prevHash) {
        return broken(checked, prevHash, r.seq, 'does not follow the record before it (records deleted, inserted or reordered)');
      }
      if (hashRecord(r) !== r.hash) {
        return broken(checked, prevHash, r.seq, 'content does not match its hash (altered)');
      }
      prevHash = r.hash;
      expectedSeq++;
      checked++;
    }
  }
  return { ok: true, checked, headSeq: expectedSeq - 1 };
}

function broken(checked: number, _prev: string, seq: number, reason: string): VerifyResult {
  return { ok: false, checked, headSeq: seq, firstBroken: { seq, reason } };
}
