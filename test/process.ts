import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb, type DbHandle } from '../src/db/index.ts';
import { freshDb, migratedPgliteImage, type Store } from './db.ts';

export const BIN = fileURLToPath(new URL('../bin/vigil.mjs', import.meta.url));

/** The child's environment: ours plus the given variables, on the embedded store unless DATABASE_URL is given. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  // No SMTP listener unless a test asks for one: servers started side by side would share port 2525.
  const out: NodeJS.ProcessEnv = { ...process.env, VIGIL_SMTP_PORT: '0', ...env };
  if (!('DATABASE_URL' in env)) delete out.DATABASE_URL;
  return out;
}

export function tempDir(prefix = 'vigil-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Puts the suite's migrated embedded store into a new data folder (as `pgdata`), so a server started
 * on it skips creating and migrating a cluster on disk (about five times faster to ready). For tests
 * whose subject is not the first start; those keep an empty folder.
 */
export async function seedEmbedded(dataDir: string): Promise<void> {
  let file = process.env.VIGIL_TEST_PGLITE_IMAGE;
  if (!file) {
    file = join(tempDir('vigil-image-'), 'image.tar');
    writeFileSync(file, await migratedPgliteImage(), { mode: 0o600 });
    process.env.VIGIL_TEST_PGLITE_IMAGE = file;
  }
  const pgdata = join(dataDir, 'pgdata');
  mkdirSync(pgdata, { recursive: true, mode: 0o700 });
  // Its members are named from the data folder's root ('/base/…'); tar says so on stderr, kept quiet.
  execFileSync('tar', ['-xf', file, '-C', pgdata], { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface Served {
  proc: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `vigil serve` as a real process, without waiting for it to be ready. */
export async function start(env: Record<string, string>): Promise<Served> {
  const port = await freePort();
  const proc = spawn(process.execPath, [BIN, 'serve'], {
    env: childEnv({ LOG_LEVEL: 'info', ...env, PORT: String(port), HOST: '127.0.0.1' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (b) => (out += b));
  proc.stderr!.on('data', (b) => (out += b));
  // A pipe or the spawn itself failing must not become an unhandled error in the test run.
  proc.on('error', (e) => (out += `\n[spawn error: ${e.message}]\n`));
  proc.stdout!.on('error', () => undefined);
  proc.stderr!.on('error', () => undefined);
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return {
    proc,
    port,
    output: () => out,
    exited,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** Starts `vigil serve` as a real process and waits until /readyz answers. */
export async function serve(env: Record<string, string>, timeoutMs = 60_000): Promise<Served> {
  const served = await start(env);
  const { proc, port } = served;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited early (${proc.exitCode}):\n${served.output()}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`server not ready in ${timeoutMs} ms:\n${served.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return served;
}

/** Runs a `vigil` command to completion. */
export function vigil(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: childEnv({ LOG_LEVEL: 'warn', ...env }), encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A store for real server processes that a test may kill and restart: a data folder and, on
 * PostgreSQL, a fresh database kept until the cleanups run. `open` reads it once no server runs.
 */
export async function serverStore(store: Store, cleanups: (() => unknown)[], prefix = 'vigil-server-') {
  const dataDir = tempDir(prefix);
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  if (store === 'pglite') await seedEmbedded(dataDir);
  let dbUrl: string | undefined;
  if (store === 'postgres') {
    const db = await freshDb('postgres');
    dbUrl = db.url!;
    // The servers connect themselves; the database itself stays until the cleanups drop it.
    await db.db.destroy();
    cleanups.push(() => db.close().catch(() => undefined));
  }
  return {
    env: { VIGIL_DATA_DIR: dataDir, ...(dbUrl ? { DATABASE_URL: dbUrl } : {}) } as Record<string, string>,
    open: (): Promise<DbHandle> => (dbUrl ? openDb({ store: 'postgres', url: dbUrl }) : openDb({ store: 'pglite', dataDir: join(dataDir, 'pgdata') })),
  };
}

/** A JSON call to a real server's API with the given headers (a session's cookie and CSRF token); throws on >= 300. */
export async function apiJson(port: number, method: string, path: string, body: unknown, headers: Record<string, string>) {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Signs in to a real server; the headers later calls need (cookie and CSRF token). */
export async function apiSignIn(port: number, username: string, password: string) {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status}`);
  const body = (await r.json()) as { csrfToken: string };
  return { cookie: r.headers.getSetCookie()[0]!.split(";")[0]!, "x-csrf-token": body.csrfToken };
}
