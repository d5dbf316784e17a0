// Loads the scale benchmark's data (bench/lib/seed-data.mjs) into a migrated Vigil database with
// COPY, on either store, through a small adapter:
//   { query(sql): Promise<object[]>, copy(table, columns, chunks): Promise<number> }
// Around the load the seeded tables' indexes, primary/unique keys and foreign keys are dropped and
// then recreated from their own definitions (pg_get_indexdef / pg_get_constraintdef), so the end
// state is exactly the migrations' schema; the seed checks that with a before/after fingerprint.
import { createHash } from 'node:crypto';
import { plan, tables } from './seed-data.mjs';

export const SEEDED = [
  'app_user', 'incident', 'incident_classification', 'incident_role', 'incident_counter', 'observable', 'incident_observable',
  'incident_event', 'report', 'report_raw', 'report_counter',
];
// app_user keeps its indexes: the server's own rows are already in it, and it stays tiny.
const REBUILT = SEEDED.filter((t) => t !== 'app_user' && !t.endsWith('_counter'));

const list = (names) => names.map((n) => `'${n}'`).join(',');

/** Every index and constraint on the seeded tables (and foreign keys pointing at them), as text. */
export async function schemaFingerprint(db) {
  const idx = await db.query(`select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' and tablename in (${list(SEEDED)}) order by 1, 2`);
  const con = await db.query(`select conrelid::regclass::text as tbl, conname, pg_get_constraintdef(oid) as def from pg_constraint
    where connamespace = 'public'::regnamespace and (conrelid::regclass::text in (${list(SEEDED)}) or confrelid::regclass::text in (${list(SEEDED)}))
    order by 1, 2`);
  const trg = await db.query(`select event_object_table as tbl, trigger_name, action_timing, event_manipulation from information_schema.triggers
    where event_object_table in (${list(SEEDED)}) order by 1, 2, 4`);
  const text = JSON.stringify([idx, con, trg]);
  return { hash: createHash('sha256').update(text).digest('hex').slice(0, 16), indexes: idx.length, constraints: con.length };
}

/**
 * Drops what slows a bulk load (secondary indexes, primary/unique keys, foreign keys touching the
 * rebuilt tables) and returns the statements that put them back, in a working order.
 */
async function dropForLoad(db) {
  const fks = await db.query(`select conrelid::regclass::text as tbl, conname, pg_get_constraintdef(oid) as def from pg_constraint
    where contype = 'f' and (conrelid::regclass::text in (${list(REBUILT)}) or confrelid::regclass::text in (${list(REBUILT)}))`);
  const keys = await db.query(`select conrelid::regclass::text as tbl, conname, pg_get_constraintdef(oid) as def from pg_constraint
    where contype in ('p', 'u') and conrelid::regclass::text in (${list(REBUILT)})`);
  const idx = await db.query(`select i.tablename as tbl, i.indexname, i.indexdef from pg_indexes i
    where i.schemaname = 'public' and i.tablename in (${list(REBUILT)})
      and not exists (select 1 from pg_constraint c where c.conindid = (quote_ident(i.indexname))::regclass and c.contype in ('p', 'u', 'x'))`);
  for (const f of fks) await db.query(`alter table ${f.tbl} drop constraint ${f.conname}`);
  for (const k of keys) await db.query(`alter table ${k.tbl} drop constraint ${k.conname}`);
  for (const i of idx) await db.query(`drop index ${i.indexname}`);
  return {
    keys: keys.map((k) => ({ label: `${k.tbl} ${k.conname}`, sql: `alter table ${k.tbl} add constraint ${k.conname} ${k.def}` })),
    indexes: idx.map((i) => ({ label: `${i.tbl} ${i.indexname}`, sql: i.indexdef })),
    fks: fks.map((f) => ({ label: `${f.tbl} ${f.conname}`, sql: `alter table ${f.tbl} add constraint ${f.conname} ${f.def}` })),
  };
}

const secs = (t) => ((performance.now() - t) / 1000).toFixed(1);

/**
 * Seeds a migrated database that holds only what the server's first start wrote. `log` prints
 * progress. Returns timings in seconds.
 */
export async function seed(db, counts, { passwordHash, log = console.log, maintenanceMem = '512MB' }) {
  const p = plan(counts);
  const t0 = performance.now();
  const before = await schemaFingerprint(db);
  await db.query(`set maintenance_work_mem = '${maintenanceMem}'`);
  await db.query('set synchronous_commit = off');
  const restore = await dropForLoad(db);
  // The load fires no triggers: the incidents' search documents (migration 0013) are built once
  // afterwards, with the same function the triggers call, instead of once per COPY chunk.
  await db.query('set session_replication_role = replica');
  log(`  dropped ${restore.indexes.length} indexes, ${restore.keys.length} keys, ${restore.fks.length} foreign keys for the load`);
  const timings = {};
  const tl = performance.now();
  for (const t of tables(p, { passwordHash })) {
    const t1 = performance.now();
    const n = await db.copy(t.table, t.columns, t.chunks());
    timings[t.table] = (performance.now() - t1) / 1000;
    log(`  COPY ${t.table.padEnd(24)} ${String(n).padStart(10)} rows  ${secs(t1).padStart(6)} s`);
  }
  timings.copy = (performance.now() - tl) / 1000;
  await db.query('set session_replication_role = origin');
  const ti = performance.now();
  const run = async (steps) => {
    for (const step of steps) {
      const t1 = performance.now();
      await db.query(step.sql);
      const s = (performance.now() - t1) / 1000;
      if (s > 5) log(`  rebuilt ${step.label} in ${s.toFixed(1)} s`);
    }
  };
  // The search documents' own indexes come after the documents are written; the incident table,
  // every row of which the build rewrites, is compacted before them.
  const isSearchDoc = (i) => /^incident incident_search_(body|restricted|partial)_idx$/.test(i.label);
  await run([...restore.keys, ...restore.indexes.filter((i) => !isSearchDoc(i))]);
  timings.indexes = (performance.now() - ti) / 1000;
  const td = performance.now();
  // Statistics first: the build looks up each incident's notes and reports, and freshly loaded
  // tables have none to plan those lookups with.
  // Report numbers come from a sequence since migration 0015: move it past the seeded ones.
  await db.query("select setval('report_number_seq', greatest((select coalesce(max(last), 0) from report_counter), 1))");
  await db.query('analyze incident, incident_event, report');
  await db.query('select incident_search_refresh(array(select id from incident))');
  await db.query('vacuum full incident');
  timings.documents = (performance.now() - td) / 1000;
  log(`  built the incidents' search documents in ${secs(td)} s`);
  const tj = performance.now();
  await run([...restore.indexes.filter(isSearchDoc), ...restore.fks]);
  timings.indexes += (performance.now() - tj) / 1000;
  log(`  rebuilt indexes, keys and foreign keys in ${timings.indexes.toFixed(1)} s`);
  const tv = performance.now();
  await db.query(`vacuum (analyze) ${REBUILT.join(', ')}`);
  timings.vacuum = (performance.now() - tv) / 1000;
  log(`  VACUUM (ANALYZE) in ${secs(tv)} s`);
  const after = await schemaFingerprint(db);
  if (after.hash !== before.hash) throw new Error(`schema after the load differs from the migrations' (fingerprint ${before.hash} → ${after.hash})`);
  log(`  schema after the load is the migrations' own (${after.indexes} indexes, ${after.constraints} constraints; fingerprint ${after.hash})`);
  timings.total = (performance.now() - t0) / 1000;
  return { timings, plan: p };
}
