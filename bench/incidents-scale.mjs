#!/usr/bin/env node
// Vigil at scale: API latency with big data sets, on PostgreSQL and on the embedded store (PGlite).
// `npm run bench` runs it after the start-up benchmark (bench/run.mjs); it needs no build.
//
// PostgreSQL (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres): a dedicated
// database, vigil_bench (vigil_bench_small at BENCH_SCALE=small), is created, migrated and
// bootstrapped by one start of the real server, then seeded with COPY … FROM STDIN: 1,000,000
// incidents, 3,000,000 reports (with their raw bytes), 2,000,000 observables and 10,000,000
// timeline events, plus classifications, role holders and incident–observable links. A database
// already seeded by this same seed (same counts, same generator, same migrations) is reused, which
// saves most of the time; BENCH_RESEED=1 drops and recreates it anyway.
// Embedded store: a temporary data folder, migrated by one start of the server, seeded (while no
// server runs) with COPY through PGlite's /dev/blob by a child under the pinned Node.js:
// 200,000 incidents and the other tables in the same proportions.
//
// Then the real server runs on each store and each scenario is loaded, signed in as a
// (non-privileged) handler, first by one client (what a request costs by itself at this size of
// data) and then by 16 concurrent keep-alive clients for a warm-up and a measured period; p50/p95/
// p99 and throughput are printed against the targets (p95 at 16 clients), after a no-data baseline
// (GET /auth/me) whose throughput sets the floor under every 16-client latency on this machine.
// On PostgreSQL, pg_stat_activity is sampled during each load, and afterwards a second server,
// connected through a wire-protocol capture proxy (bench/lib/pg-capture.mjs), answers each
// scenario once more so the exact statements and parameters are known; for every MISS those are
// EXPLAINed (ANALYZE, BUFFERS) and the slowest one's plan is printed (on the embedded store, the
// same statements with its own ids and values).
//
// Settings: BENCH_SCALE=full|small|off (default full; small is a tenth of every count),
// BENCH_STORES=postgres,embedded (default both; PostgreSQL is skipped when not reachable),
// BENCH_SECONDS (measured seconds per scenario, default 10, small 8); a request over 30 s is a MISS, BENCH_RESEED=1.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { children, get, killGroup, load, percentile, signIn, startServer } from './lib/http.mjs';
import { pgAdapter } from './lib/pg-adapter.mjs';
import { captureProxy } from './lib/pg-capture.mjs';
import { explainStatements, scenarios, scenarioValues, searchCounts } from './lib/scenarios.mjs';
import { plan } from './lib/seed-data.mjs';
import { seed } from './lib/seed.mjs';

const SCALE = (process.env.BENCH_SCALE || 'full').toLowerCase();
const STORES = (process.env.BENCH_STORES || 'postgres,embedded').split(',').map((s) => s.trim());
const PG_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const RESEED = process.env.BENCH_RESEED === '1';
const CLIENTS = 16;
const MEASURE_S = Number(process.env.BENCH_SECONDS || (SCALE === 'small' ? 8 : 10));
const WARMUP_S = 3;
const SOLO_S = 3;
const ADMIN_PASSWORD = 'Bench-Initial-Pass-1';
const ADMIN_CHOSEN = 'Bench-Chosen-Passphrase-2026';
const HANDLER_PASSWORD = 'Bench-Handler-Passphrase-2026';
const PINNED_NODE = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
const MIGRATIONS = fileURLToPath(new URL('../src/db/migrations/', import.meta.url));

const FULL = {
  postgres: { incidents: 1_000_000, reports: 3_000_000, observables: 2_000_000, events: 10_000_000 },
  embedded: { incidents: 200_000, reports: 600_000, observables: 400_000, events: 2_000_000 },
};
const countsFor = (store) =>
  SCALE === 'small' ? Object.fromEntries(Object.entries(FULL[store]).map(([k, v]) => [k, v / 10])) : FULL[store];

const fmt = (n) => n.toLocaleString('en-US');
const secs = (t) => ((performance.now() - t) / 1000).toFixed(0);
const tempDirs = [];

/** What a seeded database must match to be reused: counts, generator and migrations. */
function seedMarker(counts) {
  const h = createHash('sha256');
  for (const f of ['lib/seed-data.mjs', 'lib/seed.mjs']) h.update(readFileSync(new URL(f, import.meta.url)));
  const m = createHash('sha256');
  for (const f of readdirSync(MIGRATIONS).filter((f) => f.endsWith('.sql')).sort()) m.update(f).update(readFileSync(join(MIGRATIONS, f)));
  return `vigil-bench ${JSON.stringify({ counts, seed: h.digest('hex').slice(0, 12), migrations: m.digest('hex').slice(0, 12) })}`;
}

/** argon2id of the handler's password, with Vigil's parameters (src/modules/auth/passwords.ts). */
async function handlerHash() {
  const { hash } = await import('@node-rs/argon2');
  return hash(HANDLER_PASSWORD, { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });
}

/** Signs in the admin (changing its first password, as bench/run.mjs does) and the bench handler. */
async function sessions(port) {
  await signIn(port, 'admin', [ADMIN_PASSWORD, ADMIN_CHOSEN], ADMIN_CHOSEN);
  return signIn(port, 'bench.handler', [HANDLER_PASSWORD]);
}

/** Samples pg_stat_activity while the load runs: which statements the database spends its time in. */
function activitySampler(client, dbName) {
  const seen = new Map();
  let total = 0;
  let on = true;
  const loop = (async () => {
    while (on) {
      const r = await client.query(
        `select query from pg_stat_activity where datname = $1 and state = 'active' and pid <> pg_backend_pid()`, [dbName]);
      for (const { query } of r.rows) {
        const q = query.replace(/\s+/g, ' ').trim();
        seen.set(q, (seen.get(q) ?? 0) + 1);
        total++;
      }
      await new Promise((res) => setTimeout(res, 20));
    }
  })();
  return async () => {
    on = false;
    await loop;
    return [...seen].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([q, n]) => ({ q, share: n / Math.max(1, total) }));
  };
}

const TIMEOUT_MS = 30_000;

/**
 * Runs every scenario on a server from `start()` (stopped at the end); returns the result rows.
 * A request that takes over TIMEOUT_MS is a MISS, not an abort: `cancel()` stops what it left
 * running (PostgreSQL: pg_cancel_backend); without one the server is restarted (the embedded
 * store's single connection cannot be interrupted).
 */
async function runScenarios(start, p, { sampler, cancel } = {}) {
  let server = await start();
  console.log(`  server ready in ${(server.ms / 1000).toFixed(1)} s; ${CLIENTS} clients, ${WARMUP_S} s warm-up + ${MEASURE_S} s measured per scenario, as bench.handler`);
  let { cookie } = await sessions(server.port);
  const recover = async () => {
    if (cancel) return cancel();
    await server.stop();
    server = await start();
    ({ cookie } = await sessions(server.port));
  };
  const results = [];
  try {
    for (const s of scenarios(p)) {
      const row = { name: s.name, label: s.label, target: s.target };
      results.push(row);
      // One check before timing anything: a wrong answer would make fast figures meaningless.
      const first = [];
      const t0 = performance.now();
      try {
        for (const path of s.paths) first.push(await get(undefined, server.port, path, cookie, TIMEOUT_MS));
      } catch (e) {
        Object.assign(row, { n: 0, rps: 0, p50: NaN, p95: NaN, p99: NaN, pass: false, failed: `one request alone: ${e.message}` });
        console.log(`  ${s.name.padEnd(18)} MISS: ${row.failed}; no load run`);
        await recover();
        continue;
      }
      const bad = first.find((r) => r.status !== 200);
      if (bad) throw new Error(`${s.paths.join(' + ')}: ${bad.status} ${JSON.stringify(bad.body).slice(0, 300)}`);
      const ok = s.check(first);
      if (ok !== true) throw new Error(`${s.label}: ${ok}`);
      row.single = performance.now() - t0;
      // A request slower than a second has warmed what it reads by itself: no further warm-up.
      const warmupMs = row.single > 1000 ? 0 : WARMUP_S * 1000;
      const op = async (agent) => {
        for (const path of s.paths) {
          const r = await get(agent, server.port, path, cookie, TIMEOUT_MS);
          if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
        }
      };
      // One client first: what a request costs by itself at this size of data (flat, or not, as
      // data grows), before 16 clients queue for two shared cores.
      const solo = await load(op, { clients: 1, warmupMs: 0, measureMs: SOLO_S * 1000, minSamples: 20 });
      Object.assign(row, { solo50: percentile(solo.times, 50), solo95: percentile(solo.times, 95) });
      const stopSampling = sampler?.();
      let m;
      try {
        m = await load(op, { clients: CLIENTS, warmupMs, measureMs: MEASURE_S * 1000 });
      } finally {
        row.top = stopSampling ? await stopSampling() : undefined;
      }
      Object.assign(row, {
        n: m.times.length, rps: m.rps, errors: m.errors.length,
        p50: percentile(m.times, 50), p95: percentile(m.times, 95), p99: percentile(m.times, 99),
        hits: s.name.startsWith('search:') ? first[0].body.items.length : undefined,
      });
      row.pass = m.errors.length === 0 && (s.target === null || row.p95 < s.target);
      const verdict = s.target === null ? '(no target)' : `target < ${s.target} ms  ${row.pass ? 'PASS' : 'MISS'}`;
      console.log(
        `  ${s.name.padEnd(18)} 1 client p50 ${row.solo50.toFixed(1).padStart(6)} p95 ${row.solo95.toFixed(1).padStart(6)};  16: p50 ${row.p50.toFixed(1).padStart(8)}  p95 ${row.p95.toFixed(1).padStart(8)}  p99 ${row.p99.toFixed(1).padStart(8)} ms` +
          `  ${row.rps.toFixed(1).padStart(6)} loads/s  (${row.n} loads)  ${verdict}` +
          (m.errors.length ? `  ${m.errors.length} failed: ${m.errors[0].slice(0, 120)}` : ''),
      );
      if (m.errors.length) await recover();
    }
  } finally {
    await server.stop();
  }
  return results;
}

/**
 * Starts a second server whose database connections pass through the capture proxy and requests
 * each scenario twice, one client, recording the statements of the second (warm) request.
 */
async function captureStatements(dbUrl, p, cancel) {
  const target = new URL(dbUrl);
  const proxy = await captureProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const viaProxy = new URL(dbUrl);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-pg-'));
  tempDirs.push(dataDir);
  const server = await startServer({ databaseUrl: viaProxy.toString(), dataDir, adminPassword: ADMIN_PASSWORD });
  const captured = {};
  try {
    const { cookie } = await sessions(server.port);
    // Twice each, keeping the second (warm) request's statements; one that runs on past the
    // time limit is kept as it is (its statement marked unfinished) and cancelled.
    const once = async (s, ms) => {
      try {
        for (const path of s.paths) await get(undefined, server.port, path, cookie, ms);
        return true;
      } catch {
        await cancel();
        return false;
      }
    };
    for (const s of scenarios(p)) {
      const warm = await once(s, TIMEOUT_MS);
      proxy.reset();
      await once(s, warm ? TIMEOUT_MS : 5000);
      captured[s.name] = proxy.reset();
    }
  } finally {
    await server.stop();
    await proxy.close();
  }
  return captured;
}

/**
 * With C clients each waiting for its answer, latency is about C / throughput once the CPUs are
 * the limit: the baseline (no incident data) shows the floor this machine puts under every p95.
 */
function printBound(results) {
  const base = results.find((r) => r.name === 'baseline');
  if (!base?.rps) return;
  console.log(
    `  floor: the no-data baseline runs at ${base.rps.toFixed(0)} requests/s, so ${CLIENTS} clients wait about ${(CLIENTS / base.rps * 1000).toFixed(0)} ms per request ` +
      `for nothing but the HTTP stack and the session check (p95 ${base.p95.toFixed(1)} ms); a target below that is out of reach on this machine at ${CLIENTS} clients.`,
  );
}

function printSlowest(results, captured) {
  if (!captured) return;
  console.log('\nslowest statement of each request, one client, warm (server-side time from Bind to ReadyForQuery):');
  for (const r of results) {
    const st = [...(captured[r.name] ?? [])].sort((a, b) => b.ms - a.ms);
    const total = st.reduce((a, x) => a + x.ms, 0);
    if (!st.length) continue;
    console.log(`  ${r.name.padEnd(18)} ${String(st.length).padStart(2)} statements, ${total.toFixed(1).padStart(7)} ms in all; slowest ${st[0].ms.toFixed(1).padStart(7)} ms: ${st[0].sql.replace(/\s+/g, ' ').slice(0, 110)}`);
  }
}

function printTable(title, results, extra) {
  console.log(`\n${title}`);
  console.log('                                                                |        | 1 client (ms)     | 16 clients (ms)             |         |');
  console.log('scenario                                                        | target |     p50 |     p95 |     p50 |     p95 |     p99 | loads/s | verdict');
  console.log('----------------------------------------------------------------+--------+---------+---------+---------+---------+---------+---------+--------');
  const f = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
  for (const r of results) {
    const label = `${r.label}${r.hits !== undefined ? ` [${extra?.[r.name.split(':')[1]] ?? '?'} match]` : ''}`.slice(0, 63);
    console.log(
      `${label.padEnd(63)} | ${String(r.target ?? '-').padStart(6)} | ${f(r.solo50).padStart(7)} | ${f(r.solo95).padStart(7)} | ${f(r.p50).padStart(7)} | ${f(r.p95).padStart(7)} | ${f(r.p99).padStart(7)} | ${f(r.rps).padStart(7)} | ${r.target === null ? '-' : r.pass ? 'PASS' : 'MISS'}`,
    );
    if (r.failed) console.log(`${''.padEnd(63)} | ${r.failed}`);
    else if (r.errors) console.log(`${''.padEnd(63)} | ${r.errors} of ${r.n} loads failed (counted at their time)`);
  }
}

function printExplains(results, explains) {
  for (const r of results.filter((x) => !x.pass)) {
    const ex = explains?.[r.name];
    console.log(`\nMISS ${r.name} (${r.label}): ${r.failed ?? `p95 ${r.p95.toFixed(1)} ms`}, target < ${r.target} ms`);
    if (r.top?.length) {
      console.log('  statements seen active in pg_stat_activity during the load (share of samples):');
      for (const t of r.top) console.log(`    ${(t.share * 100).toFixed(0).padStart(3)}%  ${t.q.slice(0, 200)}`);
    }
    if (!ex) {
      console.log('  (no EXPLAIN: statements are captured on the PostgreSQL run, which did not run)');
      continue;
    }
    console.log('  EXPLAIN (ANALYZE, BUFFERS) of the statements one load runs, slowest first:');
    const ms = (e) => (e.analyzed ? `${e.ms.toFixed(2).padStart(9)} ms` : ' too slow to ANALYZE');
    for (const e of ex) console.log(`    ${ms(e)}  ${e.sql.slice(0, 160)}`);
    if (!ex.length) continue;
    console.log(`  plan of the slowest (${ex[0].analyzed ? `${ex[0].ms.toFixed(2)} ms` : 'EXPLAIN without ANALYZE: estimates only'}; parameters ${JSON.stringify(ex[0].params).slice(0, 300)}):`);
    for (const line of ex[0].plan.slice(0, 40)) console.log(`    ${line}`);
    if (ex[0].plan.length > 40) console.log(`    … ${ex[0].plan.length - 40} more lines`);
  }
}

// ------------------------------------------------------------------------------------------------

async function postgres() {
  const counts = countsFor('postgres');
  const dbName = SCALE === 'small' ? 'vigil_bench_small' : 'vigil_bench';
  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (e) {
    console.log(`\nPostgreSQL: not reachable at ${PG_URL} (${e.message}): skipped`);
    return null;
  }
  const url = new URL(PG_URL);
  url.pathname = `/${dbName}`;
  const dbUrl = url.toString();
  const marker = seedMarker(counts);
  const [{ version }] = (await admin.query('show server_version')).rows.map((r) => ({ version: r.server_version }));
  console.log(`\nPostgreSQL ${version}: database ${dbName}; ${fmt(counts.incidents)} incidents, ${fmt(counts.reports)} reports, ${fmt(counts.observables)} observables, ${fmt(counts.events)} events`);
  const existing = await admin.query(
    `select shobj_description(oid, 'pg_database') as marker from pg_database where datname = $1`, [dbName]);
  const [seenMarker, seenInfo] = (existing.rows[0]?.marker ?? '').split('\n');
  const reuse = !RESEED && seenMarker === marker;
  let seedInfo;
  if (reuse) {
    console.log('  reusing the database: already seeded with these counts, this generator and these migrations (BENCH_RESEED=1 to redo)');
    seedInfo = `reused database (${seenInfo ?? 'seeded earlier'})`;
  } else {
    console.log(existing.rows.length ? `  dropping and recreating ${dbName} (${RESEED ? 'BENCH_RESEED=1' : 'seeded differently or not completely'})` : `  creating ${dbName}`);
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.query(`create database ${dbName}`);
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-pg-'));
    tempDirs.push(dataDir);
    const first = await startServer({ databaseUrl: dbUrl, dataDir, adminPassword: ADMIN_PASSWORD });
    console.log(`  migrated and bootstrapped by a first server start (${(first.ms / 1000).toFixed(1)} s)`);
    await first.stop();
    const t = performance.now();
    console.log('  seeding with COPY … FROM STDIN (pg client, rows generated in Node.js):');
    const c = new pg.Client(dbUrl);
    await c.connect();
    try {
      const { timings } = await seed(pgAdapter(c), counts, { passwordHash: await handlerHash(), maintenanceMem: '1GB' });
      seedInfo = `seeded in ${timings.total.toFixed(0)} s (COPY ${timings.copy.toFixed(0)} s, indexes ${timings.indexes.toFixed(0)} s, search documents ${timings.documents.toFixed(0)} s, VACUUM ANALYZE ${timings.vacuum.toFixed(0)} s)`;
    } finally {
      await c.end();
    }
    const comment = `${marker}\n${seedInfo} on ${new Date().toISOString().slice(0, 10)}`;
    await admin.query(`comment on database ${dbName} is '${comment.replace(/'/g, "''")}'`);
    console.log(`  ${seedInfo}; ${secs(t)} s with the first start`);
  }
  await admin.end();

  const p = plan(counts);
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-pg-'));
  tempDirs.push(dataDir);
  const probe = new pg.Client(dbUrl);
  await probe.connect();
  const db = { query: async (sql, params) => (await probe.query(sql, params)).rows };
  const cancel = () =>
    probe.query(`select pg_cancel_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid() and state = 'active'`, [dbName]);
  const results = await runScenarios(() => startServer({ databaseUrl: dbUrl, dataDir, adminPassword: ADMIN_PASSWORD }), p, {
    sampler: () => activitySampler(probe, dbName),
    cancel,
  });
  const captured = await captureStatements(dbUrl, p, cancel);
  await probe.query(`set statement_timeout = '60s'`);
  const hits = await searchCounts(db);
  const explains = {};
  for (const r of results.filter((x) => !x.pass)) explains[r.name] = await explainStatements(db, captured[r.name]);
  await probe.end();
  return { store: 'PostgreSQL', counts, seedInfo, results, hits, explains, captured, values: scenarioValues(p) };
}

/** Runs the PGlite child on a data folder (see bench/lib/pglite-child.mjs) and returns its answer. */
function pgliteJob(job) {
  return new Promise((resolve, reject) => {
    const child = spawn(PINNED_NODE, [fileURLToPath(new URL('lib/pglite-child.mjs', import.meta.url))], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      detached: true,
    });
    children.add(child);
    let answer;
    child.once('message', (m) => (answer = m));
    child.once('error', reject);
    child.once('exit', (code) => {
      children.delete(child);
      if (!answer) return reject(new Error(`PGlite child ended (${code}) without an answer`));
      if (answer.error) return reject(new Error(`PGlite child: ${answer.error}`));
      resolve(answer);
    });
    child.send(job);
  });
}

async function embedded(pgRun) {
  const counts = countsFor('embedded');
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-scale-'));
  tempDirs.push(dataDir);
  console.log(`\nEmbedded store (PGlite) in ${dataDir}: ${fmt(counts.incidents)} incidents, ${fmt(counts.reports)} reports, ${fmt(counts.observables)} observables, ${fmt(counts.events)} events`);
  const first = await startServer({ dataDir, adminPassword: ADMIN_PASSWORD });
  console.log(`  migrated and bootstrapped by a first server start (${(first.ms / 1000).toFixed(1)} s)`);
  await first.stop();
  console.log("  seeding with COPY … FROM '/dev/blob' (PGlite, rows generated in Node.js; child under the pinned Node.js):");
  const t = performance.now();
  const { seed: timings } = await pgliteJob({ dataDir, counts, seed: { passwordHash: await handlerHash() } });
  const seedInfo = `seeded in ${timings.total.toFixed(0)} s (COPY ${timings.copy.toFixed(0)} s, indexes ${timings.indexes.toFixed(0)} s, search documents ${timings.documents.toFixed(0)} s, VACUUM ANALYZE ${timings.vacuum.toFixed(0)} s)`;
  console.log(`  ${seedInfo}; ${secs(t)} s with opening and closing`);
  const p = plan(counts);
  const results = await runScenarios(() => startServer({ dataDir, adminPassword: ADMIN_PASSWORD }), p);
  // EXPLAIN replays the statements captured on the PostgreSQL run (the same code sends the same
  // SQL to both stores), with that store's looked-up values swapped for this one's.
  const explain = {};
  const map = {};
  if (pgRun?.captured) {
    for (const r of results.filter((x) => !x.pass)) explain[r.name] = pgRun.captured[r.name];
    const here = scenarioValues(p);
    for (const [k, v] of Object.entries(pgRun.values)) map[v] = here[k];
  }
  const after = await pgliteJob({ dataDir, counts, searchCounts: true, explain: pgRun?.captured ? explain : undefined, map, checkpoint: false });
  return { store: 'Embedded (PGlite)', counts, seedInfo, results, hits: after.searchCounts, explains: after.explain };
}

async function main() {
  if (SCALE === 'off') {
    console.log('\nScale benchmark: skipped (BENCH_SCALE=off)');
    return;
  }
  if (!['full', 'small'].includes(SCALE)) throw new Error(`BENCH_SCALE must be full, small or off (not ${SCALE})`);
  console.log(`\nVigil scale benchmark (BENCH_SCALE=${SCALE}), Node.js ${process.version}, ${cpus().length} CPUs; stores: ${STORES.join(', ')}`);
  const t0 = performance.now();
  const runs = [];
  let pgRun = null;
  if (STORES.includes('postgres')) {
    pgRun = await postgres();
    if (pgRun) runs.push(pgRun);
  }
  if (STORES.includes('embedded')) runs.push(await embedded(pgRun));
  console.log(`\n=== Scale benchmark summary (BENCH_SCALE=${SCALE}; p95 against the target, ${CLIENTS} concurrent clients) ===`);
  for (const r of runs) {
    printTable(
      `${r.store}: ${fmt(r.counts.incidents)} incidents, ${fmt(r.counts.reports)} reports, ${fmt(r.counts.observables)} observables, ${fmt(r.counts.events)} events; ${r.seedInfo}`,
      r.results,
      r.hits,
    );
    printBound(r.results);
    printSlowest(r.results, r.captured);
    printExplains(r.results, r.explains);
  }
  console.log(`\nscale benchmark took ${secs(t0)} s`);
}

function cleanup() {
  for (const c of children) killGroup(c, 'SIGKILL');
  children.clear();
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    console.error(`\n${sig}: stopping`);
    cleanup();
    process.exit(130);
  });
}

try {
  await main();
} catch (e) {
  console.error(`scale bench failed: ${e instanceof Error ? e.stack : e}`);
  process.exitCode = 1;
} finally {
  cleanup();
}
process.exit(); // whatever may still hold the event loop (a database client after a failure)
