import { sql } from 'kysely';
import type { Executor } from '../../db/index.ts';

/** The chain's last record (read from the chain itself, not from audit_head, so it shows what is really there). */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** Read-only SQL for audit anchors and backups; appending stays with repo.ts. */
export const anchorRepo = {
  head: async (x: Executor): Promise<ChainHead | undefined> => {
    const r = await sql<{ seq: number | string; hash: string }>`select seq, hash from audit_log order by seq desc limit 1`.execute(x);
    const row = r.rows[0];
    return row ? { seq: Number(row.seq), hash: row.hash } : undefined;
  },

  record: async (x: Executor, seq: number): Promise<ChainHead | undefined> => {
    const r = await sql<{ seq: number | string; hash: string }>`select seq, hash from audit_log where seq = ${seq}`.execute(x);
    const row = r.rows[0];
    return row ? { seq: Number(row.seq), hash: row.hash } : undefined;
  },

  key: async (x: Executor): Promise<{ publicKey: string; sealedPrivateKey: string } | undefined> => {
    const r = await sql<{ publicKey: string; sealedPrivateKey: string }>`select public_key, sealed_private_key from audit_anchor_key where id = 1`.execute(x);
    return r.rows[0];
  },

  /** Stores the key unless another process stored one first (then theirs is kept). */
  insertKey: (x: Executor, publicKey: string, sealedPrivateKey: string, at: Date) =>
    sql`insert into audit_anchor_key (id, public_key, sealed_private_key, created_at) values (1, ${publicKey}, ${sealedPrivateKey}, ${at})
        on conflict (id) do nothing`.execute(x),
};
