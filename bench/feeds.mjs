#!/usr/bin/env node
// Feeds (issue 17): a generated Shadowserver-style scan CSV read end to end (decode, parse with the
// shipped `shadowserver/scan` mapping, harmonise, route over 100,000 netblocks, store once per
// report) by the feed service, in this process, as `vigil feed ingest` does:
//
// 1. PostgreSQL (BENCH_PG_URL, database vigil_bench_feeds, dropped after): events/s, beside `COPY`
//    of the same rows (the file's ten columns as text) into a plain table on the same server in the
//    same run. Target: >= 1/3 of COPY's rows/s.
// 2. The embedded store (a temporary data folder): events/s. Target: >= 20,000/s.
// Each prints the peak RSS of this process while reading (target: flat, whatever the file's size).
// BENCH_FEED_LINES (default 200,000; the figure is for 1,000,000), BENCH_STORES
// (postgres,embedded), BENCH_FEEDS=off skips it (bench/run.mjs).
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { openRuntime } from '../src/runtime.ts';
import { systemActor } from '../src/lib/actor.ts';
import { withFreshPgDatabase } from './lib/http.mjs';

const LINES = Number(process.env.BENCH_FEED_LINES || 200_000);
const STORES = (process.env.BENCH_STORES || 'postgres,embedded').split(',').map((s) => s.trim());
const PG_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const NETS = 100_000;
const cli = systemActor('cli');
const fmt = (x) => Math.round(x).toLocaleString('en');

const work = mkdtempSync(join(tmpdir(), 'vigil-bench-feeds-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

/** The scan report: 10 columns as Shadowserver's scan reports have, addresses mostly inside the constituency's netblocks. */
async function writeFeed(path) {
  const out = createWriteStream(path);
  const write = async (s) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write('"timestamp","ip","protocol","port","hostname","tag","asn","geo","region","city"\n');
  let seed = 7;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < LINES; i++) {
    // 90 % of events fall in one of the constituency's /24s; the rest routes nowhere.
    const routed = rnd() < 0.9;
    const n = Math.floor(rnd() * NETS);
    const ip = routed ? `${10 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}.${1 + Math.floor(rnd() * 254)}` : `203.0.${Math.floor(rnd() * 256)}.${1 + Math.floor(rnd() * 254)}`;
    const sec = String(i % 60).padStart(2, '0');
    await write(`"2026-12-06 0${i % 10}:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${sec}","${ip}","tcp",${[3389, 22, 443, 23][i % 4]},"host${i}.example.net","rdp",${64496 + (i % 20)},"BE","Brussels","Brussels"\n`);
  }
  out.end();
  await once(out, 'finish');
}

/** 100,000 /24 netblocks in 10.0.0.0/8 and 11.0.0.0/8, shared out among 1,000 constituents. */
async function constituency(db) {
  await sql`insert into constituent (name, created_at, updated_at) select 'Constituent ' || g, now(), now() from generate_series(1, 1000) g`.execute(db);
  await sql`insert into constituent_netblock (constituent_id, net)
    select c.id, ((10 + n / 65536) || '.' || ((n / 256) % 256) || '.' || (n % 256) || '.0/24')::cidr
    from generate_series(0, ${NETS - 1}) n join constituent c on c.name = 'Constituent ' || (1 + (n % 1000))`.execute(db);
  await sql`update constituency_state set version = version + 1 where id = 1`.execute(db);
  await sql`analyze`.execute(db);
}

/** Reads the file into a fresh store; events/s and peak RSS. */
async function ingest(rt, file) {
  await constituency(rt.handle.db);
  const feeds = rt.services.feeds;
  await feeds.create(cli, { name: 'Bench scans', parser: 'csv', parserSettings: { mapping: 'shadowserver/scan' }, classificationType: 'vulnerable-system' });
  const report = await feeds.receive(cli, 'Bench scans', { via: 'cli', filename: 'scan.csv', contentType: 'text/csv', body: createReadStream(file) });
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const t0 = performance.now();
  await feeds.readOne(report.id);
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  const r = await feeds.reportState(report.id);
  if (r.status !== 'parsed' || r.events < LINES * 0.99) throw new Error(`the report was not read whole: ${JSON.stringify(r)}`);
  return { rate: r.events / seconds, seconds, events: r.events, routed: r.routed, peakMb: peak / 2 ** 20 };
}

async function main() {
  if ((process.env.BENCH_FEEDS || 'on').toLowerCase() === 'off') return;
  console.log(`\nFeeds (bench/feeds.mjs; ${fmt(LINES)} CSV lines, ${fmt(NETS)} netblocks; ${cpus().length} CPUs)`);
  const file = join(work, 'scan.csv');
  await writeFeed(file);
  const base = { LOG_LEVEL: 'silent', VIGIL_ADMIN_PASSWORD: 'Bench-Initial-Pass-1' };

  if (STORES.includes('postgres')) {
    await withFreshPgDatabase(PG_URL, 'vigil_bench_feeds', async (url) => {
      const rt = await openRuntime(loadConfig({ ...base, DATABASE_URL: url, VIGIL_DATA_DIR: mkdtempSync(join(work, 'pg-')) }));
      try {
        const r = await ingest(rt, file);
        // COPY of the same rows into a plain table of ten text columns, on the same server.
        const psql = (args) => {
          const p = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', ...args], { encoding: 'utf8' });
          if (p.status !== 0) throw new Error(`psql: ${p.stderr || p.error}`);
          return p;
        };
        psql(['-qc', 'create table bench_copy (ts text, ip text, protocol text, port text, hostname text, tag text, asn text, geo text, region text, city text)']);
        const t0 = performance.now();
        psql(['-qc', `\\copy bench_copy from '${file}' with (format csv, header true)`]);
        const copyRate = LINES / ((performance.now() - t0) / 1000);
        console.log(`  PostgreSQL: ${fmt(r.rate)} events/s (${fmt(r.events)} stored, ${fmt(r.routed)} routed, ${r.seconds.toFixed(1)} s; peak RSS ${fmt(r.peakMb)} MB)`);
        console.log(`  COPY of the same rows: ${fmt(copyRate)} rows/s`);
        console.log(`  ratio feed / COPY: ${(r.rate / copyRate).toFixed(3)}  (target >= 0.333)  ${r.rate / copyRate >= 1 / 3 ? 'PASS' : 'MISS'}`);
      } finally {
        await rt.close();
      }
    });
  }
  if (STORES.includes('embedded')) {
    const rt = await openRuntime(loadConfig({ ...base, VIGIL_DATA_DIR: mkdtempSync(join(work, 'embedded-')) }));
    try {
      const r = await ingest(rt, file);
      console.log(`  embedded store: ${fmt(r.rate)} events/s (${fmt(r.events)} stored, ${fmt(r.routed)} routed, ${r.seconds.toFixed(1)} s; peak RSS ${fmt(r.peakMb)} MB)  (target >= 20,000/s)  ${r.rate >= 20_000 ? 'PASS' : 'MISS'}`);
    } finally {
      await rt.close();
    }
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
