import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BackupError } from './manifest.ts';

/**
 * PostgreSQL's own tools (pg_dump, pg_restore), run as child processes. The password never goes
 * on a command line (other users could read it in the process list): it is passed in PGPASSWORD.
 */
export function toolPath(tool: 'pg_dump' | 'pg_restore', binDir: string | undefined): string {
  return binDir ? join(binDir, tool) : tool;
}

function connection(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  return { dbname: u.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b) => (stdout += b));
    p.stderr.on('data', (b) => (stderr += b));
    p.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? new BackupError(`${cmd} was not found. Install PostgreSQL's client tools (the same major version as the server, or newer) or set VIGIL_PG_BIN_DIR.`) : e));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The major version of a tool (`pg_dump (PostgreSQL) 15.20` → 15). */
export async function toolMajor(cmd: string): Promise<number> {
  const r = await run(cmd, ['--version']);
  const m = /\(PostgreSQL\)\s+(\d+)/.exec(r.stdout);
  if (r.code !== 0 || !m) throw new BackupError(`${cmd} --version did not answer as expected: ${r.stderr.trim() || r.stdout.trim()}`);
  return Number(m[1]);
}

/** pg_dump can read a server of its own major version or older, never newer. */
export async function checkToolFor(cmd: string, serverMajor: number): Promise<void> {
  const major = await toolMajor(cmd);
  if (major < serverMajor) {
    throw new BackupError(`${cmd} is version ${major} but the server runs PostgreSQL ${serverMajor}: install the client tools of version ${serverMajor} (or newer) and point VIGIL_PG_BIN_DIR at them.`);
  }
}

/** Dumps the database as of an exported snapshot, in pg_dump's custom format (compressed). */
export async function pgDump(cmd: string, url: string, snapshot: string, file: string): Promise<void> {
  const c = connection(url);
  const r = await run(cmd, ['--format=custom', `--snapshot=${snapshot}`, `--file=${file}`, `--dbname=${c.dbname}`], c.env);
  if (r.code !== 0) throw new BackupError(`pg_dump failed: ${r.stderr.trim()}`);
}

/** Restores a custom-format dump into an empty database, all or nothing. */
export async function pgRestore(cmd: string, url: string, file: string): Promise<void> {
  const c = connection(url);
  const r = await run(cmd, ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--dbname=${c.dbname}`, file], c.env);
  if (r.code !== 0) throw new BackupError(`pg_restore failed: ${r.stderr.trim()}`);
}

/** The dump's table of contents can be read (pg_restore --list): the file is a whole custom-format dump. */
export async function pgList(cmd: string, file: string): Promise<void> {
  const r = await run(cmd, ['--list', file]);
  if (r.code !== 0) throw new BackupError(`pg_restore cannot read the dump: ${r.stderr.trim()}`);
}

/**
 * The rows of some tables in a custom-format dump, without restoring it: pg_restore prints their
 * COPY data, read here line by line. Each row comes as { column: text value | null }.
 */
export async function dumpRows(cmd: string, file: string, tables: string[], onRow: (table: string, row: Record<string, string | null>) => void): Promise<void> {
  const p = spawn(cmd, ['--data-only', ...tables.map((t) => `--table=${t}`), '--file=-', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  p.stderr.on('data', (b) => (stderr += b));
  const closed = new Promise<number | null>((resolve, reject) => {
    p.on('error', reject);
    p.on('close', resolve);
  });
  let table: string | null = null;
  let columns: string[] = [];
  for await (const line of createInterface({ input: p.stdout, crlfDelay: Infinity })) {
    if (table === null) {
      const m = /^COPY (?:\w+\.)?"?(\w+)"? \(([^)]*)\) FROM stdin;$/.exec(line);
      if (m) {
        table = m[1]!;
        columns = m[2]!.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
      }
      continue;
    }
    if (line === '\\.') {
      table = null;
      continue;
    }
    const fields = line.split('\t');
    const row: Record<string, string | null> = {};
    columns.forEach((c, i) => (row[c] = decodeCopyField(fields[i] ?? '\\N')));
    onRow(table, row);
  }
  const code = await closed;
  if (code !== 0) throw new BackupError(`pg_restore cannot read the dump's data: ${stderr.trim()}`);
}

/** One field of COPY's text format: \N is null; backslash escapes as PostgreSQL writes them. */
export function decodeCopyField(f: string): string | null {
  if (f === '\\N') return null;
  if (!f.includes('\\')) return f;
  return f.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_m, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return ({ b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' } as Record<string, string>)[e] ?? e;
  });
}

/** A timestamptz as COPY writes it (`2026-12-07 16:14:40.123+00`, `+05:30`) as a Date. */
export function copyTimestamp(v: string): Date {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d)(?::?(\d\d))?$/.exec(v);
  const d = new Date(m ? `${m[1]}T${m[2]}${m[3]}:${m[4] ?? '00'}` : v);
  if (Number.isNaN(d.getTime())) throw new BackupError(`unreadable timestamp in the dump: ${v}`);
  return d;
}
