import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { Migrator, type Migration, type MigrationProvider, type MigrationResult } from 'kysely/migration';
import type { Db } from './index.ts';

const DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** Plain SQL migrations, one file each, applied in file-name order, each in its own transaction. */
class SqlFileProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(DIR)).filter((f) => f.endsWith('.sql')).sort();
    const out: Record<string, Migration> = {};
    for (const f of files) {
      const text = await readFile(DIR + f, 'utf8');
      out[f.replace(/\.sql$/, '')] = { up: async (db) => void (await sql.raw(text).execute(db)) };
    }
    return out;
  }
}

function migrator(db: Db) {
  return new Migrator({ db, provider: new SqlFileProvider() });
}

export async function migrateToLatest(db: Db): Promise<MigrationResult[]> {
  const { error, results } = await migrator(db).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`migration ${failed ?? '?'} failed: ${(error as Error).message ?? error}`, { cause: error });
  }
  return results ?? [];
}

/** Names of migrations shipped with this version that the database has not applied. */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const all = await migrator(db).getMigrations();
  return all.filter((m) => !m.executedAt).map((m) => m.name);
}

/** Applies the migrations up to and including `name` (tests that check how a migration moves existing rows). */
export async function migrateUpTo(db: Db, name: string): Promise<void> {
  const { error } = await migrator(db).migrateTo(name);
  if (error) throw error instanceof Error ? error : new Error(String(error));
}

/** The names of the migrations shipped with this version, in order. */
export async function migrationNames(db: Db): Promise<string[]> {
  return (await migrator(db).getMigrations()).map((m) => m.name);
}
