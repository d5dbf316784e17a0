import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { systemClock } from '../../lib/actor.ts';
import type { Runtime } from '../../runtime.ts';
import { queueAnchorMail, startAnchorWorker, type Anchor } from '../audit/index.ts';
import { startControl } from './control.ts';
import { takeBackup } from './service.ts';

type Log = { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };

/** Where anchors go: VIGIL_AUDIT_ANCHOR_DIR, else `anchors/` in the data folder. */
export const anchorDir = (config: Runtime['config']) => resolve(config.VIGIL_AUDIT_ANCHOR_DIR ?? join(config.VIGIL_DATA_DIR, 'anchors'));

/**
 * What to do with each anchor written: with VIGIL_AUDIT_ANCHOR_MAIL_TO, queue it to be mailed
 * there (the file as an attachment) by the delivery worker; else nothing.
 */
export function anchorMailer(rt: Pick<Runtime, 'config' | 'handle'>, log: Log): ((a: Anchor, path: string) => Promise<void>) | undefined {
  const to = rt.config.VIGIL_AUDIT_ANCHOR_MAIL_TO;
  if (!to) return undefined;
  if (!rt.config.VIGIL_SMTP_RELAY_URL) log.warn({ to }, 'audit anchors are to be mailed, but VIGIL_SMTP_RELAY_URL is not set: they stay queued until it is');
  return async (anchor, path) => {
    await queueAnchorMail(rt.handle.db, { to, anchor, path, text: await readFile(path, 'utf8'), clock: systemClock });
    log.info({ seq: anchor.seq, to }, 'audit anchor queued to be mailed');
  };
}

/**
 * What `vigil serve` runs for backups and anchors: the control socket through which `vigil backup`
 * reaches the embedded store this process holds, and the daily signed audit anchor (mailed out
 * when VIGIL_AUDIT_ANCHOR_MAIL_TO is set, unless the caller says otherwise with `anchorWritten`).
 */
export async function startBackupServices(rt: Runtime, log: Log, opts: { anchorWritten?: (a: Anchor, path: string) => Promise<void> } = {}) {
  const written = opts.anchorWritten ?? anchorMailer(rt, log);
  const control = rt.handle.store === 'pglite'
    ? await startControl({ dataDir: rt.config.VIGIL_DATA_DIR, backup: (dest) => takeBackup({ handle: rt.handle, config: rt.config, secretKey: rt.secretKey }, dest), log })
    : null;
  const hours = rt.config.VIGIL_AUDIT_ANCHOR_HOURS;
  const anchors = hours > 0
    ? startAnchorWorker({ db: rt.handle.db, secretKey: rt.secretKey, dir: anchorDir(rt.config), everyMs: hours * 3_600_000, log, ...(written ? { written } : {}) })
    : null;
  return {
    async stop() {
      await anchors?.stop();
      await control?.close();
    },
  };
}
