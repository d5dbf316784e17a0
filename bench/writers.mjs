#!/usr/bin/env node
// Writers that must not wait on each other (issue 16, part 2), on PostgreSQL, through the real server:
//
// 1. Incident creation: POST /api/v1/incidents with a handler's API token, first from 1 client,
//    then from 8. Every creation takes the year's reference counter and appends to the audit chain;
//    both are taken as the transaction's last statements (src/db/commit-hooks.ts), so 8 clients
//    must create at least twice as many a second as 1 (target: ratio >= 2).
// 2. API report intake (POST /api/v1/reports, as bench/intake.mjs) beside PostgreSQL's own
//    single-row insert rate, measured in the same run: pgbench, 8 clients, a custom script of one
//    insert into a table of a report's width, in a scratch database. Target: intake >= 1/4 of it.
//
// Each measurement runs ROUNDS times (default 3) and the medians are compared. A fresh database
// vigil_bench_writers (and vigil_bench_pgbench for pgbench) on BENCH_PG_URL (default
// postgres://postgres@127.0.0.1:5432/postgres), dropped afterwards; skipped when PostgreSQL is not
// reachable. BENCH_WRITERS=off skips it (bench/run.mjs); BENCH_SECONDS (default 8) per measurement;
// BENCH_INTAKE_CLIENTS (default 32, as bench/intake.mjs) for the intake.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { children, killGroup, load, percentile, signIn, startServer, withFreshPgDatabase } from './lib/http.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS || 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const INTAKE_CLIENTS = Number(process.env.BENCH_INTAKE_CLIENTS || 32);
const PG_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const PASSWORD = 'Bench-Initial-Pass-1';
const CHOSEN = 'Bench-Chosen-Passphrase-2026';

const cleanups = [];
process.on('exit', () => {
  for (const c of children) killGroup(c, 'SIGKILL');
  for (const f of cleanups.splice(0)) f();
});
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => process.exit(130));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x) => Math.round(x).toLocaleString('en');

function post(agent, port, path, token, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent, timeout: 60_000,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': randomUUID() } }, (res) => {
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

/** A handler's API token, made through the API as a team would. */
async function handlerToken(port) {
  await signIn(port, 'admin', [PASSWORD, CHOSEN], CHOSEN);
  const admin = await signIn(port, 'admin', [CHOSEN]);
  const made = await api(port, admin, 'POST', '/users', { username: 'bench-writer', displayName: 'Bench writer', roles: ['handler'] });
  await signIn(port, 'bench-writer', [made.temporaryPassword], CHOSEN);
  const h = await signIn(port, 'bench-writer', [CHOSEN]);
  return (await api(port, h, 'POST', '/account/tokens', { name: 'bench', expiresInDays: 1 })).token;
}

/**
 * Requests per second of `op` from `clients` clients (failures throw: a bench of errors measures
 * nothing), and the share of the database's busy sessions that were waiting for a lock (sampled
 * from pg_stat_activity every 20 ms): what the writers' serialisation costs, whatever else the
 * machine's cores are doing.
 */
/** CPU seconds of this process's finished children (pgbench, psql). */
function childCpuSeconds() {
  try {
    const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return 0;
  }
}
const pgbenchCores = [];

/** CPU seconds used so far by a process (Linux /proc; 0 elsewhere). */
function cpuSeconds(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}
/** CPU seconds of a process and its descendants (the server under Node 20 is bin/vigil.mjs re-running itself on the pinned Node 24). */
function treeCpuSeconds(pid) {
  let kids = [];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean);
  } catch {
    /* gone, or not Linux */
  }
  return cpuSeconds(pid) + kids.reduce((a, k) => a + treeCpuSeconds(k), 0);
}
/** CPU seconds of PostgreSQL: its processes, and the backends that have ended (counted to the postmaster, which reaps them). */
function postgresCpuSeconds() {
  return postgresPids().reduce((a, p) => {
    try {
      const f = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
      return a + (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
    } catch {
      return a;
    }
  }, 0);
}
const postgresPids = () => (spawnSync('pgrep', ['-x', 'postgres'], { encoding: 'utf8' }).stdout ?? '').split('\n').filter(Boolean);
/** CPU seconds of the server, of every PostgreSQL process, and of this process (the clients). */
const cpuOf = (serverPid) => ({
  server: treeCpuSeconds(serverPid), postgres: postgresCpuSeconds(), clients: cpuSeconds(process.pid),
});

async function rate(op, clients, dbUrl, serverPid) {
  const { default: pg } = await import('pg');
  const mon = new pg.Client({ connectionString: dbUrl });
  await mon.connect();
  let busy = 0;
  let locked = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const r = await mon.query(`select count(*) filter (where state = 'active' or state like 'idle in transaction%') as busy,
        count(*) filter (where wait_event_type = 'Lock') as locked from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`);
      busy += Number(r.rows[0].busy);
      locked += Number(r.rows[0].locked);
      await new Promise((res) => setTimeout(res, 20));
    }
  })();
  try {
    const cpu0 = cpuOf(serverPid);
    const t0 = performance.now();
    const r = await load(op, { clients, warmupMs: 1500, measureMs: SECONDS * 1000, minSamples: 50 });
    const wall = (performance.now() - t0) / 1000;
    const cpu1 = cpuOf(serverPid);
    if (r.errors.length) throw new Error(`${r.errors.length} failed requests, first: ${r.errors[0]}`);
    // Cores kept busy over the whole load (warm-up included): what the machine had left to give.
    const cores = Object.fromEntries(Object.keys(cpu0).map((k) => [k, (cpu1[k] - cpu0[k]) / wall]));
    return { rps: r.rps, p50: percentile(r.times, 50), p99: percentile(r.times, 99), lockShare: busy ? locked / busy : 0, cores };
  } finally {
    sampling = false;
    await sampler;
    await mon.end();
  }
}
const pct = (x) => `${(x * 100).toFixed(0)} %`;

let n = 0;
const createIncident = (port, token) => async (agent) => {
  const i = ++n;
  const r = await post(agent, port, '/api/v1/incidents', token, JSON.stringify({
    title: `Scanning from 198.51.100.${i % 250} (${i})`, summary: 'Seen by the perimeter sensors.', impact: 'low', urgency: 'medium', tlp: 'AMBER',
    classifications: [{ class: 'information-gathering', type: 'scanner' }],
  }));
  if (r.status !== 201) throw new Error(`POST /incidents: ${r.status} ${r.body.slice(0, 200)}`);
};
const fileReport = (port, token) => async (agent) => {
  const i = ++n;
  const r = await post(agent, port, '/api/v1/reports', token, JSON.stringify({
    title: `Phishing wave ${i}`, body: `Reported by a constituent: mail from attacker${i % 97}@example.net linking hxxp://login-${i % 13}.example[.]com`, channel: 'api', tlp: 'AMBER',
  }));
  if (r.status !== 201) throw new Error(`POST /reports: ${r.status} ${r.body.slice(0, 200)}`);
};

/** pgbench's own rate of single-row inserts (8 clients) into a table of a report's width, in a scratch database. */
async function pgbenchInserts(dbUrl) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-pgbench-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const psql = (sql) => {
    const r = spawnSync('psql', [dbUrl, '-v', 'ON_ERROR_STOP=1', '-qc', sql], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`psql: ${r.stderr || r.error}`);
  };
  psql(`create table if not exists bench_report (id uuid primary key default gen_random_uuid(), reference text not null unique, title text not null, body text not null,
    channel text not null, tlp text not null, status text not null default 'new', received_at timestamptz not null default now(), created_by uuid)`);
  const script = join(dir, 'insert.sql');
  writeFileSync(script, `\\set id random(1, 2000000000)
insert into bench_report (reference, title, body, channel, tlp) values ('R-' || :id || '-' || :client_id || '-' || random(), 'Phishing wave ' || :id, 'Reported by a constituent: mail from attacker@example.net linking hxxp://login.example[.]com', 'api', 'AMBER');
`);
  const pg0 = postgresCpuSeconds();
  const kids0 = childCpuSeconds();
  const t0 = performance.now();
  const r = spawnSync('pgbench', ['-n', '-c', '8', '-j', '2', '-T', String(SECONDS), '-f', script, dbUrl], { encoding: 'utf8' });
  const wall = (performance.now() - t0) / 1000;
  pgbenchCores.push({ postgres: (postgresCpuSeconds() - pg0) / wall, client: (childCpuSeconds() - kids0) / wall });
  if (r.status !== 0) throw new Error(`pgbench: ${r.stderr || r.error}`);
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(r.stdout)?.[1];
  if (!tps) throw new Error(`pgbench printed no rate: ${r.stdout}`);
  psql('truncate bench_report');
  return Number(tps);
}

async function main() {
  if ((process.env.BENCH_WRITERS || 'on').toLowerCase() === 'off') return;
  console.log(`\nWriters on PostgreSQL (bench/writers.mjs; ${cpus().length} CPUs shared by the server, PostgreSQL and the clients; ${ROUNDS} rounds of ${SECONDS} s, medians)`);
  if (spawnSync('pgbench', ['--version']).status !== 0) console.log('  pgbench not found: the intake ratio is skipped');
  let pgbench = [];
  await withFreshPgDatabase(PG_URL, 'vigil_bench_pgbench', async (url) => {
    if (spawnSync('pgbench', ['--version']).status === 0) for (let i = 0; i < ROUNDS; i++) pgbench.push(await pgbenchInserts(url));
  });
  await withFreshPgDatabase(PG_URL, 'vigil_bench_writers', async (url) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-writers-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const server = await startServer({ databaseUrl: url, dataDir, adminPassword: PASSWORD });
    try {
      const token = await handlerToken(server.port);
      const one = [];
      const eight = [];
      const intake = [];
      const floor = [];
      const me = (agent) => new Promise((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: server.port, path: '/api/v1/auth/me', agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`GET /auth/me: ${res.statusCode}`))));
        });
        req.on('error', reject);
        req.end();
      });
      for (let i = 0; i < ROUNDS; i++) {
        floor.push(await rate(me, INTAKE_CLIENTS, url, server.proc.pid));
        one.push(await rate(createIncident(server.port, token), 1, url, server.proc.pid));
        eight.push(await rate(createIncident(server.port, token), 8, url, server.proc.pid));
        intake.push(await rate(fileReport(server.port, token), INTAKE_CLIENTS, url, server.proc.pid));
      }
      const r1 = median(one.map((r) => r.rps));
      const r8 = median(eight.map((r) => r.rps));
      console.log(`  incident creation, 1 client:   ${fmt(r1).padStart(6)}/s  (rounds ${one.map((r) => fmt(r.rps)).join(', ')}; p50 ${median(one.map((r) => r.p50)).toFixed(1)} ms)`);
      console.log(`  incident creation, 8 clients:  ${fmt(r8).padStart(6)}/s  (rounds ${eight.map((r) => fmt(r.rps)).join(', ')}; p50 ${median(eight.map((r) => r.p50)).toFixed(1)} ms; busy sessions waiting for a lock ${pct(median(eight.map((r) => r.lockShare)))})`);
      console.log(`  ratio 8 / 1 clients: ${(r8 / r1).toFixed(2)}  (target >= 2)  ${r8 / r1 >= 2 ? 'PASS' : 'MISS'}`);
      const ri = median(intake.map((r) => r.rps));
      console.log(`  API report intake, ${INTAKE_CLIENTS} clients: ${fmt(ri).padStart(6)}/s  (rounds ${intake.map((r) => fmt(r.rps)).join(', ')}; p99 ${median(intake.map((r) => r.p99)).toFixed(1)} ms; busy sessions waiting for a lock ${pct(median(intake.map((r) => r.lockShare)))})`);
      const rf = median(floor.map((r) => r.rps));
      console.log(`  ceiling: token-authenticated GET /auth/me, no writes, ${INTAKE_CLIENTS} clients: ${fmt(rf).padStart(6)}/s  (rounds ${floor.map((r) => fmt(r.rps)).join(', ')})`);
      if (pgbench.length) {
        const pb = median(pgbench);
        console.log(`  ratio ceiling / pgbench: ${(rf / pb).toFixed(3)}  (what the HTTP stack alone allows on this machine)`);
        console.log(`  pgbench single-row inserts, 8 clients: ${fmt(pb).padStart(6)}/s  (rounds ${pgbench.map(fmt).join(', ')})`);
        console.log(`  ratio intake / pgbench: ${(ri / pb).toFixed(3)}  (target >= 0.25)  ${ri / pb >= 0.25 ? 'PASS' : 'MISS'}`);
        const pc = (k) => median(pgbenchCores.map((c) => c[k]));
        console.log(`  cores busy, pgbench: PostgreSQL ${pc('postgres').toFixed(2)}, pgbench ${pc('client').toFixed(2)}; CPU per insert ${((pc('postgres') * 1000) / pb).toFixed(2)} + ${((pc('client') * 1000) / pb).toFixed(2)} ms`);
      }
      // Where the CPU went: cores busy (server, PostgreSQL, the clients) and CPU milliseconds per
      // request. When they add up to the machine's cores, more clients cannot go faster.
      const usage = (name, runs) => {
        const c = (k) => median(runs.map((r) => r.cores[k]));
        const per = (k) => median(runs.map((r) => (r.cores[k] * 1000) / r.rps));
        console.log(`  cores busy, ${name}: server ${c('server').toFixed(2)}, PostgreSQL ${c('postgres').toFixed(2)}, clients ${c('clients').toFixed(2)} `
          + `(of ${cpus().length}); CPU per request ${per('server').toFixed(2)} + ${per('postgres').toFixed(2)} + ${per('clients').toFixed(2)} ms`);
      };
      usage('creation, 1 client', one);
      usage('creation, 8 clients', eight);
      usage(`intake, ${INTAKE_CLIENTS} clients`, intake);
      usage(`no-write ceiling, ${INTAKE_CLIENTS} clients`, floor);
      // The chain is whole after all of it.
      const v = await api(server.port, await signIn(server.port, 'admin', [CHOSEN]), 'GET', '/audit/verify');
      console.log(`  audit chain after the run: ${v.ok ? 'verified' : 'BROKEN'} (${fmt(v.checked)} records)`);
      if (!v.ok) process.exitCode = 1;
    } finally {
      await server.stop();
    }
  });
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
