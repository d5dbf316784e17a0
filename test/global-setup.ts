import pg from 'pg';
import { openDb } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { TEMPLATE_DB, urlFor } from './db.ts';

/** With DATABASE_URL set, builds the migrated template database every PostgreSQL test copies. */
export default async function setup() {
  if (!process.env.DATABASE_URL) return;
  const admin = new pg.Client({ connectionString: urlFor('postgres') });
  admin.on('error', () => undefined);
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  await admin.end();
  const h = await openDb({ store: 'postgres', url: urlFor(TEMPLATE_DB), poolSize: 1 });
  await migrateToLatest(h.db);
  await h.close();
}
