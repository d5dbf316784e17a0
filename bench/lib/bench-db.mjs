// The scale benchmarks' PostgreSQL database, for the benchmarks that reuse it (dashboard, KPIs):
// vigil_bench (vigil_bench_small at BENCH_SCALE=small), seeded by bench/incidents-scale.mjs. When it
// is missing or seeded with other counts, it is created, migrated by one start of the server and
// seeded with the same seed (bench/lib/seed.mjs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startServer } from './http.mjs';
import { pgAdapter } from './pg-adapter.mjs';
import { seed } from './seed.mjs';

// The scale benchmark's accounts (bench/incidents-scale.mjs).
export const ADMIN_PASSWORD = 'Bench-Initial-Pass-1';
export const ADMIN_CHOSEN = 'Bench-Chosen-Passphrase-2026';
export const HANDLER_PASSWORD = 'Bench-Handler-Passphrase-2026';
const FULL = { incidents: 1_000_000, reports: 3_000_000, observables: 2_000_000, events: 10_000_000 };

/** The counts and database name of a scale (full or small: a tenth). */
export function benchScale(scale) {
  const counts = scale === 'small' ? Object.fromEntries(Object.entries(FULL).map(([k, v]) => [k, v / 10])) : FULL;
  return { counts, dbName: scale === 'small' ? 'vigil_bench_small' : 'vigil_bench' };
}

/** The URL of database `dbName` on the server `adminUrl` points at. */
export function dbUrlOf(adminUrl, dbName) {
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  return url.toString();
}

/** Creates and seeds the database unless the scale benchmark seeded it with these counts (its marker comment). */
export async function ensureSeeded(admin, dbName, dbUrl, counts, label) {
  const r = await admin.query(`select shobj_description(oid, 'pg_database') as marker from pg_database where datname = $1`, [dbName]);
  const marker = r.rows[0]?.marker ?? '';
  if (marker.startsWith(`vigil-bench ${JSON.stringify({ counts }).slice(0, -1)}`)) {
    console.log(`  reusing ${dbName}, seeded by the scale benchmark`);
    return;
  }
  console.log(`  ${dbName} is not seeded with these counts: creating and seeding it (the scale benchmark will reseed it for its own marker)`);
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.query(`create database ${dbName}`);
  const dataDir = mkdtempSync(join(tmpdir(), `vigil-bench-${label}-`));
  try {
    const first = await startServer({ databaseUrl: dbUrl, dataDir, adminPassword: ADMIN_PASSWORD });
    await first.stop();
    const { hash } = await import('@node-rs/argon2');
    const passwordHash = await hash(HANDLER_PASSWORD, { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });
    const c = new pg.Client(dbUrl);
    await c.connect();
    try {
      const { timings } = await seed(pgAdapter(c), counts, { passwordHash, maintenanceMem: '1GB' });
      console.log(`  seeded in ${timings.total.toFixed(0)} s`);
      // Marked with the counts, so the next benchmark reuses it (the scale benchmark, whose marker
      // also names the generator and the migrations, reseeds it for its own).
      const marker = `vigil-bench ${JSON.stringify({ counts, by: 'bench-db' })}`;
      await admin.query(`comment on database ${dbName} is '${marker.replace(/'/g, "''")}'`);
    } finally {
      await c.end();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The seeded database for a benchmark that reuses the scale benchmark's data: checks the settings,
 * seeds when needed, and says what it measures. Null when it is switched off (BENCH_SCALE=off or
 * its own `offSetting`) or PostgreSQL is not reachable at `pgUrl`.
 */
export async function benchDatabase({ label, file, offSetting, scale, pgUrl, describe }) {
  if (scale === 'off' || (process.env[offSetting] || 'on').toLowerCase() === 'off') {
    console.log(`\n${label} (bench/${file}): skipped`);
    return null;
  }
  if (!['full', 'small'].includes(scale)) throw new Error(`BENCH_SCALE must be full, small or off (not ${scale})`);
  const { counts, dbName } = benchScale(scale);
  const admin = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (e) {
    console.log(`\n${label}: PostgreSQL not reachable at ${pgUrl} (${e.message}): skipped`);
    return null;
  }
  const dbUrl = dbUrlOf(pgUrl, dbName);
  console.log(`\n${label} (BENCH_SCALE=${scale}): PostgreSQL database ${dbName}, ${describe(counts)}`);
  try {
    await ensureSeeded(admin, dbName, dbUrl, counts, file.replace(/\.mjs$/, ''));
  } finally {
    await admin.end();
  }
  return { counts, dbName, dbUrl };
}
