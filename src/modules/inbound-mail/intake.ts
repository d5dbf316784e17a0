import type { Config } from '../../config.ts';
import type { Db, Executor } from '../../db/index.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import type { AuditService } from '../audit/index.ts';
import type { BlobStore } from '../evidence/index.ts';
import { recorder } from '../incidents/index.ts';
import { channelActor, type IntakeItemRow, type IntakeItemService, type ParseOutcome } from '../intake/index.ts';
import type { ReportService } from '../reports/index.ts';
import type { SettingsService } from '../settings/index.ts';
import { communicate, fileReply, fileReport, type Filing, type MailOutcome } from './filing.ts';
import { letterOf, type MailEnvelope } from './letter.ts';
import { openMail } from './open.ts';
import { keyLoader } from './pgp.ts';
import { threadOf } from './thread.ts';

export type { MailOutcome } from './filing.ts';

export interface MailIntakeDeps {
  db: Db;
  clock: Clock;
  audit: AuditService;
  settings: SettingsService;
  blobs: BlobStore;
  reports: ReportService;
  intake: IntakeItemService;
}

export const mailKindOf = (o: ParseOutcome): MailOutcome['kind'] | null => ('kind' in o ? (o as MailOutcome).kind : null);

/** The channel an e-mail came through acts for it: named in the audit trail, with the peer's address. */
const actorOf = (env: MailEnvelope): Actor =>
  env.transport === 'import' ? channelActor('mail-import') : channelActor('smtp', env.remoteAddress ?? null);

/**
 * Registers the e-mail parser with the intake service: an item (SMTP or import) becomes a new
 * report, a repeat of one (deduplication), a reply on a report, or a communication on an
 * incident (threading by reference or Message-ID).
 */
export function registerMailIntake(d: MailIntakeDeps, config: Config): void {
  const keys = keyLoader(config.VIGIL_PGP_KEY_FILE, config.VIGIL_PGP_PASSPHRASE);
  const record = recorder(d);

  async function parse(tx: Executor, item: IntakeItemRow): Promise<MailOutcome> {
    const envelope = item.envelope as MailEnvelope;
    const opened = await openMail(Buffer.from(item.content), keys);
    const f: Filing = { tx, actor: actorOf(envelope), item, letter: letterOf(opened, envelope), clock: d.clock, audit: d.audit, blobs: d.blobs, reports: d.reports, record, config };
    const thread = await threadOf(tx, item.id, opened.mail);
    let outcome: MailOutcome;
    if (thread.report) outcome = await fileReply(f, thread.report, thread.incident);
    else if (thread.incident) {
      await communicate(f, thread.incident);
      outcome = { kind: 'communication', incidentId: thread.incident.id };
    } else outcome = await fileReport(f);
    if (f.letter.pgp) {
      await d.audit.record(tx, f.actor, {
        action: 'intake.pgp_checked', entity: 'intake_item', entityId: item.id,
        after: { ...f.letter.pgp, reportId: outcome.reportId ?? null, incidentId: outcome.incidentId ?? null },
      });
    }
    return outcome;
  }

  d.intake.register('email', parse);
}
