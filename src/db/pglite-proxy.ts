import { Worker } from 'node:worker_threads';

/**
 * A stand-in for a PGlite instance whose database runs in a worker thread (pglite-worker.ts).
 * It offers what Kysely's PGliteDialect uses: query, transaction, close, ready/closed/waitReady.
 * Kysely serialises use of the single connection, so at most one statement is in flight.
 */
interface Pending {
  resolve: (v: QueryResult) => void;
  reject: (e: Error) => void;
}
interface QueryResult {
  rows: unknown[];
  affectedRows: number;
}
interface Reply {
  id: number;
  ok: boolean;
  result?: QueryResult;
  error?: Record<string, unknown>;
}

export class DatabaseError extends Error {
  code?: string;
  detail?: string;
  constraint?: string;
  constructor(props: Record<string, unknown>) {
    super(String(props.message ?? 'database error'));
    Object.assign(this, props);
    this.name = 'DatabaseError';
  }
}

export class PGliteWorkerProxy {
  closed = false;
  ready = false;
  readonly waitReady: Promise<void>;
  #worker: Worker;
  #seq = 0;
  #pending = new Map<number, Pending>();

  constructor(dataDir: string | undefined, image?: Uint8Array) {
    this.#worker = new Worker(new URL('./pglite-worker.ts', import.meta.url), { workerData: { dataDir, image } });
    this.waitReady = new Promise<void>((resolve, reject) => {
      this.#pending.set(0, {
        resolve: () => {
          this.ready = true;
          resolve();
        },
        reject,
      });
    });
    this.#worker.on('message', (m: Reply) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (m.ok) p.resolve(m.result ?? { rows: [], affectedRows: 0 });
      else p.reject(new DatabaseError(m.error ?? {}));
    });
    const fail = (e: Error) => {
      this.closed = true;
      for (const p of this.#pending.values()) p.reject(e);
      this.#pending.clear();
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`database worker exited (code ${code})`)));
  }

  #send(op: 'query' | 'close' | 'dump' | 'image', sql?: string, params?: unknown[]): Promise<QueryResult> {
    if (this.closed) return Promise.reject(new Error('database is closed'));
    const id = ++this.#seq;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, op, sql, params });
    });
  }

  query<T>(sql: string, params?: unknown[], _opts?: unknown): Promise<{ rows: T[]; affectedRows: number }> {
    return this.#send('query', sql, params ?? []) as Promise<{ rows: T[]; affectedRows: number }>;
  }

  async transaction<T>(cb: (tx: { query: PGliteWorkerProxy['query'] }) => Promise<T>): Promise<T> {
    await this.query('BEGIN');
    try {
      const out = await cb({ query: (sql, params) => this.query(sql, params) });
      await this.query('COMMIT');
      return out;
    } catch (e) {
      await this.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  /** The data folder as a gzipped tarball (PGlite's dumpDataDir); call it with no transaction open. */
  async dumpDataDir(): Promise<Uint8Array> {
    const r = await this.#send('dump');
    return r.rows[0] as Uint8Array;
  }

  /** The data folder as an uncompressed tarball, to start other stores from (see DbTarget.image). */
  async imageDataDir(): Promise<Uint8Array> {
    const r = await this.#send('image');
    return r.rows[0] as Uint8Array;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.#send('close').catch(() => undefined);
    this.closed = true;
    await this.#worker.terminate();
  }
}
