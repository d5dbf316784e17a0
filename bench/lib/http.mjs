// Server processes and HTTP load for the scale benchmark: start `vigil serve` in its own process
// group, sign in, and drive N concurrent keep-alive clients, recording each request's latency.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/vigil.mjs', import.meta.url));
const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 30_000;

/** Live server processes, each the leader of its own process group (for cleanup). */
export const children = new Set();

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function killGroup(proc, signal) {
  try {
    process.kill(-proc.pid, signal);
  } catch {
    /* already gone */
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts `vigil serve` with the given store settings (DATABASE_URL or VIGIL_DATA_DIR) and resolves
 * once /readyz answers 200.
 */
export async function startServer({ databaseUrl, dataDir, adminPassword, pollMs = 50 }) {
  const port = await freePort();
  const env = { ...process.env };
  delete env.DATABASE_URL;
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  const t0 = performance.now();
  // BENCH_SERVER_NODE_ARGS: options for the server's Node.js (e.g. --cpu-prof, to see where a bench's time goes).
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, BIN, 'serve'], {
    env: { ...env, VIGIL_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', VIGIL_ADMIN_PASSWORD: adminPassword, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  children.add(proc);
  const exited = new Promise((r) => proc.once('exit', (code, signal) => r(code ?? signal)));
  void exited.then(() => children.delete(proc));
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`server exited early (${proc.exitCode ?? proc.signalCode})`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) });
      await r.arrayBuffer();
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (performance.now() - t0 > READY_TIMEOUT_MS) throw new Error(`server not ready within ${READY_TIMEOUT_MS / 1000} s`);
    await sleep(pollMs);
  }
  return {
    proc,
    port,
    ms: performance.now() - t0,
    async stop() {
      // To the process only: bin/vigil.mjs passes it on to a re-executed child (one signal each;
      // a second SIGTERM makes the server exit at once, without closing the store cleanly).
      try {
        process.kill(proc.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      const timer = setTimeout(() => killGroup(proc, 'SIGKILL'), STOP_TIMEOUT_MS);
      const how = await exited;
      clearTimeout(timer);
      if (how !== 0) console.warn(`  (server ended with ${how} after SIGTERM)`);
    },
  };
}

/**
 * Signs in with the first password that works; if the account must change its password, changes
 * it to `change` (as bench/run.mjs does for the admin). Returns the session cookie and CSRF token.
 */
export async function signIn(port, username, passwords, change) {
  const base = `http://127.0.0.1:${port}/api/v1`;
  const json = { 'content-type': 'application/json' };
  let r;
  let used;
  for (const password of passwords) {
    r = await fetch(`${base}/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ username, password }) });
    used = password;
    if (r.status === 200) break;
    await r.arrayBuffer();
  }
  if (r.status !== 200) throw new Error(`POST /auth/login as ${username}: ${r.status} ${await r.text()}`);
  const cookie = r.headers.getSetCookie().find((c) => c.startsWith('vigil_session='))?.split(';')[0];
  if (!cookie) throw new Error('POST /auth/login set no vigil_session cookie');
  const body = await r.json();
  const mustChange = body.user?.mustChangePassword ?? false;
  if (mustChange && change) {
    r = await fetch(`${base}/auth/password`, {
      method: 'POST',
      headers: { ...json, cookie, 'x-csrf-token': body.csrfToken },
      body: JSON.stringify({ currentPassword: used, newPassword: change }),
    });
    if (r.status !== 204) throw new Error(`POST /auth/password: ${r.status} ${await r.text()}`);
  }
  return { cookie, csrfToken: body.csrfToken, user: body.user };
}

/** A GET on a keep-alive agent; resolves { status, body } (body parsed as JSON when possible). */
export function get(agent, port, path, cookie, timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'GET', agent, headers: { cookie, accept: 'application/json' }, timeout: timeoutMs }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let body = text;
        try {
          body = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode, body });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer within ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end();
  });
}

const sorted = (xs) => [...xs].sort((a, b) => a - b);
/** Nearest-rank percentile. */
export const percentile = (xs, p) => (xs.length ? sorted(xs)[Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1))] : NaN);

/**
 * Runs `op(agent)` (one page load: one or more requests; it throws on a wrong answer) from
 * `clients` concurrent loops: first for `warmupMs`, unrecorded, then for `measureMs` and until
 * `minSamples` loads are in, but no new load starts after `maxMs` (every client finishes at least
 * one, so a very slow scenario still gets `clients` samples, all under full concurrency).
 * Returns the latencies in ms and the throughput.
 */
export async function load(op, { clients, warmupMs, measureMs, minSamples = 50, maxMs = 45_000 }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  try {
    const phase = async (ms, record) => {
      const times = [];
      const errors = [];
      const t0 = performance.now();
      const stopAt = () => {
        const el = performance.now() - t0;
        return el >= maxMs || (el >= ms && (!record || times.length >= minSamples));
      };
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (!stopAt()) {
            const t = performance.now();
            try {
              await op(agent);
            } catch (e) {
              errors.push(String(e?.message ?? e)); // a failed or timed-out load counts, at its time
            }
            times.push(performance.now() - t);
          }
        }),
      );
      return { times, errors, seconds: (performance.now() - t0) / 1000 };
    };
    await phase(warmupMs, false);
    const { times, errors, seconds } = await phase(measureMs, true);
    return { times, errors, seconds, rps: times.length / seconds };
  } finally {
    agent.destroy();
  }
}

/**
 * Runs `fn(url)` against a fresh PostgreSQL database `name` on the server of `adminUrl`, dropped
 * afterwards; says so and skips when PostgreSQL is not reachable.
 */
export async function withFreshPgDatabase(adminUrl, name, fn) {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (e) {
    console.log(`PostgreSQL at ${adminUrl} not reachable (${e.message}): skipped`);
    return;
  }
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    await fn(url.toString());
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}
