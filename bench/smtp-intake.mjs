#!/usr/bin/env node
// SMTP intake throughput: real SMTP clients send 20 KB reports to the listener of a real `vigil
// serve`, and the figures are what a sending MTA sees. `npm run bench` runs it after the scale
// benchmark (bench/run.mjs); `node bench/smtp-intake.mjs` runs it alone. It needs no build.
//
// For each store, a fresh server (embedded: a temporary data folder; PostgreSQL: a database
// vigil_bench_smtp, dropped and recreated) listens for SMTP on a free port. A nodemailer pool of
// CONNECTIONS connections carries CONNECTIONS concurrent senders, each sending one message after
// another: a warm-up, then BENCH_SMTP_SECONDS measured. Each message is a distinct 20 KB text
// report (its own subject and body, so deduplication makes no repeats). Printed: messages
// acknowledged (250, i.e. stored durably) per second, p50/p95/max of the SMTP transaction (MAIL
// FROM to the 250 after DATA), and how long after the last 250 the background parse had made
// the last report (the parse queue catching up).
//
// Settings: BENCH_STORES=postgres,embedded (default both; PostgreSQL is skipped when not
// reachable), BENCH_PG_URL (default DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres),
// BENCH_SMTP_SECONDS (default 20).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import pg from 'pg';
import { children, get, killGroup, percentile, signIn, sleep, startServer } from './lib/http.mjs';

const STORES = (process.env.BENCH_STORES || 'postgres,embedded').split(',').map((s) => s.trim());
const PG_URL = process.env.BENCH_PG_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const MEASURE_S = Number(process.env.BENCH_SMTP_SECONDS || 20);
const WARMUP_S = 3;
const CONNECTIONS = 8;
const MESSAGE_BYTES = 20 * 1024;
const TARGET_PER_S = 100;
const DRAIN_TIMEOUT_MS = 300_000;
const ADMIN_PASSWORD = 'Bench-Initial-Pass-1';
const ADMIN_CHOSEN = 'Bench-Chosen-Passphrase-2026';
const DB_NAME = 'vigil_bench_smtp';
const tempDirs = [];
const run = Date.now().toString(36);

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

/** A plain-text report of about MESSAGE_BYTES: a proxy log excerpt, different for every message. */
function message(n) {
  const token = `r${run}n${n}`;
  const head = [
    `From: Reporter ${n % 97} <reporter${n % 97}@example.org>`, 'To: csirt@example.org', `Subject: Bench report ${token}`,
    `Date: ${new Date().toUTCString()}`, `Message-ID: <${token}@bench.example.org>`, 'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', 'Suspicious requests seen by our proxy:', '',
  ].join('\r\n');
  const lines = [];
  let size = head.length;
  for (let i = 0; size < MESSAGE_BYTES; i++) {
    const line = `2026-03-03T10:${String(i % 60).padStart(2, '0')}:00Z 203.0.113.${(n + i) % 250} GET https://login-${n}.example.net/${i} 200 ua="Mozilla/5.0"`;
    lines.push(line);
    size += line.length + 2;
  }
  return { token, raw: Buffer.from(`${head}${lines.join('\r\n')}\r\n`) };
}

/** Sends from CONNECTIONS concurrent senders over a pool; returns transaction times and the last item id. */
async function load(port, ms, record) {
  const transport = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: CONNECTIONS, maxMessages: Infinity });
  const times = [];
  const errors = [];
  let next = record ? 1_000_000 : 0;
  let last = null;
  const t0 = performance.now();
  try {
    await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() - t0 < ms) {
        const m = message(next++);
        const t = performance.now();
        try {
          const info = await transport.sendMail({ envelope: { from: `sender${next % 97}@example.org`, to: ['csirt@example.org'] }, raw: m.raw });
          times.push(performance.now() - t);
          last = m.token;
          if (!/^250 /.test(info.response)) errors.push(info.response);
        } catch (e) {
          errors.push(String(e?.response ?? e?.message ?? e));
        }
      }
    }));
  } finally {
    transport.close();
  }
  return { times, errors, seconds: (performance.now() - t0) / 1000, last };
}

/** Waits until the report of the last acknowledged message can be found: the parse has caught up. */
async function drained(port, cookie, token) {
  const t0 = performance.now();
  while (performance.now() - t0 < DRAIN_TIMEOUT_MS) {
    const r = await get(undefined, port, `/api/v1/reports?q=${token}&limit=1`, cookie);
    if (r.status === 200 && r.body.items?.length) return (performance.now() - t0) / 1000;
    await sleep(100);
  }
  return NaN;
}

async function bench(label, startArgs) {
  const smtpPort = await freePort();
  Object.assign(process.env, { VIGIL_SMTP_PORT: String(smtpPort), VIGIL_SMTP_HOST: '127.0.0.1', VIGIL_SMTP_RATE_PER_HOUR: '1000000' });
  const server = await startServer({ ...startArgs, adminPassword: ADMIN_PASSWORD });
  try {
    const { cookie } = await signIn(server.port, 'admin', [ADMIN_PASSWORD, ADMIN_CHOSEN], ADMIN_CHOSEN);
    console.log(`  server ready in ${(server.ms / 1000).toFixed(1)} s; SMTP on port ${smtpPort}; ${CONNECTIONS} connections, ${WARMUP_S} s warm-up + ${MEASURE_S} s measured`);
    await load(smtpPort, WARMUP_S * 1000, false);
    const m = await load(smtpPort, MEASURE_S * 1000, true);
    const drain = m.last ? await drained(server.port, cookie, m.last) : NaN;
    const rate = m.times.length / m.seconds;
    const row = {
      label, n: m.times.length, rate, errors: m.errors, drain,
      p50: percentile(m.times, 50), p95: percentile(m.times, 95), max: Math.max(...m.times),
      parsedRate: m.times.length / (m.seconds + drain),
    };
    console.log(
      `  ${label}: ${row.n} messages, ${rate.toFixed(1)} msg/s acknowledged; SMTP transaction p50 ${row.p50.toFixed(1)} ms, p95 ${row.p95.toFixed(1)} ms, max ${row.max.toFixed(0)} ms; ` +
        `last report parsed ${drain.toFixed(1)} s after the last 250 (${row.parsedRate.toFixed(1)} msg/s parsed overall)` +
        (m.errors.length ? `; ${m.errors.length} failed: ${m.errors[0].slice(0, 120)}` : ''),
    );
    return row;
  } finally {
    await server.stop();
  }
}

async function postgres() {
  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (e) {
    console.log(`\nPostgreSQL: not reachable at ${PG_URL} (${e.message}): skipped`);
    return null;
  }
  try {
    const { server_version: version } = (await admin.query('show server_version')).rows[0];
    console.log(`\nPostgreSQL ${version}: database ${DB_NAME} (dropped and created afresh)`);
    await admin.query(`drop database if exists ${DB_NAME} with (force)`);
    await admin.query(`create database ${DB_NAME}`);
    const url = new URL(PG_URL);
    url.pathname = `/${DB_NAME}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-smtp-pg-'));
    tempDirs.push(dataDir);
    return await bench('PostgreSQL', { databaseUrl: url.toString(), dataDir });
  } finally {
    await admin.query(`drop database if exists ${DB_NAME} with (force)`).catch(() => undefined);
    await admin.end();
  }
}

async function embedded() {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-smtp-'));
  tempDirs.push(dataDir);
  console.log(`\nEmbedded store (PGlite) in ${dataDir}`);
  return bench('Embedded (PGlite)', { dataDir });
}

async function main() {
  console.log(`\nVigil SMTP intake benchmark: ${MESSAGE_BYTES / 1024} KB messages, Node.js ${process.version}, ${cpus().length} CPUs; stores: ${STORES.join(', ')}`);
  const rows = [];
  if (STORES.includes('postgres')) {
    const r = await postgres();
    if (r) rows.push(r);
  }
  if (STORES.includes('embedded')) rows.push(await embedded());
  console.log(`\n=== SMTP intake summary (${CONNECTIONS} connections, ${MEASURE_S} s; target >= ${TARGET_PER_S} msg/s acknowledged) ===`);
  for (const r of rows) {
    const pass = r.rate >= TARGET_PER_S && r.errors.length === 0;
    console.log(
      `${r.label.padEnd(18)} ${r.rate.toFixed(1).padStart(7)} msg/s  p50 ${r.p50.toFixed(1).padStart(6)} ms  p95 ${r.p95.toFixed(1).padStart(6)} ms  ` +
        `parse caught up ${r.drain.toFixed(1)} s after the load  ${pass ? 'PASS' : 'MISS'}${r.errors.length ? ` (${r.errors.length} errors)` : ''}`,
    );
    if (!pass) process.exitCode = 1;
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
  console.error(`smtp bench failed: ${e instanceof Error ? e.stack : e}`);
  process.exitCode = 1;
} finally {
  cleanup();
}
process.exit();
