#!/usr/bin/env node
// The operations dashboard at scale: GET /api/v1/dashboard/operations on PostgreSQL with the
// scale benchmark's data (bench/incidents-scale.mjs: 1,000,000 incidents, 3,000,000 reports,
// 10,000,000 events; a tenth at BENCH_SCALE=small), target p95 < 300 ms with 16 concurrent clients.
// `npm run bench` runs it after the scale benchmark, whose database (vigil_bench, or
// vigil_bench_small) it reuses; when that database is missing it is created and seeded with the
// same seed (bench/lib/bench-db.mjs). The seed leaves sla_clock empty, so bench/lib/sla-clocks.mjs
// writes clocks for the open incidents relative to now (1 % overdue, 3 % at risk) first, and a 24/7
// rota with the bench handler on it is created so the on-duty section has something to compute.
// The server runs as `vigil serve`; the load is signed in as bench.handler (not privileged: the
// TLP need-to-know test runs): a no-data baseline (GET /auth/me, 16 clients: the floor this machine
// puts under every 16-client figure), then the dashboard by one client for SOLO_S seconds and by 16
// for a warm-up and MEASURE_S seconds.
// Settings: BENCH_SCALE=full|small|off, BENCH_PG_URL, BENCH_SECONDS, BENCH_DASHBOARD=off.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ADMIN_CHOSEN, ADMIN_PASSWORD, HANDLER_PASSWORD, benchDatabase } from './lib/bench-db.mjs';
import { children, get, killGroup, load, percentile, signIn, startServer } from './lib/http.mjs';
import { seedSlaClocks } from './lib/sla-clocks.mjs';

const SCALE = (process.env.BENCH_SCALE || 'full').toLowerCase();
const PG_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const CLIENTS = 16;
const TARGET_MS = 300;
const MEASURE_S = Number(process.env.BENCH_SECONDS || (SCALE === 'small' ? 8 : 10));
const WARMUP_S = 3;
const SOLO_S = 3;
const PATH = '/api/v1/dashboard/operations';
const fmt = (n) => n.toLocaleString('en-US');
const tempDirs = [];

/** A 24/7 rota with the bench handler on it, so the on-duty section has a rota to compute (once per database). */
async function ensureRota(port, session, userId) {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/oncall/rotas`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: session.cookie, 'x-csrf-token': session.csrfToken },
    body: JSON.stringify({
      name: 'Bench SOC 24x7', timeZone: 'Europe/Berlin', members: [userId], anchorDate: '2026-01-05',
      pattern: { kind: 'shifts_24x7', shifts: [{ start: '06:00', end: '14:00' }, { start: '14:00', end: '22:00' }, { start: '22:00', end: '06:00' }] },
    }),
  });
  const body = await r.json();
  if (r.status !== 201 && body.code !== 'VIG_ONCALL_ROTA_EXISTS') throw new Error(`POST /oncall/rotas: ${r.status} ${JSON.stringify(body).slice(0, 200)}`);
}

/** One dashboard answer must be whole: counts, clocks at risk, intake (a handler reads them all). */
function check(body) {
  if (!body?.open || !Number.isInteger(body.open.total)) return 'no open counts';
  if (body.open.total === 0) return 'no open incidents counted';
  if (!body.slaAtRisk?.clocks?.length) return 'no SLA clocks at risk listed';
  if (!body.intake || body.intake.reports.hours.length !== 24) return 'no intake section';
  if (!body.onDuty?.rotas.some((r) => r.onDuty.length > 0)) return 'nobody on duty';
  return true;
}

async function main() {
  const db = await benchDatabase({
    label: 'Dashboard benchmark', file: 'dashboard.mjs', offSetting: 'BENCH_DASHBOARD', scale: SCALE, pgUrl: PG_URL,
    describe: (c) => `${fmt(c.incidents)} incidents, ${fmt(c.reports)} reports`,
  });
  if (!db) return;
  const { counts, dbUrl } = db;
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-dash-'));
  tempDirs.push(dataDir);
  // The server first: it applies migrations the seeded database may not have yet.
  const server = await startServer({ databaseUrl: dbUrl, dataDir, adminPassword: ADMIN_PASSWORD });
  try {
    const c = new pg.Client(dbUrl);
    await c.connect();
    try {
      const t = performance.now();
      const s = await seedSlaClocks({ query: async (q, p) => (await c.query(q, p)).rows }, Date.now());
      const open = (await c.query(`select count(*)::int as n from incident where status <> 'closed'`)).rows[0].n;
      console.log(`  SLA clocks for ${fmt(open)} open incidents: ${fmt(s.total)} clocks, ${fmt(s.running)} running, ${fmt(s.at_risk)} at risk, ${fmt(s.breached)} breached (${((performance.now() - t) / 1000).toFixed(1)} s)`);
    } finally {
      await c.end();
    }
    const adminSession = await signIn(server.port, 'admin', [ADMIN_PASSWORD, ADMIN_CHOSEN], ADMIN_CHOSEN);
    const { cookie, user } = await signIn(server.port, 'bench.handler', [HANDLER_PASSWORD]);
    await ensureRota(server.port, adminSession, user.id);
    const first = await get(undefined, server.port, PATH, cookie);
    if (first.status !== 200) throw new Error(`GET ${PATH}: ${first.status} ${JSON.stringify(first.body).slice(0, 300)}`);
    const ok = check(first.body);
    if (ok !== true) throw new Error(`GET ${PATH}: ${ok}`);
    const b = first.body;
    console.log(`  answer: ${fmt(b.open.total)} open (${fmt(b.open.exercise)} exercises apart), ${fmt(b.slaAtRisk.total)} clocks at risk (${fmt(b.slaAtRisk.breached)} breached), ${b.onDuty ? `${b.onDuty.rotas.length} rotas` : 'no on-call section'}, ${fmt(b.intake.reports.total)} reports in 24 h`);
    const op = async (agent) => {
      const r = await get(agent, server.port, PATH, cookie, 30_000);
      if (r.status !== 200) throw new Error(`GET ${PATH}: ${r.status}`);
    };
    // The floor this machine puts under every 16-client latency now: the session check and HTTP alone.
    const base = await load(async (agent) => {
      const r = await get(agent, server.port, '/api/v1/auth/me', cookie, 30_000);
      if (r.status !== 200) throw new Error(`GET /auth/me: ${r.status}`);
    }, { clients: CLIENTS, warmupMs: 1000, measureMs: 3000 });
    const solo = await load(op, { clients: 1, warmupMs: 1000, measureMs: SOLO_S * 1000, minSamples: 20 });
    const m = await load(op, { clients: CLIENTS, warmupMs: WARMUP_S * 1000, measureMs: MEASURE_S * 1000 });
    const p95 = percentile(m.times, 95);
    const pass = m.errors.length === 0 && p95 < TARGET_MS;
    const f = (x) => x.toFixed(1).padStart(7);
    console.log(`\n=== Dashboard benchmark summary (BENCH_SCALE=${SCALE}, PostgreSQL, ${fmt(counts.incidents)} incidents) ===`);
    console.log('scenario                               | target |  1 client p50 |  p95 | 16 clients p50 |   p95 |   p99 |  req/s | verdict');
    console.log(
      `GET ${PATH} as bench.handler | ${String(TARGET_MS).padStart(6)} | ${f(percentile(solo.times, 50))} | ${f(percentile(solo.times, 95))} | ${f(percentile(m.times, 50))} | ${f(p95)} | ${f(percentile(m.times, 99))} | ${m.rps.toFixed(1).padStart(6)} | ${pass ? 'PASS' : 'MISS'}` +
        (m.errors.length ? `  ${m.errors.length} failed: ${m.errors[0].slice(0, 120)}` : ''),
    );
    console.log(`baseline GET /api/v1/auth/me, 16 clients: p50 ${percentile(base.times, 50).toFixed(1)} ms, p95 ${percentile(base.times, 95).toFixed(1)} ms, ${base.rps.toFixed(0)} req/s (the floor under every 16-client figure on this machine now)`);
    if (!pass) process.exitCode = 1;
  } finally {
    await server.stop();
  }
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
  console.error(`dashboard bench failed: ${e instanceof Error ? e.stack : e}`);
  process.exitCode = 1;
} finally {
  cleanup();
}
process.exit();
