import { CamelCasePlugin, Kysely, PGliteDialect, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { PGliteWorkerProxy } from './pglite-proxy.ts';
import { withCommitHooks } from './commit-hooks.ts';

export type Db = Kysely<Database>;
/** Anything a repository can run SQL on: the database or an open transaction. */
export type Executor = Kysely<Database> | Transaction<Database>;

export interface DbHandle {
  db: Db;
  store: 'pglite' | 'postgres';
  close(): Promise<void>;
  /**
   * Embedded store only: the data folder as a gzipped tarball, taken between transactions (it
   * waits for the single connection), so it holds every committed row and nothing else. `read`
   * runs on that held connection just before, so what it reads matches the tarball.
   */
  dumpDataDir?: <T>(read: (x: Executor) => Promise<T>) => Promise<{ tarball: Uint8Array; read: T }>;
  /** Embedded store only: the data folder as an uncompressed tarball, for DbTarget.image. */
  image?: () => Promise<Uint8Array>;
}

export type DbTarget =
  | {
      store: 'pglite';
      dataDir?: string | undefined;
      /** An uncompressed tarball of a data folder (DbHandle.image) to start this in-memory store from. */
      image?: Uint8Array | undefined;
    }
  | { store: 'postgres'; url: string; poolSize?: number; timeouts?: DbTimeouts };

/**
 * Limits on waiting for PostgreSQL, so a database that accepts connections but never answers
 * fails requests (503) instead of hanging them. 0 or absent: no limit.
 */
export interface DbTimeouts {
  /** A new connection, or a free one from the pool. */
  connectMs?: number;
  /** The server cancels a statement running longer (statement_timeout). */
  statementMs?: number;
  /** The client gives up on a query with no answer (query_timeout), whatever the server does. */
  queryMs?: number;
}

const INT8 = 20;

export async function openDb(target: DbTarget): Promise<DbHandle> {
  if (target.store === 'pglite') {
    const proxy = new PGliteWorkerProxy(target.dataDir, target.image);
    await proxy.waitReady;
    const db = new Kysely<Database>({
      // Commit hooks: the audit append and the reference counter run as a transaction's last statements.
      dialect: withCommitHooks(new PGliteDialect({ pglite: proxy as never })),
      plugins: [new CamelCasePlugin({ maintainNestedObjectKeys: true })],
    });
    const dumpDataDir = <T>(read: (x: Executor) => Promise<T>) =>
      db.connection().execute(async (conn) => {
        const r = await read(conn);
        return { tarball: await proxy.dumpDataDir(), read: r };
      });
    const image = () => db.connection().execute(() => proxy.imageDataDir());
    return { db, store: 'pglite', close: () => db.destroy(), dumpDataDir, image };
  }
  const pool = new pg.Pool({
    connectionString: target.url,
    max: target.poolSize ?? 10,
    ...(target.timeouts?.connectMs ? { connectionTimeoutMillis: target.timeouts.connectMs } : {}),
    ...(target.timeouts?.statementMs ? { statement_timeout: target.timeouts.statementMs } : {}),
    ...(target.timeouts?.queryMs ? { query_timeout: target.timeouts.queryMs } : {}),
    // JIT compilation pays off for long analytical queries, not for Vigil's short ones: on the
    // 1M-incident benchmark it added ~0.5 s to a search that runs in 10 ms without it.
    options: '-c jit=off',
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // Nor one in use: the pool takes its own listener off a client it lends out, and a client whose
  // connection dies emits 'error' besides failing its query (which the caller sees: 503).
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({ dialect: withCommitHooks(new PostgresDialect({ pool }), { pipelineCommit: true }), plugins: [new CamelCasePlugin({ maintainNestedObjectKeys: true })] });
  return { db, store: 'postgres', close: () => db.destroy() };
}
