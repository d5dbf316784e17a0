import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../../config.ts';
import { DataDirLockedError, lockDataDir } from '../../db/lock.ts';
import { loadSecretKey } from '../../runtime.ts';
import { requestBackup } from './control.ts';
import { BackupError } from './manifest.ts';
import { openForBackup, restoreBackup, takeBackup, verifyBackup, type BackupSummary } from './service.ts';

/** Runs fn holding the embedded store's lock; null when a live Vigil process holds it. */
async function whileLocked<T>(config: Config, fn: () => Promise<T>): Promise<T | null> {
  let release: () => void;
  try {
    release = lockDataDir(config.VIGIL_DATA_DIR);
  } catch (e) {
    if (e instanceof DataDirLockedError) return null;
    throw e;
  }
  try {
    return await fn();
  } finally {
    release();
  }
}

/**
 * `vigil backup DEST`. PostgreSQL: from this process (the database serves many). Embedded: from this
 * process when no server holds the data folder, else by the server itself through its control socket.
 */
export async function backupCommand(config: Config, destIn: string): Promise<BackupSummary> {
  const dest = resolve(destIn);
  const local = async () => {
    if (config.store === 'pglite' && !existsSync(join(resolve(config.VIGIL_DATA_DIR), 'pgdata', 'PG_VERSION'))) {
      throw new BackupError(`There is no database in ${resolve(config.VIGIL_DATA_DIR)} to back up (check VIGIL_DATA_DIR).`);
    }
    const handle = await openForBackup(config);
    try {
      return await takeBackup({ handle, config, secretKey: loadSecretKey(config) }, dest);
    } finally {
      await handle.close();
    }
  };
  if (config.store === 'postgres') return local();
  return (await whileLocked(config, local)) ?? requestBackup(config.VIGIL_DATA_DIR, dest);
}

export function describeBackup(s: BackupSummary): string {
  const m = s.manifest;
  const bytes = m.blobs.reduce((n, b) => n + b.size, 0);
  return [
    `Backup written to ${s.dest}`,
    `  store ${m.store}, migration ${m.migration ?? '(none)'}, Vigil ${m.vigilVersion}`,
    `  database ${m.database.file} (${m.database.size} bytes, sha256 ${m.database.sha256})`,
    `  ${m.blobs.length} blob(s), ${bytes} bytes`,
    `  audit chain head: record ${m.auditHead.seq}, hash ${m.auditHead.hash}`,
    'Check it with `vigil backup verify` and keep a copy away from this machine.',
  ].join('\n');
}

export async function verifyCommand(config: Config, src: string): Promise<boolean> {
  const v = await verifyBackup(src, { pgBinDir: config.VIGIL_PG_BIN_DIR });
  if (v.ok) {
    const m = v.manifest!;
    console.log(`Backup intact: ${m.database.file} and ${m.blobs.length} blob(s) match the manifest; the audit chain in it verifies (${v.auditRecords} records, head ${m.auditHead.seq} ${m.auditHead.hash}).`);
    return true;
  }
  console.error(`Backup DAMAGED or incomplete (${resolve(src)}):`);
  for (const p of v.problems) console.error(`  - ${p}`);
  return false;
}

/** `vigil restore SRC`: into an empty data folder (holding its lock) or an empty database. */
export async function restoreCommand(config: Config, src: string, opts: { allowOtherKey?: boolean }): Promise<boolean> {
  const run = async () => {
    const r = await restoreBackup(config, loadSecretKey(config), src, opts);
    console.log(`Restored ${r.manifest.store === 'pglite' ? `into ${resolve(config.VIGIL_DATA_DIR)}` : 'into the database DATABASE_URL names'}: `
      + `the database of ${r.manifest.createdAt} and ${r.blobs} blob(s) into ${resolve(config.evidenceDir)}.`);
    if (r.problems.length) {
      for (const p of r.problems) console.error(`  - ${p}`);
      return false;
    }
    console.log(`Audit chain intact: ${r.chain.checked} records. Start Vigil as usual; it applies any newer migrations.`);
    return true;
  };
  if (config.store === 'postgres') return run();
  const r = await whileLocked(config, run);
  if (r === null) throw new BackupError(`A Vigil process is using ${resolve(config.VIGIL_DATA_DIR)}: restore into an empty data folder no server runs on.`);
  return r;
}
