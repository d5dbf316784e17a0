#!/usr/bin/env node
// Intake throughput: what a CSIRT's busiest channels push at Vigil, through the real server.
//
// 1. API report intake: 32 concurrent keep-alive clients POST /api/v1/reports with a handler's API
//    token and an Idempotency-Key each (every request stores the body raw, numbers and files the
//    report, audits it). Target: >= 1,000 reports/s with p99 < 100 ms on PostgreSQL, >= 300/s on
//    the embedded store.
// 2. Webhook alerts with deduplication on: 16 clients POST /api/v1/intake/alerts as a monitoring
//    source, 50 alerts per body, one in five a repeat of an earlier alert (same fingerprint within
//    the window). Target: >= 2,000 alerts/s on PostgreSQL.
// 3. Responsiveness during a 100,000-message mbox import (PostgreSQL, where `vigil import` runs
//    beside the server): 4 clients load the triage lists (new reports, open alerts) for
//    BENCH_IMPORT_SECONDS (default 30) while the import runs; target p95 < 200 ms. The import's own
//    rate is printed too; it is stopped after the measurement (its messages so far stay).
// Each store gets a fresh database: PostgreSQL (BENCH_PG_URL, default
// postgres://postgres@127.0.0.1:5432/postgres) in a dedicated database vigil_bench_intake created
// for the run, and the embedded store in a temporary data folder. BENCH_STORES=postgres,embedded
// (default both; PostgreSQL is skipped when it is not reachable), BENCH_SECONDS (default 10).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { children, get, killGroup, load, percentile, signIn, startServer, withFreshPgDatabase } from './lib/http.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS || 10);
const STORES = (process.env.BENCH_STORES || 'postgres,embedded').split(',').map((s) => s.trim());
const PG_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const DB = 'vigil_bench_intake';
const PASSWORD = 'Bench-Initial-Pass-1';
const CHOSEN = 'Bench-Chosen-Passphrase-2026';
const BATCH = 50;
const IMPORT_MESSAGES = Number(process.env.BENCH_IMPORT_MESSAGES || 100_000);
const IMPORT_SECONDS = Number(process.env.BENCH_IMPORT_SECONDS || 30);
const BIN = fileURLToPath(new URL('../bin/vigil.mjs', import.meta.url));

/** Writes an mbox of `n` distinct reports of about 1.5 KB, as a mail server would have kept them. */
async function writeMbox(path, n) {
  const out = createWriteStream(path);
  for (let i = 0; i < n; i++) {
    const date = new Date(Date.UTC(2026, 10, 1) + i * 1000).toUTCString();
    const msg = [
      `From reporter${i % 500}@example.org ${date}`,
      `From: Reporter ${i % 500} <reporter${i % 500}@example.org>`,
      'To: cert@vigil.example',
      `Subject: Suspicious mail ${i} at our site`,
      `Message-ID: <bench-${i}@example.org>`,
      `Date: ${date}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Hello CERT, we received mail number ${i} linking to hxxp://login-${i % 97}.example[.]com/owa from 198.51.${(i >> 8) & 255}.${i & 255}.`,
      'According to the logs several users clicked. '.repeat(20),
      '>From the team: please advise.',
      '',
      '',
    ].join('\n');
    if (!out.write(msg)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r, j) => out.end((e) => (e ? j(e) : r())));
}

/** The triage lists stay responsive while `vigil import mbox` of IMPORT_MESSAGES runs beside the server. */
async function importPhase(server, databaseUrl, dataDir) {
  const session = await signIn(server.port, 'bench-intake', [CHOSEN]);
  const mbox = join(dataDir, 'bench.mbox');
  await writeMbox(mbox, IMPORT_MESSAGES);
  const env = { ...process.env, DATABASE_URL: databaseUrl, VIGIL_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  const t0 = performance.now();
  const proc = spawn(process.execPath, [BIN, 'import', 'mbox', mbox], { env, stdio: ['ignore', 'ignore', 'ignore'], detached: true });
  children.add(proc);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const stored = async () => Number((await db.query("select count(*) as n from intake_item where channel = 'email'")).rows[0].n);
  // Give the import a moment to start storing before measuring.
  while ((await stored()) === 0 && proc.exitCode === null && performance.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 200));
  const before = await stored();
  const tm = performance.now();
  const lists = await load(async (agent) => {
    for (const path of ['/api/v1/reports?status=new&limit=50', '/api/v1/alerts?status=new,acknowledged&limit=50']) {
      const r = await get(agent, server.port, path, session.cookie);
      if (r.status !== 200) throw new Error(`GET ${path}: ${r.status}`);
    }
  }, { clients: 4, warmupMs: 1000, measureMs: IMPORT_SECONDS * 1000, minSamples: 50 });
  const after = await stored();
  const running = proc.exitCode === null;
  const rate = (after - before) / ((performance.now() - tm) / 1000);
  killGroup(proc, 'SIGTERM');
  await db.end();
  const p95 = percentile(lists.times, 95);
  console.log(`  triage lists during a ${IMPORT_MESSAGES.toLocaleString('en')}-message mbox import, 4 clients: p50 ${fmt(percentile(lists.times, 50))} ms  p95 ${fmt(p95)} ms  ` +
    `(import ${running ? 'still running' : 'had finished'}, storing ${Math.round(rate)} messages/s meanwhile)  ${p95 < 200 && running ? 'PASS' : 'MISS'}`);
}

const cleanups = [];
const cleanup = () => {
  for (const c of children) killGroup(c, 'SIGKILL');
  for (const f of cleanups.splice(0)) f();
};
process.on('exit', cleanup);
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => process.exit(130));

/** A POST on a keep-alive agent; resolves { status, body }. */
function post(agent, port, path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers }, timeout: 60_000 }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`POST ${path}: no answer within 60 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function api(port, session, method, path, body) {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1${path}`, {
    method, headers: { 'content-type': 'application/json', cookie: session.cookie, 'x-csrf-token': session.csrfToken }, body: body ? JSON.stringify(body) : undefined,
  });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

/** A handler's API token and a monitoring source's token, made through the API as a team would. */
async function credentials(port) {
  const admin = await signIn(port, 'admin', [PASSWORD, CHOSEN], CHOSEN);
  const adminSession = await signIn(port, 'admin', [CHOSEN]);
  const made = await api(port, adminSession, 'POST', '/users', { username: 'bench-intake', displayName: 'Bench intake', roles: ['handler'] });
  const handler = await signIn(port, 'bench-intake', [made.temporaryPassword], CHOSEN);
  const h2 = await signIn(port, 'bench-intake', [CHOSEN]);
  const { token } = await api(port, h2, 'POST', '/account/tokens', { name: 'bench', expiresInDays: 1 });
  const source = await api(port, adminSession, 'POST', '/intake/sources', {
    name: 'bench-siem', dedupWindowSeconds: 3600,
    mapping: {
      items: '$.alerts', title: '{{rule}} on {{host}}', severity: { from: '$.level', map: { '>=12': 'critical', '>=8': 'high', '>=4': 'medium', '<4': 'low' } },
      sourceRef: '$.id', fingerprint: ['$.rule', '$.host', '$.src'], observables: [{ type: 'ipv4', from: '$.src' }],
      classification: { from: '$.category', map: { scan: 'information-gathering:scanner', brute: 'intrusion-attempts:brute-force' } },
    },
  });
  void admin;
  void handler;
  return { userToken: token, sourceToken: source.token };
}

const fmt = (x) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
function report(label, r, unitsPerLoad, unit, target) {
  const p50 = percentile(r.times, 50);
  const p95 = percentile(r.times, 95);
  const p99 = percentile(r.times, 99);
  const rate = r.rps * unitsPerLoad;
  const ok = target(rate, p99);
  console.log(`  ${label.padEnd(44)} ${String(Math.round(rate)).padStart(6)} ${unit}/s  request p50 ${fmt(p50)} ms  p95 ${fmt(p95)} ms  p99 ${fmt(p99)} ms  ` +
    `${r.errors.length ? `${r.errors.length} errors (${r.errors[0]})  ` : ''}${ok === null ? '(ceiling)' : ok ? 'PASS' : 'MISS'}`);
}

async function run(label, server, targets) {
  const { userToken, sourceToken } = await credentials(server.port);
  console.log(`\n${label} (${cpus().length} CPUs, shared with the server and its database)`);
  // The ceiling: an authenticated request that reads one token and writes nothing, at 32 clients.
  const floor = await load(async (agent) => {
    const r = await new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: server.port, path: '/api/v1/auth/me', agent, headers: { authorization: `Bearer ${userToken}` } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', reject);
      req.end();
    });
    if (r !== 200) throw new Error(`GET /auth/me: ${r}`);
  }, { clients: 32, warmupMs: 2000, measureMs: SECONDS * 1000, minSamples: 200 });
  report('baseline GET /auth/me (no writes), 32 clients', floor, 1, 'requests', () => null);
  let n = 0;
  const reports = await load(async (agent) => {
    const i = ++n;
    const r = await post(agent, server.port, '/api/v1/reports', { authorization: `Bearer ${userToken}`, 'idempotency-key': `bench-${i}-${randomUUID()}` },
      JSON.stringify({ title: `Phishing wave ${i}`, body: `Reported by a constituent: mail from attacker${i % 97}@example.net linking hxxp://login-${i % 13}.example[.]com`, channel: 'api', tlp: 'AMBER' }));
    if (r.status !== 201) throw new Error(`POST /reports: ${r.status} ${r.body.slice(0, 200)}`);
  }, { clients: 32, warmupMs: 3000, measureMs: SECONDS * 1000, minSamples: 200 });
  report('API reports, 32 clients', reports, 1, 'reports', targets.reports);

  let m = 0;
  const alerts = await load(async (agent) => {
    const b = ++m;
    const items = Array.from({ length: BATCH }, (_, k) => {
      // One in five repeats an alert of an earlier body (same rule, host and source address).
      const seq = k % 5 === 0 ? (b * BATCH + k) % 1000 : b * BATCH + k + 1_000_000;
      return { id: `${b}-${k}`, rule: `rule-${seq % 40}`, host: `host-${seq}`, src: `198.51.${(seq >> 8) & 255}.${seq & 255}`, level: seq % 15, category: seq % 2 ? 'scan' : 'brute' };
    });
    const r = await post(agent, server.port, '/api/v1/intake/alerts', { authorization: `Bearer ${sourceToken}` }, JSON.stringify({ alerts: items }));
    if (r.status !== 202) throw new Error(`POST /intake/alerts: ${r.status} ${r.body.slice(0, 200)}`);
  }, { clients: 16, warmupMs: 3000, measureMs: SECONDS * 1000, minSamples: 100 });
  report(`webhook alerts (${BATCH} per body, dedup on), 16 clients`, alerts, BATCH, 'alerts', targets.alerts);
}

async function main() {
  if (STORES.includes('postgres')) {
    await withFreshPgDatabase(PG_URL, DB, async (url) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-intake-pg-'));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      const server = await startServer({ databaseUrl: url, dataDir, adminPassword: PASSWORD });
      try {
        await run('PostgreSQL', server, { reports: (rate, p99) => rate >= 1000 && p99 < 100, alerts: (rate) => rate >= 2000 });
        await importPhase(server, url, dataDir);
      } finally {
        await server.stop();
      }
    });
  }
  if (STORES.includes('embedded')) {
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-intake-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const server = await startServer({ dataDir, adminPassword: PASSWORD });
    try {
      await run('Embedded store (PGlite)', server, { reports: (rate) => rate >= 300, alerts: () => true });
    } finally {
      await server.stop();
    }
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
