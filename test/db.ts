import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { openDb, type DbHandle } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrate.ts';

export type Store = 'pglite' | 'postgres';

/**
 * The stores the suite runs on: PostgreSQL when DATABASE_URL is set, else the embedded one (CI runs
 * the suite once each way). VIGIL_TEST_STORES=pglite,postgres runs both in one pass.
 */
export function stores(): Store[] {
  const asked = process.env.VIGIL_TEST_STORES?.split(',').map((s) => s.trim()).filter((s): s is Store => s === 'pglite' || s === 'postgres');
  if (asked?.length) return asked;
  return process.env.DATABASE_URL ? ['postgres'] : ['pglite'];
}

/**
 * The migrated database every PostgreSQL test copies: named per run by the global setup, so two runs
 * against one server (two developers, or a run beside CI) never drop each other's template.
 */
export const TEMPLATE_DB = process.env.VIGIL_TEST_TEMPLATE ?? 'vigil_test_template';

/** A URL for another database on the same server as DATABASE_URL. */
export function urlFor(database: string): string {
  const u = new URL(process.env.DATABASE_URL!);
  u.pathname = `/${database}`;
  return u.toString();
}

export interface TestDb extends DbHandle {
  /** For postgres, the URL of this test's own database. */
  url?: string;
}

/**
 * The migrated embedded store every PGlite test starts from, as an uncompressed tarball: made once
 * per run by the global setup (VIGIL_TEST_PGLITE_IMAGE names its file), read once per test process.
 * Restoring it takes about a third of the time of an empty store plus the migrations.
 */
let pgliteImage: Promise<Uint8Array> | undefined;
export function migratedPgliteImage(): Promise<Uint8Array> {
  pgliteImage ??= (async () => {
    const file = process.env.VIGIL_TEST_PGLITE_IMAGE;
    if (file) return new Uint8Array(readFileSync(file));
    // Run without the global setup (a single file from an editor, say): make it here, once.
    const h = await openDb({ store: 'pglite' });
    try {
      await migrateToLatest(h.db);
      return await h.image!();
    } finally {
      await h.close();
    }
  })();
  return pgliteImage;
}

/** A new, migrated, empty database: in-memory PGlite, or a PostgreSQL copy of the migrated template. */
export async function freshDb(store: Store): Promise<TestDb> {
  if (store === 'pglite') {
    const h = await openDb({ store: 'pglite', image: await migratedPgliteImage() });
    // A store restored from an image older than the code's migrations catches up here.
    await migrateToLatest(h.db);
    return h;
  }
  const name = `vigil_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: urlFor('postgres') });
  admin.on('error', () => undefined); // a server gone mid-way fails the query, not the test run
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  const url = urlFor(name);
  const h = await openDb({ store: 'postgres', url, poolSize: 4 });
  return {
    ...h,
    url,
    async close() {
      await h.close();
      const c = new pg.Client({ connectionString: urlFor('postgres') });
      c.on('error', () => undefined);
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await c.end();
    },
  };
}
