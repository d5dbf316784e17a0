import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, readdir, rename, stat, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { VigilError } from '../../lib/errors.ts';

export interface StoredBlob {
  sha256: string;
  sha1: string;
  md5: string;
  size: number;
}

/**
 * Content-addressed file store: each file is kept once, at `<dir>/<aa>/<bb>/<sha256>`, read-only.
 * A file is streamed to a temporary name while MD5, SHA-1 and SHA-256 are computed, flushed to
 * disk, then moved into place; nothing is kept of an upload that fails or is too large.
 */
export function createBlobStore(dir: string) {
  const pathOf = (sha256: string) => join(dir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);

  return {
    pathOf,

    async put(source: Readable, maxBytes: number): Promise<StoredBlob> {
      await mkdir(join(dir, 'tmp'), { recursive: true, mode: 0o700 });
      const tmp = join(dir, 'tmp', `${randomBytes(12).toString('hex')}.part`);
      const h256 = createHash('sha256');
      const h1 = createHash('sha1');
      const h5 = createHash('md5');
      let size = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          size += chunk.length;
          if (size > maxBytes) return cb(new VigilError('VIG_EVIDENCE_TOO_LARGE', { maxBytes }));
          h256.update(chunk);
          h1.update(chunk);
          h5.update(chunk);
          cb(null, chunk);
        },
      });
      try {
        const out = createWriteStream(tmp, { mode: 0o600, flush: true });
        await pipeline(source, meter, out);
        if (size === 0) throw new VigilError('VIG_EVIDENCE_EMPTY');
        const blob = { sha256: h256.digest('hex'), sha1: h1.digest('hex'), md5: h5.digest('hex'), size };
        const final = pathOf(blob.sha256);
        await mkdir(join(final, '..'), { recursive: true, mode: 0o700 });
        // The same bytes already kept: its time is renewed, so a sweep sees it as in use while the
        // row that will refer to it is being written (a failed renewal means a sweep just took it).
        const now = new Date();
        if (await utimes(final, now, now).then(() => true, () => false)) {
          await unlink(tmp);
        } else {
          await chmod(tmp, 0o400);
          await rename(tmp, final);
        }
        return blob;
      } catch (e) {
        await unlink(tmp).catch(() => undefined);
        source.resume();
        throw e;
      }
    },

    open: (sha256: string) => createReadStream(pathOf(sha256)),

    /** Removes unfinished uploads (`tmp/*.part`) not written to for `graceMs`: what a crash or a cut connection left. */
    async sweepTmp(graceMs: number, now = Date.now()): Promise<number> {
      let removed = 0;
      const names = await readdir(join(dir, 'tmp')).catch(() => [] as string[]);
      for (const name of names) {
        const path = join(dir, 'tmp', name);
        // A file a sweep had moved aside when the process stopped goes back; the next sweep decides.
        const aside = /^([0-9a-f]{64})\.sweep$/.exec(name)?.[1];
        if (aside) {
          await mkdir(join(pathOf(aside), '..'), { recursive: true, mode: 0o700 });
          await rename(path, pathOf(aside)).catch(() => undefined);
          continue;
        }
        if (!name.endsWith('.part')) continue;
        const st = await stat(path).catch(() => null);
        if (!st?.isFile() || now - st.mtimeMs < graceMs) continue;
        if (await unlink(path).then(() => true, () => false)) removed++;
      }
      return removed;
    },

    /**
     * Removes kept files that no row refers to and that were not written or reused for `graceMs`
     * (so a file whose row is still being written is never taken). `referenced` answers, for a
     * batch of SHA-256s, which ones a row refers to. A candidate is first moved aside, its time
     * checked again (an upload of the same bytes renews it) and the rows asked again; it is put
     * back if either says it is in use.
     */
    async sweepUnreferenced(referenced: (sha256s: string[]) => Promise<Set<string>>, graceMs: number, now = Date.now()): Promise<number> {
      const old = async (path: string) => {
        const st = await stat(path).catch(() => null);
        return !!st?.isFile() && now - st.mtimeMs >= graceMs;
      };
      let removed = 0;
      const check = async (batch: string[]) => {
        const used = await referenced(batch);
        for (const sha of batch) {
          if (used.has(sha)) continue;
          const final = pathOf(sha);
          const aside = join(dir, 'tmp', `${sha}.sweep`);
          if (!(await rename(final, aside).then(() => true, () => false))) continue;
          if (!(await old(aside)) || (await referenced([sha])).has(sha)) {
            await rename(aside, final).catch(() => undefined);
            continue;
          }
          if (await unlink(aside).then(() => true, () => false)) removed++;
        }
      };
      await mkdir(join(dir, 'tmp'), { recursive: true, mode: 0o700 });
      let batch: string[] = [];
      for (const a of await readdir(dir).catch(() => [] as string[])) {
        if (!/^[0-9a-f]{2}$/.test(a)) continue;
        for (const b of await readdir(join(dir, a)).catch(() => [] as string[])) {
          if (!/^[0-9a-f]{2}$/.test(b)) continue;
          for (const name of await readdir(join(dir, a, b)).catch(() => [] as string[])) {
            if (!/^[0-9a-f]{64}$/.test(name) || !name.startsWith(a + b) || !(await old(join(dir, a, b, name)))) continue;
            batch.push(name);
            if (batch.length >= 500) {
              await check(batch);
              batch = [];
            }
          }
        }
      }
      if (batch.length) await check(batch);
      return removed;
    },
  };
}
export type BlobStore = ReturnType<typeof createBlobStore>;
