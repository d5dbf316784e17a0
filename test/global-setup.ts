import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDb } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrate.ts';

/**
 * Makes the migrated embedded-store image every PGlite test restores (when the run uses PGlite)
 * and, with DATABASE_URL set, builds the migrated template database every PostgreSQL test copies, under a
 * name of this run's own (test workers inherit it through VIGIL_TEST_TEMPLATE), and drops it at the end.
 */
export default async function setup() {
  const { stores } = await import('./db.ts');
  const cleanups: Array<() => Promise<void>> = [];
  if (stores().includes('pglite')) {
    const file = join(tmpdir(), `vigil-test-image-${process.pid}-${randomBytes(3).toString('hex')}.tar`);
    const h = await openDb({ store: 'pglite' });
    try {
      await migrateToLatest(h.db);
      writeFileSync(file, await h.image!(), { mode: 0o600 });
    } finally {
      await h.close();
    }
    process.env.VIGIL_TEST_PGLITE_IMAGE = file;
    cleanups.push(async () => rmSync(file, { force: true }));
  }
  if (process.env.DATABASE_URL) cleanups.push(await postgresTemplate());
  return async () => {
    for (const c of cleanups) await c();
  };
}

/** The PostgreSQL template database; returns its teardown. */
async function postgresTemplate(): Promise<() => Promise<void>> {
  const name = `vigil_tpl_${process.pid}_${randomBytes(3).toString('hex')}`;
  process.env.VIGIL_TEST_TEMPLATE = name;
  const { urlFor } = await import('./db.ts');
  const admin = async (statement: string) => {
    const c = new pg.Client({ connectionString: urlFor('postgres') });
    c.on('error', () => undefined);
    await c.connect();
    try {
      await c.query(statement);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const h = await openDb({ store: 'postgres', url: urlFor(name), poolSize: 1 });
  await migrateToLatest(h.db);
  await h.close();
  return async () => {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  };
}
