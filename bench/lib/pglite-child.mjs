// Runs under the pinned Node.js (node_modules/node/bin/node), spawned by bench/incidents-scale.mjs
// with an IPC channel, on an embedded store's data folder while no server has it open:
//   { dataDir, counts, seed?: { passwordHash }, searchCounts?: true,
//     explain?: { [scenario]: captured statements }, map?: { value on PostgreSQL: value here } }
// It opens the folder's PGlite database directly, with the same extension and settings as
// src/db/pglite-worker.ts (not through src/db/index.ts: COPY needs PGlite's own `blob` option,
// which the worker proxy does not pass), does what it is asked, closes, and sends the results.
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { explainStatements, searchCounts } from './scenarios.mjs';
import { seed } from './seed.mjs';

const job = await new Promise((resolve) => process.once('message', resolve));
const pg = new PGlite(join(job.dataDir, 'pgdata'), {
  extensions: { pg_trgm },
  postgresqlconf: ['shared_buffers = 32MB', 'wal_buffers = 1MB'],
  parsers: { 20: (v) => Number(v) },
});
await pg.waitReady;

const BLOB_BYTES = 32 << 20;
const db = {
  async query(sql, params) {
    if (params) return (await pg.query(sql, params)).rows;
    const results = await pg.exec(sql);
    return results[results.length - 1]?.rows ?? [];
  },
  /** COPY through PGlite's virtual /dev/blob, 32 MB of rows at a time. */
  async copy(table, columns, chunks) {
    let rows = 0;
    let parts = [];
    let size = 0;
    const flush = async () => {
      if (!parts.length) return;
      const r = await pg.query(`copy ${table} (${columns.join(', ')}) from '/dev/blob'`, [], { blob: new Blob(parts) });
      rows += r.affectedRows ?? 0;
      parts = [];
      size = 0;
    };
    for (const c of chunks) {
      parts.push(c);
      size += c.length;
      if (size >= BLOB_BYTES) await flush();
    }
    await flush();
    return rows;
  },
};

const out = {};
try {
  if (job.seed) {
    out.seed = (await seed(db, job.counts, { passwordHash: job.seed.passwordHash, maintenanceMem: '256MB' })).timings;
  }
  if (job.searchCounts) out.searchCounts = await searchCounts(db);
  if (job.explain) {
    out.explain = {};
    for (const [name, statements] of Object.entries(job.explain)) out.explain[name] = await explainStatements(db, statements, job.map);
  }
  if (job.checkpoint !== false) await pg.exec('checkpoint');
} catch (e) {
  out.error = String(e?.stack ?? e);
} finally {
  await pg.close();
}
process.send(out, () => process.exit(0));
