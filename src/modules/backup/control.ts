import { chmodSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { BackupError, type Manifest } from './manifest.ts';

/**
 * The embedded store's backup door. PGlite lets one process open the data folder, and `vigil serve`
 * holds it (vigil.lock); so the serving process listens on a Unix socket beside the lock,
 * `vigil.sock`, readable only by the folder's owner (mode 0600 in a 0700 folder) — who could copy
 * the folder anyway. `vigil backup DEST` finds the folder locked, connects, and asks the server to
 * write the backup to DEST. One request per connection: a JSON line in, a JSON line out.
 */
export const controlPath = (dataDir: string) => join(resolve(dataDir), 'vigil.sock');

interface Request {
  op: 'backup';
  dest: string;
}
type Reply = { ok: true; dest: string; manifest: Manifest } | { ok: false; error: string };

export interface ControlDeps {
  dataDir: string;
  backup: (dest: string) => Promise<{ dest: string; manifest: Manifest }>;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
}

export async function startControl(d: ControlDeps): Promise<{ close(): Promise<void> }> {
  const path = controlPath(d.dataDir);
  // We hold the data folder's lock: a socket file left there is a dead process's.
  try {
    unlinkSync(path);
  } catch {
    /* none */
  }
  let running: Promise<unknown> = Promise.resolve();
  const server: Server = createServer((sock) => {
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('error', () => undefined);
    sock.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > 64 * 1024) return void sock.destroy();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      sock.pause();
      let req: Request;
      try {
        req = JSON.parse(buf.slice(0, nl)) as Request;
      } catch {
        return void sock.end(JSON.stringify({ ok: false, error: 'bad request' }) + '\n');
      }
      if (req?.op !== 'backup' || typeof req.dest !== 'string' || !req.dest.startsWith('/')) {
        return void sock.end(JSON.stringify({ ok: false, error: 'bad request: { op: "backup", dest: absolute path }' }) + '\n');
      }
      // One backup at a time.
      const job = running.then(async (): Promise<Reply> => {
        d.log.info({ dest: req.dest }, 'backup requested through the control socket');
        try {
          const r = await d.backup(req.dest);
          d.log.info({ dest: r.dest, auditSeq: r.manifest.auditHead.seq, blobs: r.manifest.blobs.length }, 'backup written');
          return { ok: true, dest: r.dest, manifest: r.manifest };
        } catch (e) {
          d.log.error({ err: e }, 'backup failed');
          return { ok: false, error: e instanceof BackupError ? e.message : `backup failed: ${(e as Error).message}` };
        }
      });
      running = job;
      void job.then((reply) => sock.end(JSON.stringify(reply) + '\n'));
    });
  });
  await new Promise<void>((res) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      d.log.warn({ err: e, path }, '`vigil backup` cannot reach this server: the control socket could not be opened (a data folder path over ~100 characters is too long for a socket)');
      res();
    });
    server.listen(path, () => {
      chmodSync(path, 0o600);
      res();
    });
  });
  return {
    async close() {
      if (!server.listening) return;
      await new Promise<void>((r) => server.close(() => r()));
      await running.catch(() => undefined);
    },
  };
}

/** Asks the server holding the data folder to write a backup to `dest` (absolute). */
export function requestBackup(dataDir: string, dest: string): Promise<{ dest: string; manifest: Manifest }> {
  const path = controlPath(dataDir);
  return new Promise((resolvePromise, reject) => {
    const sock = connect(path);
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(JSON.stringify({ op: 'backup', dest }) + '\n'));
    sock.on('data', (c: string) => (buf += c));
    sock.on('error', (e: NodeJS.ErrnoException) =>
      reject(new BackupError(`The Vigil process serving ${resolve(dataDir)} could not be asked for a backup through ${path} (${e.code ?? e.message}). Is it a Vigil of this version?`)));
    sock.on('end', () => {
      let reply: Reply;
      try {
        reply = JSON.parse(buf) as Reply;
      } catch {
        return reject(new BackupError('The serving process ended the backup without an answer (stopped meanwhile?).'));
      }
      if (reply.ok) resolvePromise({ dest: reply.dest, manifest: reply.manifest });
      else reject(new BackupError(reply.error));
    });
  });
}
