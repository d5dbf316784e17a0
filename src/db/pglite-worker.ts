// Runs PGlite (PostgreSQL compiled to WASM) on its own thread, so the HTTP server's event loop
// keeps answering while the database works. Messages: { id, op: 'query' | 'close' | 'dump' | 'image', sql, params }.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';

interface Request {
  id: number;
  op: 'query' | 'close' | 'dump' | 'image';
  sql?: string;
  params?: unknown[];
}

const port = parentPort;
if (!port) throw new Error('pglite-worker must run as a worker thread');

const INT8 = 20;
const BYTEA = 17;
// The options object form: `new PGlite(undefined, options)` ignores the options (an in-memory store
// would run without the settings, parsers and extension below).
const image = workerData.image as Uint8Array | undefined;
const db = new PGlite({
  dataDir: workerData.dataDir as string | undefined,
  // A dumped data folder (uncompressed tar) to start from instead of an empty cluster: the test
  // suite's migrated image, restored per test instead of migrating each time.
  ...(image ? { loadDataDir: new Blob([image as Uint8Array<ArrayBuffer>], { type: 'application/x-tar' }) } : {}),
  extensions: { pg_trgm },
  // PostgreSQL's default 128 MB of shared buffers is most of PGlite's memory; a one-team embedded
  // store does well with 32 MB (idle RSS about 100 MB lower).
  postgresqlconf: ['shared_buffers = 32MB', 'wal_buffers = 1MB'],
  // int8 as number (as the pg driver is set up too); ids and counts stay below 2^53.
  // bytea through Node's native hex codec: PGlite's own converts byte by byte in JavaScript, over
  // ten times slower (a 20 KB e-mail took 18 ms to store; raw intake must not wait on that).
  parsers: {
    [INT8]: (v: string) => Number(v),
    [BYTEA]: (v: string) => {
      const b = Buffer.from(v.slice(2), 'hex');
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    },
  },
  serializers: {
    [BYTEA]: (v: unknown) => {
      if (!(v instanceof Uint8Array)) throw new Error('bytea parameters must be bytes');
      return `\\x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`;
    },
  },
});

function plainError(e: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = { message: String((e as Error)?.message ?? e), name: 'DatabaseError' };
  if (e && typeof e === 'object') {
    for (const k of ['code', 'detail', 'hint', 'constraint', 'table', 'column', 'severity', 'schema']) {
      const v = (e as Record<string, unknown>)[k];
      if (typeof v === 'string') out[k] = v;
    }
  }
  return out;
}

async function run(req: Request) {
  if (req.op === 'close') {
    await db.close();
    return { rows: [], affectedRows: 0 };
  }
  if (req.op === 'dump' || req.op === 'image') {
    // A backup (src/modules/backup/): the data folder as a gzipped tarball, taken after a checkpoint
    // so a restore replays little WAL. The caller holds the connection, so no transaction is open.
    await db.exec('CHECKPOINT');
    const file = await db.dumpDataDir(req.op === 'dump' ? 'gzip' : 'none');
    return { rows: [new Uint8Array(await file.arrayBuffer())], affectedRows: 0 };
  }
  const sql = req.sql ?? '';
  if (!req.params || req.params.length === 0) {
    // Parameterless SQL may hold several statements (migrations): the simple protocol runs them all.
    const results = await db.exec(sql);
    const last = results[results.length - 1];
    return { rows: last?.rows ?? [], affectedRows: last?.affectedRows ?? 0 };
  }
  const r = await db.query(sql, req.params, { rowMode: 'object' });
  return { rows: r.rows, affectedRows: r.affectedRows ?? 0 };
}

db.waitReady.then(
  () => port.postMessage({ id: 0, ok: true }),
  (e: unknown) => port.postMessage({ id: 0, ok: false, error: plainError(e) }),
);

port.on('message', (req: Request) => {
  run(req).then(
    (result) => port.postMessage({ id: req.id, ok: true, result }),
    (e: unknown) => port.postMessage({ id: req.id, ok: false, error: plainError(e) }),
  );
});
