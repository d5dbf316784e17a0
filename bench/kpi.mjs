#!/usr/bin/env node
// Monthly KPIs at scale: GET /api/v1/kpi/monthly?compare=false (a month's KPIs and statistics and
// the twelve-month trend, all computed on request from the recorded events; also timed as the KPI
// page asks, with the month before) on PostgreSQL with
// the scale benchmark's data (1,000,000 incidents over seven years, 10,000,000 events; a tenth at
// BENCH_SCALE=small), target < 1 s. Signed in as the admin, whose scope is every incident (the
// most work). One client, sequential: it is a report page, not a hot path. Also times the year
// (GET /api/v1/kpi/annual) and the CSV export once each, without targets.
// `npm run bench` runs it after the dashboard benchmark. Settings: BENCH_SCALE=full|small|off,
// BENCH_PG_URL, BENCH_KPI=off.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_CHOSEN, ADMIN_PASSWORD, benchDatabase } from './lib/bench-db.mjs';
import { children, get, killGroup, percentile, signIn, startServer } from './lib/http.mjs';

const SCALE = (process.env.BENCH_SCALE || 'full').toLowerCase();
const PG_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const TARGET_MS = 1000;
const RUNS = 15;
const fmt = (n) => n.toLocaleString('en-US');
let dataDir = null;

/** The last whole month (UTC) before now: the seed's incidents run up to now. */
function lastMonth(now = new Date()) {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

async function timed(port, path, cookie) {
  const t = performance.now();
  const r = await get(undefined, port, path, cookie, 120_000);
  const ms = performance.now() - t;
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return { ms, body: r.body };
}

async function main() {
  const db = await benchDatabase({
    label: 'KPI benchmark', file: 'kpi.mjs', offSetting: 'BENCH_KPI', scale: SCALE, pgUrl: PG_URL,
    describe: (c) => `${fmt(c.incidents)} incidents, ${fmt(c.events)} events`,
  });
  if (!db) return;
  const { counts, dbUrl } = db;
  dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-kpi-'));
  // The server first: it applies migrations the seeded database may not have yet.
  const server = await startServer({ databaseUrl: dbUrl, dataDir, adminPassword: ADMIN_PASSWORD });
  try {
    const { cookie } = await signIn(server.port, 'admin', [ADMIN_PASSWORD, ADMIN_CHOSEN], ADMIN_CHOSEN);
    const month = lastMonth();
    const path = `/api/v1/kpi/monthly?month=${month}`;
    const first = await timed(server.port, path, cookie);
    const s = first.body.incidents;
    if (!(s.declared > 0)) throw new Error(`${path}: no incidents declared in ${month}`);
    console.log(`  ${month}: ${fmt(s.declared)} incidents declared (${fmt(s.excluded.exercises)} exercises, ${fmt(s.excluded.duplicates)} duplicates left out), ${fmt(s.sla.breached)} with an SLA breach, ${first.body.kpis.length} KPIs; first request ${first.ms.toFixed(0)} ms`);
    // The month's KPIs by themselves (compare=false), and as the KPI page asks for them: with the
    // month before for comparison (two months computed at once) and the trend.
    const times = [];
    for (let i = 0; i < RUNS; i++) times.push((await timed(server.port, `${path}&compare=false`, cookie)).ms);
    const page = [];
    for (let i = 0; i < 5; i++) page.push((await timed(server.port, path, cookie)).ms);
    const year = Number(month.slice(0, 4)) - (month.endsWith('-12') ? 0 : 1);
    const annual = await timed(server.port, `/api/v1/kpi/annual?year=${year}`, cookie);
    const csv = await timed(server.port, `/api/v1/kpi/monthly/export?month=${month}&format=csv`, cookie);
    const p50 = percentile(times, 50);
    const p95 = percentile(times, 95);
    const pass = p95 < TARGET_MS;
    console.log(`\n=== KPI benchmark summary (BENCH_SCALE=${SCALE}, PostgreSQL, ${fmt(counts.incidents)} incidents, ${fmt(counts.events)} events) ===`);
    console.log(`monthly KPIs ${month}, ${RUNS} sequential requests: p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms (target < ${TARGET_MS} ms): ${pass ? 'PASS' : 'MISS'}`);
    console.log(`the KPI page's request (the month and the month before, and the trend), 5 requests: p50 ${percentile(page, 50).toFixed(0)} ms, max ${Math.max(...page).toFixed(0)} ms (no target)`);
    console.log(`annual KPIs ${year} (${fmt(annual.body.incidents.declared)} incidents, each month too): ${annual.ms.toFixed(0)} ms; monthly CSV export: ${csv.ms.toFixed(0)} ms (no targets)`);
    if (!pass) process.exitCode = 1;
  } finally {
    await server.stop();
  }
}

function cleanup() {
  for (const c of children) killGroup(c, 'SIGKILL');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
process.on('SIGINT', () => { cleanup(); process.exit(130); });
process.on('SIGTERM', () => { cleanup(); process.exit(143); });
main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
}).finally(cleanup);
