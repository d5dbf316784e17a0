import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from './config.ts';
import { openDb, type DbHandle } from './db/index.ts';
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

/** Opens the store (taking the data folder's lock for the embedded one) and applies migrations. */
export async function openRuntime(config: Config): Promise<Runtime> {
  const release = config.store === 'pglite' ? lockDataDir(config.VIGIL_DATA_DIR) : () => undefined;
  try {
    const handle =
      config.store === 'pglite'
        ? await openDb({ store: 'pglite', dataDir: join(resolve(config.VIGIL_DATA_DIR), 'pgdata') })
        : await openDb({ store: 'postgres', url: config.DATABASE_URL! });
    await migrateToLatest(handle.db);
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
