import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from './config.ts';
import { openDb, type DbHandle, type DbTimeouts } from './db/index.ts';
import { DatabaseUnavailableError, describeDatabase, isDatabaseUnavailable, unavailableReason } from './db/errors.ts';
import { lockDataDir } from './db/lock.ts';
import { migrateToLatest } from './db/migrate.ts';
import { systemClock } from './lib/actor.ts';
import { createServices, type Services } from './services.ts';

export interface Runtime {
  config: Config;
  handle: DbHandle;
  services: Services;
  secretKey: Buffer;
  close(): Promise<void>;
}

/**
 * The key that seals secrets at rest and signs CSRF tokens: VIGIL_SECRET_KEY, or one generated on
 * first start and kept in the data folder (several processes must share it: set it explicitly).
 */
export function loadSecretKey(config: Config): Buffer {
  if (config.VIGIL_SECRET_KEY) return Buffer.from(config.VIGIL_SECRET_KEY, 'hex');
  const dir = resolve(config.VIGIL_DATA_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, 'secret.key');
  if (!existsSync(path)) writeFileSync(path, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  const hex = readFileSync(path, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${path} does not hold a 64-hex-character key`);
  return Buffer.from(hex, 'hex');
}

export interface OpenOptions {
  /**
   * PostgreSQL unreachable or not answering at start: wait for it, saying so in one line per try
   * (`vigil serve`), instead of failing at once (the other commands).
   */
  waitForDatabase?: boolean;
  /** Where the waiting lines go (default: stderr). */
  say?: (line: string) => void;
}

/** The limits on waiting for PostgreSQL while serving (see DbTimeouts). */
export function dbTimeouts(config: Config): DbTimeouts {
  return { connectMs: config.VIGIL_DB_CONNECT_TIMEOUT_MS, statementMs: config.VIGIL_DB_STATEMENT_TIMEOUT_MS, queryMs: config.VIGIL_DB_QUERY_TIMEOUT_MS };
}

const RETRY_STEPS_MS = [1000, 2000, 4000, 8000, 15_000, 30_000];

/**
 * Applies the migrations on PostgreSQL through a connection of its own, without the statement
 * limits (a migration may run for minutes), then opens the serving pool with them. A database
 * that cannot be reached or does not answer is waited for, or reported in one line.
 */
async function openPostgres(config: Config, opts: OpenOptions): Promise<DbHandle> {
  const url = config.DATABASE_URL!;
  const connectMs = config.VIGIL_DB_CONNECT_TIMEOUT_MS;
  const say = opts.say ?? ((line: string) => void process.stderr.write(line + '\n'));
  for (let attempt = 0; ; attempt++) {
    try {
      const migrating = await openDb({ store: 'postgres', url, poolSize: 1, timeouts: { connectMs } });
      try {
        await migrateToLatest(migrating.db);
      } finally {
        await migrating.close().catch(() => undefined);
      }
      return await openDb({ store: 'postgres', url, timeouts: dbTimeouts(config) });
    } catch (e) {
      if (!isDatabaseUnavailable(e)) throw e;
      const line = `Database ${describeDatabase(url)} not reachable (${unavailableReason(e, connectMs)})`;
      if (!opts.waitForDatabase) throw new DatabaseUnavailableError(`${line}. Check DATABASE_URL and that PostgreSQL is running.`, { cause: e });
      const wait = RETRY_STEPS_MS[Math.min(attempt, RETRY_STEPS_MS.length - 1)]!;
      say(`${line}; trying again in ${wait / 1000} s`);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** Opens the store (taking the data folder's lock for the embedded one) and applies migrations. */
export async function openRuntime(config: Config, opts: OpenOptions = {}): Promise<Runtime> {
  const release = config.store === 'pglite' ? lockDataDir(config.VIGIL_DATA_DIR) : () => undefined;
  try {
    let handle: DbHandle;
    if (config.store === 'pglite') {
      handle = await openDb({ store: 'pglite', dataDir: join(resolve(config.VIGIL_DATA_DIR), 'pgdata') });
      await migrateToLatest(handle.db);
    } else {
      handle = await openPostgres(config, opts);
    }
    const secretKey = loadSecretKey(config);
    const services = createServices({ db: handle.db, config, clock: systemClock, secretKey });
    let closed = false;
    return {
      config,
      handle,
      services,
      secretKey,
      async close() {
        if (closed) return;
        closed = true;
        await handle.close();
        release();
      },
    };
  } catch (e) {
    release();
    throw e;
  }
}
