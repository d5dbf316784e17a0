import type { Db } from '../../db/index.ts';
import { everyTick } from '../../lib/rounds.ts';
import type { BlobStore } from './blobs.ts';
import { evidenceRepo } from './repo.ts';

interface SweepDeps {
  db: Db;
  blobs: BlobStore;
  /** A file untouched for this long may go: an unfinished upload, or a kept file no row refers to. */
  graceMs: number;
}

/** One pass over the blob store: unfinished uploads left by a crash or a cut connection, then files no row refers to. */
export async function sweepBlobs(d: SweepDeps): Promise<{ partial: number; unreferenced: number }> {
  const partial = await d.blobs.sweepTmp(d.graceMs);
  const unreferenced = await d.blobs.sweepUnreferenced((sha256s) => evidenceRepo.blobsInUse(d.db, sha256s), d.graceMs);
  return { partial, unreferenced };
}

/** Sweeps the blob store at start and then every `everyMs`; nothing is removed while the database cannot be asked. */
export function startBlobSweeper(d: SweepDeps & { everyMs: number; log: { info(obj: object, msg?: string): void; error(obj: object, msg?: string): void } }) {
  const tick = async () => {
    const r = await sweepBlobs(d);
    if (r.partial || r.unreferenced) d.log.info(r, 'blob store swept');
  };
  const first = tick().catch((err: unknown) => d.log.error({ err }, 'blob sweep failed'));
  const ticker = everyTick('blob sweep', tick, d.everyMs, d.log);
  return {
    async stop() {
      await ticker.stop();
      await first;
    },
  };
}
export type BlobSweeper = ReturnType<typeof startBlobSweeper>;
