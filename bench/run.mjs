#!/usr/bin/env node
// Vigil's benchmarks on the embedded store: warm start-up time to serving, idle memory, and the
// latency of a simple authenticated API call. Prints its figures; `npm run bench` runs it.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/vigil.mjs', import.meta.url));
const WARM_RUNS = 5;
const IDLE_MS = 5000;
const CALLS = 200;
const PASSWORD = 'Bench-Initial-Pass-1';
const TARGET_START_MS = 3000;
const TARGET_RSS_MB = 400;

const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
const children = new Set();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** RSS in MB of a process and all its descendants (bin/vigil.mjs may re-execute under the pinned node). */
function treeRssMb(pid) {
  const kids = new Map();
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const ppid = Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))[1]);
      kids.set(ppid, [...(kids.get(ppid) ?? []), Number(p)]);
    } catch {
      /* gone */
    }
  }
  let kb = 0;
  const walk = (p) => {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      /* gone */
    }
    for (const c of kids.get(p) ?? []) walk(c);
  };
  walk(pid);
  return kb / 1024;
}

async function start() {
  const port = await freePort();
  const t0 = performance.now();
  const env = { ...process.env };
  delete env.DATABASE_URL; // always the embedded store
  const proc = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...env, VIGIL_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', VIGIL_ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(proc);
  const exited = new Promise((r) => proc.on('exit', r));
  proc.on('exit', () => children.delete(proc));
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) break;
    } catch {
      /* not yet */
    }
    if (performance.now() - t0 > 60_000) throw new Error('server not ready within 60 s');
    await sleep(20);
  }
  const ms = performance.now() - t0;
  return {
    proc, port, ms,
    async stop() {
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

async function apiLatency(port) {
  const base = `http://127.0.0.1:${port}/api/v1`;
  const json = { 'content-type': 'application/json' };
  let r = await fetch(`${base}/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
  let cookie = r.headers.get('set-cookie').split(';')[0];
  const { csrfToken } = await r.json();
  const chosen = 'Bench-Chosen-Passphrase-2026';
  r = await fetch(`${base}/auth/password`, {
    method: 'POST', headers: { ...json, cookie, 'x-csrf-token': csrfToken }, body: JSON.stringify({ currentPassword: PASSWORD, newPassword: chosen }),
  });
  if (r.status !== 204) throw new Error(`password change: ${r.status}`);
  const times = [];
  for (let i = 0; i < CALLS; i++) {
    const t = performance.now();
    r = await fetch(`${base}/auth/me`, { headers: { cookie } });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`GET /auth/me: ${r.status}`);
    times.push(performance.now() - t);
  }
  return times;
}

async function main() {
  console.log('Vigil benchmarks (embedded store, PGlite)');
  console.log(`data folder ${dataDir}\n`);
  const cold = await start();
  console.log(`cold start (creates the database): ${cold.ms.toFixed(0)} ms`);
  await cold.stop();

  const starts = [];
  const rss = [];
  let latency = [];
  for (let i = 1; i <= WARM_RUNS; i++) {
    const s = await start();
    await sleep(IDLE_MS);
    const mb = treeRssMb(s.proc.pid);
    if (i === 1) latency = await apiLatency(s.port);
    await s.stop();
    starts.push(s.ms);
    rss.push(mb);
    console.log(`warm start ${i}: ${s.ms.toFixed(0).padStart(5)} ms to serving; idle RSS ${mb.toFixed(0)} MB`);
  }
  const ms = median(starts);
  const mb = median(rss);
  console.log('');
  console.log(`median warm start-up to serving: ${ms.toFixed(0)} ms (target < ${TARGET_START_MS} ms) ${ms < TARGET_START_MS ? 'PASS' : 'MISS'}`);
  console.log(`median idle memory:              ${mb.toFixed(0)} MB RSS (target < ${TARGET_RSS_MB} MB) ${mb < TARGET_RSS_MB ? 'PASS' : 'MISS'}`);
  console.log(`GET /api/v1/auth/me, ${CALLS} sequential calls: p50 ${pct(latency, 50).toFixed(1)} ms, p95 ${pct(latency, 95).toFixed(1)} ms, p99 ${pct(latency, 99).toFixed(1)} ms`);
}

try {
  await main();
} finally {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
}
