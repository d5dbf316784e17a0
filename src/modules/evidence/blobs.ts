import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, rename, stat, unlink } from 'node:fs/promises';
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
        if (await stat(final).then(() => true, () => false)) {
          await unlink(tmp); // the same bytes are already kept
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
  };
}
export type BlobStore = ReturnType<typeof createBlobStore>;
