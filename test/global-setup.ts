import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDb } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrate.ts';

/**
 * With DATABASE_URL set, builds the migrated template database every PostgreSQL test copies, under a
 * name of this run's own (test workers inherit it through VIGIL_TEST_TEMPLATE), and drops it at the end.
 */
export default async function setup() {
  if (!process.env.DATABASE_URL) return;
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
