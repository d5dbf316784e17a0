import { join, resolve } from 'node:path';
import type { Runtime } from '../../runtime.ts';
import { startAnchorWorker, type Anchor } from '../audit/anchor.ts';
import { startControl } from './control.ts';
import { takeBackup } from './service.ts';

type Log = { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };

/** Where anchors go: VIGIL_AUDIT_ANCHOR_DIR, else `anchors/` in the data folder. */
export const anchorDir = (config: Runtime['config']) => resolve(config.VIGIL_AUDIT_ANCHOR_DIR ?? join(config.VIGIL_DATA_DIR, 'anchors'));

/**
 * What `vigil serve` runs for backups and anchors: the control socket through which `vigil backup`
 * reaches the embedded store this process holds, and the daily signed audit anchor.
 */
export async function startBackupServices(rt: Runtime, log: Log, opts: { anchorWritten?: (a: Anchor, path: string) => Promise<void> } = {}) {
  const control = rt.handle.store === 'pglite'
    ? await startControl({ dataDir: rt.config.VIGIL_DATA_DIR, backup: (dest) => takeBackup({ handle: rt.handle, config: rt.config, secretKey: rt.secretKey }, dest), log })
    : null;
  const hours = rt.config.VIGIL_AUDIT_ANCHOR_HOURS;
  const anchors = hours > 0
    ? startAnchorWorker({ db: rt.handle.db, secretKey: rt.secretKey, dir: anchorDir(rt.config), everyMs: hours * 3_600_000, log, ...(opts.anchorWritten ? { written: opts.anchorWritten } : {}) })
    : null;
  return {
    async stop() {
      await anchors?.stop();
      await control?.close();
    },
  };
}
