import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { CamelCasePlugin, Kysely, PGliteDialect } from 'kysely';
import type { Config } from '../../config.ts';
import { openDb, type Db, type DbHandle, type Executor } from '../../db/index.ts';
import type { AuditRow, Database } from '../../db/schema.ts';
import { VERSION } from '../../version.ts';
import { chainHead, GENESIS_HASH, hashRecord, verifyChain, type VerifyResult } from '../audit/index.ts';
import { BackupError, blobPath, fileSha256, MANIFEST, readManifest, secretKeyId, type Manifest } from './manifest.ts';
import { checkToolFor, copyTimestamp, dumpRows, pgDump, pgList, pgRestore, toolPath } from './pgtools.ts';
import { backupRepo } from './repo.ts';

export interface BackupDeps {
  handle: DbHandle;
  config: Config;
  secretKey: Buffer;
}

/** What a backup read from the database, in the same snapshot as the copy. */
interface SnapshotInfo {
  migration: string | null;
  blobs: string[];
  head: { seq: number; hash: string };
}

async function readInfo(x: Executor): Promise<SnapshotInfo> {
  return {
    migration: await backupRepo.migration(x),
    blobs: await backupRepo.referencedBlobs(x),
    head: (await chainHead(x)) ?? { seq: 0, hash: GENESIS_HASH },
  };
}

/** An absent or empty folder is made ready; anything else is refused (a backup never overwrites). */
async function emptyDest(dest: string): Promise<void> {
  const names = await readdir(dest).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [] as string[];
    throw e;
  });
  if (names.length) throw new BackupError(`${dest} is not empty: a backup goes into a new or empty folder.`);
  await mkdir(dest, { recursive: true, mode: 0o700 });
}

/** Copies a file while hashing it; the copy must hash to `sha256` (blobs are named by their content). */
async function copyChecked(from: string, to: string, sha256: string, what: string): Promise<number> {
  await mkdir(join(to, '..'), { recursive: true, mode: 0o700 });
  const h = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      h.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  const part = `${to}.part`;
  try {
    await pipeline(createReadStream(from), meter, createWriteStream(part, { mode: 0o600, flush: true }));
  } catch (e) {
    await rm(part, { force: true });
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new BackupError(`${what} ${sha256} is missing (${from}).`);
    throw e;
  }
  const got = h.digest('hex');
  if (got !== sha256) {
    await rm(part, { force: true });
    throw new BackupError(`${what} ${sha256} is damaged: its content hashes to ${got} (${from}).`);
  }
  await chmod(part, 0o400);
  await rename(part, to);
  return size;
}

export interface BackupSummary {
  dest: string;
  manifest: Manifest;
}

/**
 * Backs up the database and every blob its rows refer to into `dest` (new or empty), while Vigil
 * may be serving. The database copy and what the manifest says of it (blobs referred to, audit
 * head, migration) come from one snapshot: PostgreSQL's exported snapshot, which pg_dump then
 * reads; PGlite's data folder, dumped with the single connection held. Blobs are copied after:
 * they never change, and the sweeper keeps every file a committed row refers to.
 */
export async function takeBackup(d: BackupDeps, destIn: string): Promise<BackupSummary> {
  const dest = resolve(destIn);
  await emptyDest(dest);
  try {
    return await writeBackup(d, dest);
  } catch (e) {
    // The folder was empty: what a failed backup left in it goes, so it is never mistaken for one.
    for (const name of await readdir(dest).catch(() => [] as string[])) await rm(join(dest, name), { recursive: true, force: true });
    throw e;
  }
}

async function writeBackup(d: BackupDeps, dest: string): Promise<BackupSummary> {
  let info: SnapshotInfo;
  let dbFile: string;
  if (d.handle.store === 'pglite') {
    if (!d.handle.dumpDataDir) throw new BackupError('this embedded store cannot be dumped');
    const got = await d.handle.dumpDataDir(readInfo);
    info = got.read;
    dbFile = 'pgdata.tar.gz';
    await writeFile(join(dest, dbFile), got.tarball, { mode: 0o600, flush: true });
  } else {
    const url = d.config.DATABASE_URL!;
    const pgDumpCmd = toolPath('pg_dump', d.config.VIGIL_PG_BIN_DIR);
    dbFile = 'database.pgdump';
    info = await d.handle.db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(async (tx) => {
      const snapshot = await backupRepo.exportSnapshot(tx);
      await checkToolFor(pgDumpCmd, await backupRepo.serverMajor(tx));
      const read = await readInfo(tx);
      // pg_dump reads the database as this transaction sees it; the transaction stays open until it is done.
      await pgDump(pgDumpCmd, url, snapshot, join(dest, dbFile));
      return read;
    });
  }
  const database = { file: dbFile, ...(await fileSha256(join(dest, dbFile))) };
  const blobs: Manifest['blobs'] = [];
  for (const sha of info.blobs) {
    const size = await copyChecked(blobPath(d.config.evidenceDir, sha), blobPath(join(dest, 'blobs'), sha), sha, 'Blob');
    blobs.push({ sha256: sha, size });
  }
  const manifest: Manifest = {
    format: 'vigil-backup', version: 1, vigilVersion: VERSION, store: d.handle.store, createdAt: new Date().toISOString(),
    migration: info.migration, database, blobs, auditHead: info.head, secretKeyId: secretKeyId(d.secretKey),
  };
  await writeFile(join(dest, MANIFEST), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600, flush: true });
  return { dest, manifest };
}

export interface VerifySummary {
  ok: boolean;
  problems: string[];
  manifest?: Manifest;
  auditRecords?: number;
}

/** The dump's audit chain walked in order, as verifyChain walks the live one. */
function walkChain(rows: AuditRow[]): VerifyResult {
  let prev = GENESIS_HASH;
  let expected = 1;
  for (const r of rows) {
    const reason = r.seq !== expected ? `records ${expected}..${r.seq - 1} are missing (deleted)`
      : r.prevHash !== prev ? 'does not follow the record before it (records deleted, inserted or reordered)'
      : hashRecord(r) !== r.hash ? 'content does not match its hash (altered)' : null;
    if (reason) return { ok: false, checked: expected - 1, headSeq: r.seq, firstBroken: { seq: r.seq, reason } };
    prev = r.hash;
    expected++;
  }
  return { ok: true, checked: expected - 1, headSeq: expected - 1 };
}

const copyRowToAudit = (r: Record<string, string | null>): AuditRow => ({
  seq: Number(r.seq), at: copyTimestamp(r.at!), actorId: r.actor_id ?? null, actorName: r.actor_name!, action: r.action!, entity: r.entity!,
  entityId: r.entity_id ?? null, before: r.before === null || r.before === undefined ? null : JSON.parse(r.before), after: r.after === null || r.after === undefined ? null : JSON.parse(r.after),
  ip: r.ip ?? null, requestId: r.request_id ?? null, prevHash: r.prev_hash!, hash: r.hash!, hashForm: Number(r.hash_form ?? 1),
} as AuditRow);

const INT8 = 20;

/** Opens PGlite on a dumped data folder (in memory, or written into `dataDir`) and runs fn on it. */
async function withLoadedPglite<T>(tarball: Uint8Array, dataDir: string | undefined, fn: (db: Db) => Promise<T>): Promise<T> {
  const pg = await PGlite.create(dataDir, {
    loadDataDir: new Blob([tarball as Uint8Array<ArrayBuffer>]), extensions: { pg_trgm }, parsers: { [INT8]: (v: string) => Number(v) },
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite: pg }), plugins: [new CamelCasePlugin({ maintainNestedObjectKeys: true })] });
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

/** What a database in a backup holds, read for a check. */
interface DumpContents {
  chain: VerifyResult;
  head: { seq: number; hash: string };
  blobs: Set<string>;
}

async function checkLive(db: Executor): Promise<DumpContents> {
  return { chain: await verifyChain(db), head: (await chainHead(db)) ?? { seq: 0, hash: GENESIS_HASH }, blobs: new Set(await backupRepo.referencedBlobs(db)) };
}

function compareContents(m: Manifest, c: DumpContents, problems: string[]) {
  if (!c.chain.ok) problems.push(`The audit chain in the backup is broken at record ${c.chain.firstBroken!.seq}: ${c.chain.firstBroken!.reason}.`);
  if (c.head.seq !== m.auditHead.seq || c.head.hash !== m.auditHead.hash) {
    problems.push(`The audit chain in the backup ends at record ${c.head.seq} (${c.head.hash}), the manifest says ${m.auditHead.seq} (${m.auditHead.hash}).`);
  }
  const listed = new Set(m.blobs.map((b) => b.sha256));
  const unlisted = [...c.blobs].filter((s) => !listed.has(s));
  if (unlisted.length) problems.push(`${unlisted.length} blob(s) the database refers to are not in the backup, e.g. ${unlisted[0]}.`);
}

/** The database file and every blob against the manifest's SHA-256s. */
async function verifyFiles(src: string, m: Manifest): Promise<string[]> {
  const problems: string[] = [];
  const got = await fileSha256(join(src, m.database.file)).catch(() => null);
  if (!got) problems.push(`The database file ${m.database.file} is missing.`);
  else if (got.sha256 !== m.database.sha256 || got.size !== m.database.size) problems.push(`The database file ${m.database.file} does not match the manifest's SHA-256 (damaged or altered).`);
  let missing = 0;
  let damaged = 0;
  for (const b of m.blobs) {
    const f = await fileSha256(blobPath(join(src, 'blobs'), b.sha256)).catch(() => null);
    if (!f) {
      if (missing++ === 0) problems.push(`Blob ${b.sha256} is missing.`);
    } else if (f.sha256 !== b.sha256 || f.size !== b.size) {
      if (damaged++ === 0) problems.push(`Blob ${b.sha256} is damaged (its content hashes to ${f.sha256}).`);
    }
  }
  if (missing > 1) problems.push(`${missing} blobs are missing in all.`);
  if (damaged > 1) problems.push(`${damaged} blobs are damaged in all.`);
  return problems;
}

/** PostgreSQL: the audit chain and blob references read from the dump's COPY data (pg_restore, no database needed). */
async function readPgDump(cmd: string, file: string): Promise<DumpContents> {
  await pgList(cmd, file);
  const audit: AuditRow[] = [];
  const blobs = new Set<string>();
  await dumpRows(cmd, file, ['audit_log', 'evidence', 'report_attachment'], (table, row) => {
    if (table === 'audit_log') audit.push(copyRowToAudit(row));
    else if (row.sha256) blobs.add(row.sha256);
  });
  audit.sort((a, b) => a.seq - b.seq);
  const last = audit[audit.length - 1];
  return { chain: walkChain(audit), head: last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: GENESIS_HASH }, blobs };
}

/**
 * Checks a backup without restoring it: the manifest, the SHA-256 of the database file and of every
 * blob, and inside the database copy that the audit chain verifies and ends at the manifest's head
 * and that every blob a row refers to is in the backup.
 */
export async function verifyBackup(srcIn: string, opts: { pgBinDir?: string | undefined } = {}): Promise<VerifySummary> {
  const src = resolve(srcIn);
  const m = await readManifest(src);
  const problems = await verifyFiles(src, m);
  // Damaged files first: what the database in the backup says is worth reading once they are whole.
  if (problems.length) return { ok: false, problems: [...problems, 'The database in the backup was not opened (the files above come first).'], manifest: m };
  const dbPath = join(src, m.database.file);
  const contents = m.store === 'pglite'
    ? await withLoadedPglite(await readFile(dbPath), undefined, checkLive)
    : await readPgDump(toolPath('pg_restore', opts.pgBinDir), dbPath);
  compareContents(m, contents, problems);
  return { ok: problems.length === 0, problems, manifest: m, auditRecords: contents.chain.checked };
}

async function hasBlobs(dir: string): Promise<boolean> {
  for (const a of await readdir(dir).catch(() => [] as string[])) {
    if (!/^[0-9a-f]{2}$/.test(a)) continue;
    for (const b of await readdir(join(dir, a)).catch(() => [] as string[])) {
      if ((await readdir(join(dir, a, b)).catch(() => [] as string[])).some((n) => /^[0-9a-f]{64}$/.test(n))) return true;
    }
  }
  return false;
}

export interface RestoreSummary {
  manifest: Manifest;
  chain: VerifyResult;
  blobs: number;
  /** What the restored database does not agree with in the manifest (none when all is well). */
  problems: string[];
}

/**
 * Restores a backup into an empty data folder (embedded) or an empty database (PostgreSQL, the one
 * DATABASE_URL names) and an evidence folder without blobs; anything else is refused. The backup is
 * files are checked first; the restored database (audit chain, head, blob references) after. The caller holds the data folder's lock.
 */
export async function restoreBackup(config: Config, secretKey: Buffer, srcIn: string, opts: { allowOtherKey?: boolean } = {}): Promise<RestoreSummary> {
  const src = resolve(srcIn);
  const m = await readManifest(src);
  if (m.store !== config.store) {
    throw new BackupError(m.store === 'pglite'
      ? 'This is a backup of the embedded store: restore it without DATABASE_URL (into an empty VIGIL_DATA_DIR).'
      : 'This is a backup of a PostgreSQL database: restore it with DATABASE_URL naming an empty database.');
  }
  if (m.secretKeyId !== secretKeyId(secretKey) && !opts.allowOtherKey) {
    throw new BackupError('This backup was made with another secret key: sealed secrets (second factors, the audit anchor key) would not open. '
      + 'Set VIGIL_SECRET_KEY, or put the original secret.key in the data folder, then try again (or pass --allow-other-key to restore anyway).');
  }
  // The target first (cheap, and the likeliest mistake), then the backup's files, then the load.
  if (await hasBlobs(config.evidenceDir)) throw new BackupError(`The evidence folder ${resolve(config.evidenceDir)} already holds files: restore into an empty one.`);
  const verified = async () => {
    const damaged = await verifyFiles(src, m);
    if (damaged.length) throw new BackupError(`The backup does not verify; nothing was restored:\n  - ${damaged.join('\n  - ')}`);
  };
  let contents: DumpContents;
  if (m.store === 'pglite') {
    const pgdata = join(resolve(config.VIGIL_DATA_DIR), 'pgdata');
    if ((await readdir(pgdata).catch(() => [] as string[])).length) {
      throw new BackupError(`The data folder already holds a database (${pgdata}): restore into an empty VIGIL_DATA_DIR.`);
    }
    await verified();
    await mkdir(pgdata, { recursive: true, mode: 0o700 });
    contents = await withLoadedPglite(await readFile(join(src, m.database.file)), pgdata, checkLive);
  } else {
    const url = config.DATABASE_URL!;
    const h = await openDb({ store: 'postgres', url, poolSize: 1, timeouts: { connectMs: config.VIGIL_DB_CONNECT_TIMEOUT_MS } });
    try {
      if ((await backupRepo.userRelations(h.db)) > 0) throw new BackupError('The database DATABASE_URL names is not empty: restore into a new, empty database.');
      const cmd = toolPath('pg_restore', config.VIGIL_PG_BIN_DIR);
      await checkToolFor(cmd, await backupRepo.serverMajor(h.db));
      await verified();
      await pgRestore(cmd, url, join(src, m.database.file));
      contents = await checkLive(h.db);
    } finally {
      await h.close();
    }
  }
  for (const b of m.blobs) await copyChecked(blobPath(join(src, 'blobs'), b.sha256), blobPath(config.evidenceDir, b.sha256), b.sha256, 'Blob');
  // What the restored database says: its chain, its head against the manifest, every blob it refers to restored.
  const problems: string[] = [];
  compareContents(m, contents, problems);
  return { manifest: m, chain: contents.chain, blobs: m.blobs.length, problems };
}

/** Opens the store for a backup without migrating it (a backup before an upgrade holds the old schema). */
export async function openForBackup(config: Config): Promise<DbHandle> {
  if (config.store === 'pglite') return openDb({ store: 'pglite', dataDir: join(resolve(config.VIGIL_DATA_DIR), 'pgdata') });
  return openDb({ store: 'postgres', url: config.DATABASE_URL!, poolSize: 2, timeouts: { connectMs: config.VIGIL_DB_CONNECT_TIMEOUT_MS } });
}
