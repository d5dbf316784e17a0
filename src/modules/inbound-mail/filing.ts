import type { Config } from '../../config.ts';
import type { Executor } from '../../db/index.ts';
import type { Tlp } from '../../db/schema.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { strictest } from '../../lib/tlp.ts';
import type { AuditService } from '../audit/index.ts';
import type { BlobStore } from '../evidence/index.ts';
import type { recorder } from '../incidents/index.ts';
import { type IntakeItemRow, type ParseOutcome, saveAttachments } from '../intake/index.ts';
import { addReportMessage, type ReportService } from '../reports/index.ts';
import type { Letter } from './letter.ts';
import { fingerprintOf } from './text.ts';
import type { ThreadIncident, ThreadReport } from './thread.ts';

/** What an e-mail became; `kind` lets the import count repeats and replies. */
export type MailOutcome = ParseOutcome & { kind: 'report' | 'repeat' | 'reply' | 'communication' };

/** What filing a letter needs, inside the transaction that marks its intake item parsed. */
export interface Filing {
  tx: Executor;
  actor: Actor;
  item: IntakeItemRow;
  letter: Letter;
  clock: Clock;
  audit: AuditService;
  blobs: BlobStore;
  reports: ReportService;
  record: ReturnType<typeof recorder>;
  config: Pick<Config, 'VIGIL_INTAKE_ATTACHMENT_MAX_BYTES' | 'VIGIL_REPORT_DEDUP_SECONDS'>;
}

/** An inbound message is at least AMBER, and never less restricted than the incident it is about. */
const atLeastAmber = (t: Tlp): Tlp => strictest('AMBER', t);

const sender = (m: Letter) => m.reporterEmail ?? m.reporterName ?? null;

/** An inbound communication on an incident's timeline (with the report it came through, if any). */
export async function communicate(f: Filing, incident: ThreadIncident, report?: ThreadReport): Promise<void> {
  const { item, letter: m } = f;
  const tlp = atLeastAmber(incident.tlp);
  const data = {
    direction: 'inbound', channel: 'email', party: sender(m) ?? 'unknown sender', subject: m.title, body: m.body, intakeItemId: item.id,
    ...(report ? { report: report.reference } : {}),
    // Without a report there is nowhere to list files; their bytes stay in the raw message.
    ...(m.files.length && !report ? { attachments: m.files.map((file) => file.filename ?? 'attachment') } : {}),
  };
  await f.record(f.tx, f.actor, incident.id, 'incident.communication', data, {
    tlp, occurredAt: item.receivedAt, after: { direction: 'inbound', channel: 'email', length: m.body.length, tlp, intakeItemId: item.id },
  });
}

/** A reply on a report, with its attachments; on the report's incident too, when it has one. */
export async function fileReply(f: Filing, report: ThreadReport, incident: ThreadIncident | null): Promise<MailOutcome> {
  const { item, letter: m } = f;
  const message = await addReportMessage(f.tx, {
    reportId: report.id, kind: 'reply', intakeItemId: item.id, receivedAt: item.receivedAt, sender: sender(m), subject: m.title, body: m.body,
  });
  const saved = await saveAttachments(f.tx, f.blobs, { reportId: report.id, messageId: message.id }, m.files, f.config.VIGIL_INTAKE_ATTACHMENT_MAX_BYTES, f.clock.now());
  await f.audit.record(f.tx, f.actor, {
    action: 'report.reply_received', entity: 'report', entityId: report.id,
    after: { reference: report.reference, messageId: message.id, intakeItemId: item.id, attachments: saved.length },
  });
  if (incident) await communicate(f, incident, report);
  return { kind: 'reply', reportId: report.id, incidentId: incident?.id ?? null };
}

/** A new report, or a repeat of one that deduplication folds it into. */
export async function fileReport(f: Filing): Promise<MailOutcome> {
  const { item, letter: m } = f;
  const r = await f.reports.receiveIn(f.tx, f.actor, {
    channel: 'email', intakeItemId: item.id, title: m.title, body: m.body,
    reporterName: m.reporterName, reporterEmail: m.reporterEmail,
    fingerprint: fingerprintOf(sender(m) ?? '', m.title, m.text, m.files.map((file) => file.content)),
    dedupWindowSeconds: f.config.VIGIL_REPORT_DEDUP_SECONDS, receivedAt: item.receivedAt, autoSubmitted: m.autoSubmitted,
  });
  // A repeat has the very same attachments (they are in the fingerprint): the first report lists them.
  if (!r.repeatOf) await saveAttachments(f.tx, f.blobs, { reportId: r.report.id }, m.files, f.config.VIGIL_INTAKE_ATTACHMENT_MAX_BYTES, f.clock.now());
  return { kind: r.repeatOf ? 'repeat' : 'report', reportId: r.report.id };
}
