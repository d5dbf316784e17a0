#!/usr/bin/env node
// Vigil's benchmarks on the embedded store (PGlite): warm start-up time to serving, idle memory,
// and the latency of a simple authenticated API call. `npm run bench` runs it; it needs no build.
//
// One cold start creates and migrates the database in a temporary data folder; then WARM_RUNS
// warm starts are each timed from spawn until GET /readyz answers 200, left idle for IDLE_MS, and
// measured (RSS of the server's whole process tree: bin/vigil.mjs may re-execute itself under the
// pinned Node.js, and PGlite runs in a worker thread of the same process). The first warm server
// also answers CALLS sequential GET /api/v1/auth/me calls for the latency figures.
// The temporary folder and every server process are removed/ended whatever happens.
//
// Then the scale benchmark, bench/incidents-scale.mjs, runs in its own process (API latency with
// a million incidents on PostgreSQL and 200,000 on the embedded store; see that file).
// BENCH_SCALE=full (default), small (a tenth of the data) or off (skip it). On its PostgreSQL
// database, the operations dashboard (bench/dashboard.mjs, BENCH_DASHBOARD=off skips it) and the
// monthly KPIs (bench/kpi.mjs, BENCH_KPI=off). Last, SMTP intake (bench/smtp-intake.mjs,
// BENCH_SMTP=off), API and webhook intake (bench/intake.mjs, BENCH_INTAKE=off) and constituent
// routing (bench/routing.mjs, BENCH_ROUTING=off), and writers that must not wait on each other
// (bench/writers.mjs, BENCH_WRITERS=off: incident creation at 1 and 8 clients, intake beside pgbench),
// and feeds (bench/feeds.mjs, BENCH_FEEDS=off: a scan CSV read end to end beside COPY, both stores).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { children, killGroup, sleep, startServer } from './lib/http.mjs';

const WARM_RUNS = 5;
const IDLE_MS = 5000;
const POLL_MS = 20;
const CALLS = 200;
const PASSWORD = 'Bench-Initial-Pass-1';
const CHOSEN = 'Bench-Chosen-Passphrase-2026';
const TARGET_START_MS = 3000;
const TARGET_RSS_MB = 400;

const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
/** Starts `vigil serve` on the bench data folder (embedded store) and resolves once /readyz answers 200. */
const start = () => startServer({ dataDir, adminPassword: PASSWORD, pollMs: POLL_MS });
/** The scale benchmark's process, while it runs. */
let scale = null;

const sorted = (xs) => [...xs].sort((a, b) => a - b);
/** Median; the mean of the two middle values for an even count. */
function median(xs) {
  const s = sorted(xs);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
/** Nearest-rank percentile. */
const percentile = (xs, p) => sorted(xs)[Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1))];

function statusOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return ''; // gone meanwhile
  }
}

/** RSS in MB of a process and all its descendants (threads share their process's RSS). */
function treeRssMb(root) {
  const kids = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const ppid = /^PPid:\s+(\d+)/m.exec(statusOf(d))?.[1];
    if (ppid) kids.set(Number(ppid), [...(kids.get(Number(ppid)) ?? []), Number(d)]);
  }
  let kb = 0;
  const walk = (pid) => {
    kb += Number(/^VmRSS:\s+(\d+)/m.exec(statusOf(pid))?.[1] ?? 0);
    for (const c of kids.get(pid) ?? []) walk(c);
  };
  walk(root);
  return kb / 1024;
}

/** The fraction of all CPUs' time spent not idle over the next `ms` (from /proc/stat). */
async function cpuBusy(ms) {
  const sample = () => {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { total: f.reduce((a, b) => a + b, 0), idle: f[3] + (f[4] ?? 0) };
  };
  const a = sample();
  await sleep(ms);
  const b = sample();
  return b.total === a.total ? 0 : 1 - (b.idle - a.idle) / (b.total - a.total);
}

/** Signs in as admin (changing the initial password), then times CALLS sequential GET /auth/me. */
async function apiLatency(port) {
  const base = `http://127.0.0.1:${port}/api/v1`;
  const json = { 'content-type': 'application/json' };
  let r = await fetch(`${base}/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
  if (r.status !== 200) throw new Error(`POST /auth/login: ${r.status} ${await r.text()}`);
  const cookie = r.headers.getSetCookie().find((c) => c.startsWith('vigil_session='))?.split(';')[0];
  if (!cookie) throw new Error('POST /auth/login set no vigil_session cookie');
  const { csrfToken } = await r.json();
  r = await fetch(`${base}/auth/password`, {
    method: 'POST',
    headers: { ...json, cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ currentPassword: PASSWORD, newPassword: CHOSEN }),
  });
  if (r.status !== 204) throw new Error(`POST /auth/password: ${r.status} ${await r.text()}`);
  const times = [];
  for (let i = 0; i < CALLS; i++) {
    const t = performance.now();
    r = await fetch(`${base}/auth/me`, { headers: { cookie } });
    const body = await r.text();
    times.push(performance.now() - t);
    if (r.status !== 200) throw new Error(`GET /auth/me: ${r.status} ${body}`);
  }
  return times;
}

const verdict = (ok) => (ok ? 'PASS' : 'MISS');

async function main() {
  console.log(`Vigil benchmarks: embedded store (PGlite), Node.js ${process.version}`);
  const busy = await cpuBusy(1000);
  console.log(`data folder ${dataDir}; ${cpus().length} CPUs, ${(busy * 100).toFixed(0)}% busy before the start`);
  if (busy > 0.2) console.log('(other work is using the CPUs: start-up times will read high)');
  console.log('');
  const cold = await start();
  console.log(`cold start (creates and migrates the database): ${cold.ms.toFixed(0)} ms`);
  await cold.stop();

  const starts = [];
  const rss = [];
  let latency = [];
  console.log('\n run | start to serving (ms) | idle RSS (MB)');
  console.log('-----+-----------------------+--------------');
  for (let i = 1; i <= WARM_RUNS; i++) {
    const s = await start();
    await sleep(IDLE_MS);
    const mb = treeRssMb(s.proc.pid);
    if (i === 1) latency = await apiLatency(s.port); // after the idle reading, so it does not inflate it
    await s.stop();
    starts.push(s.ms);
    rss.push(mb);
    console.log(` ${String(i).padStart(3)} | ${s.ms.toFixed(0).padStart(21)} | ${mb.toFixed(0).padStart(12)}`);
  }
  const ms = median(starts);
  const mb = median(rss);
  console.log('');
  console.log(`median warm start-up to serving: ${ms.toFixed(0).padStart(5)} ms    (target < ${TARGET_START_MS} ms)  ${verdict(ms < TARGET_START_MS)}`);
  console.log(`median idle memory:              ${mb.toFixed(0).padStart(5)} MB RSS (target < ${TARGET_RSS_MB} MB)   ${verdict(mb < TARGET_RSS_MB)}`);
  console.log(
    `GET /api/v1/auth/me, ${CALLS} sequential calls: ` +
      `p50 ${percentile(latency, 50).toFixed(1)} ms, p95 ${percentile(latency, 95).toFixed(1)} ms, max ${Math.max(...latency).toFixed(1)} ms`,
  );
}

function cleanup() {
  scale?.kill('SIGTERM'); // it cleans up after itself
  for (const c of children) killGroup(c, 'SIGKILL');
  children.clear();
  rmSync(dataDir, { recursive: true, force: true });
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
  console.error(`bench failed: ${e instanceof Error ? e.message : e}`);
  process.exitCode = 1;
} finally {
  cleanup();
}

/** Whether an on/off setting (BENCH_SMTP=off, …) is off. */
const off = (name, dflt = 'on') => (process.env[name] || dflt).toLowerCase() === 'off';

/**
 * Runs one further benchmark in its own process, held in `scale` so a signal ends it (each cleans up
 * after itself), unless one of the `skip` settings is off; a failure fails `npm run bench`.
 */
async function runBench(file, label, skip) {
  const why = skip.filter((name) => off(name, name === 'BENCH_SCALE' ? 'full' : 'on'));
  if (why.length) {
    console.log(`\n${label} (bench/${file}): skipped (${why.map((n) => `${n}=off`).join(', ')})`);
    return;
  }
  const code = await new Promise((resolve) => {
    scale = spawn(process.execPath, [fileURLToPath(new URL(`./${file}`, import.meta.url))], { stdio: 'inherit' });
    scale.once('exit', (c) => resolve(c ?? 1));
  });
  scale = null;
  if (code !== 0) process.exitCode = code;
}

// API latency at scale, then on its PostgreSQL database the operations dashboard and the monthly
// KPIs; then SMTP intake, API report intake and webhook alerts, and constituent routing.
await runBench('incidents-scale.mjs', 'Scale benchmark', ['BENCH_SCALE']);
await runBench('dashboard.mjs', 'Dashboard benchmark', ['BENCH_SCALE', 'BENCH_DASHBOARD']);
await runBench('kpi.mjs', 'KPI benchmark', ['BENCH_SCALE', 'BENCH_KPI']);
await runBench('smtp-intake.mjs', 'SMTP intake benchmark', ['BENCH_SMTP']);
await runBench('intake.mjs', 'Intake benchmark', ['BENCH_INTAKE']);
await runBench('writers.mjs', 'Writers benchmark', ['BENCH_WRITERS']);
await runBench('feeds.mjs', 'Feeds benchmark', ['BENCH_FEEDS']);
await runBench('routing.mjs', 'Routing benchmark', ['BENCH_ROUTING']);
