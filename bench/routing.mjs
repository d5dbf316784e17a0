#!/usr/bin/env node
// Constituent routing: whose is this address?
//
// 1. In memory: the routing table the server keeps (src/modules/constituents/routing-index.ts) with
//    100,000 netblocks (60% IPv4, 40% IPv6, nested three deep: /12-/16 holding /20-/24 holding
//    /28-/32, and /32 holding /48-/56 holding /64-/128 for IPv6), looked up with a mix of addresses
//    inside them and random ones. Target: >= 500,000 lookups/s on one core.
// 2. Through the API: the same 100,000 netblocks imported by CSV (1,000 constituents) into a real
//    server, then GET /api/v1/constituents/route?address=… (the database lookup, GiST index) with
//    1 and 4 clients, on PostgreSQL (BENCH_PG_URL, database vigil_bench_routing, dropped after) and
//    on the embedded store. Target: p95 < 5 ms (judged on each line). A sample of 500 API answers is
//    checked against the in-memory table (they must name the same netblock).
// BENCH_STORES=postgres,embedded (default both), BENCH_SECONDS (default 10), BENCH_ROUTING_NETS.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatNet, parseCidr } from '../src/lib/ip.ts';
import { RoutingTable } from '../src/modules/constituents/routing-index.ts';
import { children, get, killGroup, load, percentile, signIn, startServer, withFreshPgDatabase } from './lib/http.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS || 10);
const STORES = (process.env.BENCH_STORES || 'postgres,embedded').split(',').map((s) => s.trim());
const PG_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const DB = 'vigil_bench_routing';
const NETS = Number(process.env.BENCH_ROUTING_NETS || 100_000);
const CONSTITUENTS = 1000;
const PASSWORD = 'Bench-Initial-Pass-1';
const CHOSEN = 'Bench-Chosen-Passphrase-2026';

// A small deterministic PRNG, so every run measures the same data.
let seed = 42;
const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const int = (n) => Math.floor(rnd() * n);

const v4 = (x) => [x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255].join('.');
const maskV4 = (x, len) => (len === 0 ? 0 : (x & (0xffffffff << (32 - len))) >>> 0);
/** IPv6 from eight 16-bit groups, without compression (the server normalises). */
const v6 = (g) => g.map((x) => x.toString(16)).join(':');
const maskV6 = (g, len) => g.map((x, i) => { const bits = Math.max(0, Math.min(16, len - i * 16)); return bits === 0 ? 0 : x & ((0xffff << (16 - bits)) & 0xffff); });

/** 100,000 distinct networks, nested three deep, and the addresses to look up. */
function generate() {
  const nets = new Set();
  const add = (s) => nets.add(s);
  const v4Count = Math.round(NETS * 0.6);
  while (nets.size < v4Count) {
    const base = ((1 + int(223)) << 24 | int(1 << 24)) >>> 0;
    const l1 = 12 + int(5);
    add(`${v4(maskV4(base, l1))}/${l1}`);
    for (let k = 0; k < 3 && nets.size < v4Count; k++) {
      const inner = (maskV4(base, l1) | (int(2 ** (32 - l1)))) >>> 0;
      const l2 = 20 + int(5);
      add(`${v4(maskV4(inner, l2))}/${l2}`);
      for (let j = 0; j < 2 && nets.size < v4Count; j++) {
        const l3 = 28 + int(5);
        add(`${v4(maskV4((maskV4(inner, l2) | int(2 ** (32 - l2))) >>> 0, l3))}/${l3}`);
      }
    }
  }
  while (nets.size < NETS) {
    const g = [0x2001, int(0x10000), int(0x10000), int(0x10000), int(0x10000), int(0x10000), int(0x10000), int(0x10000)];
    add(`${v6(maskV6(g, 32))}/32`);
    for (let k = 0; k < 3 && nets.size < NETS; k++) {
      const g2 = [g[0], g[1], int(0x10000), int(0x10000), int(0x10000), int(0x10000), int(0x10000), int(0x10000)];
      const l2 = [48, 56][int(2)];
      add(`${v6(maskV6(g2, l2))}/${l2}`);
      for (let j = 0; j < 2 && nets.size < NETS; j++) {
        const g3 = [...maskV6(g2, l2).slice(0, 4)].map((x, i) => (i === 3 && l2 === 48 ? int(0x10000) : x)).concat([int(0x10000), int(0x10000), int(0x10000), int(0x10000)]);
        const l3 = [64, 128][int(2)];
        add(`${v6(maskV6(g3, l3))}/${l3}`);
      }
    }
  }
  return [...nets];
}

/** Addresses to look up: half inside a random netblock (any depth), half random (mostly unrouted). */
function addresses(nets, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      const [addr, lenText] = nets[int(nets.length)].split('/');
      const len = Number(lenText);
      if (addr.includes(':')) {
        const g = addr.split(':').map((x) => parseInt(x, 16));
        out.push(v6(g.map((x, k) => { const bits = Math.max(0, Math.min(16, len - k * 16)); return bits >= 16 ? x : x | (int(0x10000) & (0xffff >>> bits)); })));
      } else {
        const x = addr.split('.').reduce((a, b) => ((a << 8) | Number(b)) >>> 0, 0);
        out.push(v4((x | (len === 32 ? 0 : int(2 ** (32 - len)))) >>> 0));
      }
    } else {
      out.push(i % 4 === 1 ? v4(int(2 ** 32)) : v6([0x2001, int(0x10000), int(0x10000), int(0x10000), 0, 0, 0, int(0x10000)]));
    }
  }
  return out;
}

const ownerOf = (i) => `Bench constituent ${String((i * 7919) % CONSTITUENTS).padStart(4, '0')}`;
const fmt = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');

function inMemory(nets) {
  const table = new RoutingTable();
  const t0 = performance.now();
  nets.forEach((n, i) => table.addNetblock(n, ownerOf(i)));
  const buildMs = performance.now() - t0;
  const qs = addresses(nets, 200_000).map((a) => ({ address: a }));
  let hits = 0;
  for (const q of qs) if (table.lookup(q)) hits++; // warm-up
  const rounds = 10;
  const t1 = performance.now();
  for (let r = 0; r < rounds; r++) for (const q of qs) if (table.lookup(q)) hits++;
  const rate = (qs.length * rounds) / ((performance.now() - t1) / 1000);
  console.log(`\nIn-memory routing, ${nets.length.toLocaleString('en')} netblocks (${nets.filter((n) => !n.includes(':')).length.toLocaleString('en')} IPv4, nested), built in ${Math.round(buildMs)} ms`);
  console.log(`  address lookups (parse + longest prefix), one core ${String(Math.round(rate).toLocaleString('en')).padStart(12)} lookups/s  ` +
    `(${Math.round((hits / (qs.length * (rounds + 1))) * 100)}% matched)  ${rate >= 500_000 ? 'PASS' : 'MISS'}`);
  return table;
}

async function api(port, session, method, path, body) {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1${path}`, {
    method, headers: { 'content-type': 'application/json', cookie: session.cookie, 'x-csrf-token': session.csrfToken }, body: body ? JSON.stringify(body) : undefined,
  });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${(await r.text()).slice(0, 300)}`);
  return r.json();
}

async function run(label, server, nets, table) {
  await signIn(server.port, 'admin', [PASSWORD, CHOSEN], CHOSEN);
  const session = await signIn(server.port, 'admin', [CHOSEN]);
  const byOwner = new Map();
  nets.forEach((n, i) => byOwner.set(ownerOf(i), [...(byOwner.get(ownerOf(i)) ?? []), n]));
  const t0 = performance.now();
  const owners = [...byOwner.keys()];
  for (let i = 0; i < owners.length; i += 100) {
    const rows = owners.slice(i, i + 100).map((o) => `${o},${byOwner.get(o).join(' ')}`);
    await api(server.port, session, 'POST', '/constituents/import', { csv: `name,netblocks\n${rows.join('\n')}\n` });
  }
  console.log(`\n${label} (${cpus().length} CPUs, shared with the server and its database): ${nets.length.toLocaleString('en')} netblocks imported by CSV in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const qs = addresses(nets, 5000);
  // Correctness: the API names the same netblock as the in-memory table.
  let wrong = 0;
  const canonical = (n) => (n ? formatNet(parseCidr(n).net) : null);
  for (const a of qs.slice(0, 500)) {
    const r = await api(server.port, session, 'GET', `/constituents/route?address=${encodeURIComponent(a)}`);
    const m = table.lookup({ address: a });
    const apiSays = r.match ? `${r.match.constituent.name} ${canonical(r.match.matched)}` : '-';
    const memSays = m ? `${m.constituentId} ${canonical(m.matched)}` : '-';
    if (apiSays !== memSays && wrong++ < 3) console.log(`  ${a}: API ${apiSays}, in memory ${memSays}`);
  }
  console.log(`  API answers checked against the in-memory table: ${500 - wrong}/500 agree  ${wrong === 0 ? 'PASS' : 'MISS'}`);
  let n = 0;
  for (const clients of [1, 4]) {
    const r = await load(async (agent) => {
      const path = `/api/v1/constituents/route?address=${encodeURIComponent(qs[n++ % qs.length])}`;
      const res = await get(agent, server.port, path, session.cookie);
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
    }, { clients, warmupMs: 2000, measureMs: SECONDS * 1000, minSamples: 500 });
    const p95 = percentile(r.times, 95);
    console.log(`  GET /constituents/route?address=…, ${clients} client${clients > 1 ? 's' : ' '}     ${String(Math.round(r.rps)).padStart(6)} requests/s  p50 ${fmt(percentile(r.times, 50))} ms  p95 ${fmt(p95)} ms  ` +
      `${r.errors.length ? `${r.errors.length} errors (${r.errors[0]})  ` : ''}${p95 < 5 && !r.errors.length ? 'PASS' : 'MISS'}`);
  }
}

const cleanups = [];
process.on('exit', () => {
  for (const c of children) killGroup(c, 'SIGKILL');
  for (const f of cleanups.splice(0)) f();
});
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => process.exit(130));

async function main() {
  const nets = generate();
  const table = inMemory(nets);
  if (STORES.includes('postgres')) {
    await withFreshPgDatabase(PG_URL, DB, async (url) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-routing-pg-'));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      const server = await startServer({ databaseUrl: url, dataDir, adminPassword: PASSWORD });
      try {
        await run('PostgreSQL', server, nets, table);
      } finally {
        await server.stop();
      }
    });
  }
  if (STORES.includes('embedded')) {
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-routing-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const server = await startServer({ dataDir, adminPassword: PASSWORD });
    try {
      await run('Embedded store (PGlite)', server, nets, table);
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
