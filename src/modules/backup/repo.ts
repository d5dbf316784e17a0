import { sql } from 'kysely';
import type { Executor } from '../../db/index.ts';

/** The SQL a backup reads; every query runs in the snapshot the database copy is taken from. */
export const backupRepo = {
  /** The last migration applied (Kysely's table), or null on a database never migrated. */
  migration: async (x: Executor): Promise<string | null> => {
    const t = await sql<{ n: number | string }>`select count(*) as n from information_schema.tables where table_name = 'kysely_migration'`.execute(x);
    if (Number(t.rows[0]?.n ?? 0) === 0) return null;
    const r = await sql<{ name: string }>`select name from kysely_migration order by name desc limit 1`.execute(x);
    return r.rows[0]?.name ?? null;
  },

  /**
   * Every blob a row refers to: the same tables the blob sweeper asks (evidenceRepo.blobsInUse),
   * so a file the sweeper keeps is a file a backup copies.
   */
  referencedBlobs: async (x: Executor): Promise<string[]> => {
    const r = await sql<{ sha256: string }>`select sha256 from evidence union select sha256 from report_attachment where sha256 is not null order by 1`.execute(x);
    return r.rows.map((row) => row.sha256);
  },

  serverMajor: async (x: Executor): Promise<number> => {
    const r = await sql<{ v: string }>`select current_setting('server_version_num') as v`.execute(x);
    return Math.floor(Number(r.rows[0]!.v) / 10000);
  },

  exportSnapshot: async (x: Executor): Promise<string> => {
    const r = await sql<{ s: string }>`select pg_export_snapshot() as s`.execute(x);
    return r.rows[0]!.s;
  },

  /** Tables, views and sequences outside PostgreSQL's own schemas: none in an empty database. */
  userRelations: async (x: Executor): Promise<number> => {
    const r = await sql<{ n: number | string }>`select count(*) as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast') and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')`.execute(x);
    return Number(r.rows[0]!.n);
  },
};
