import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Db } from '../../db/index.ts';
import type { Tlp } from '../../db/schema.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { authorize } from '../../lib/authz/policy.ts';
import { VigilError } from '../../lib/errors.ts';
import type { AuditService } from '../audit/index.ts';
import type { EvidenceService } from '../evidence/index.ts';
import { reportAttachmentRepo } from './attachments.repo.ts';
import { reportRepo } from './repo.ts';
import type { ReportService } from './service.ts';

/** Types a browser may be told as they are (inert); anything else goes out as application/octet-stream. */
const INERT_TYPES = new Set([
  'application/pdf', 'application/zip', 'application/json', 'application/octet-stream', 'message/rfc822', 'text/plain', 'text/csv',
  'image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp',
]);

/** The content type to send a file with: the stored one when it is inert, otherwise octet-stream. */
export function safeContentType(stored: string): string {
  const bare = stored.split(';')[0]!.trim().toLowerCase();
  return INERT_TYPES.has(bare) ? bare : 'application/octet-stream';
}

const CHANNEL_WORDS: Record<string, string> = {
  api: 'the API', web_form: 'the web form', portal: 'the reporter portal', email: 'e-mail', phone: 'phone', monitoring: 'monitoring', other: 'another channel',
};

/**
 * A report's attachments: listed, downloaded one by one, and kept as evidence of the report's
 * incident. Team members only (as the raw message), with the report's own access rule: a report
 * you may not see has no attachments you may see (404).
 */
export function createReportAttachmentService(d: {
  db: Db; audit: AuditService; clock: Clock; reports: ReportService;
  blobs: { open(sha256: string): Readable };
  evidence: Pick<EvidenceService, 'keepIn'>;
}) {
  async function visibleReport(actor: Actor, reportId: string) {
    authorize(actor, 'report.read');
    const row = await reportRepo.findVisible(d.db, await d.reports.scope(actor), reportId);
    if (!row) throw new VigilError('VIG_REPORT_NOT_FOUND', { id: reportId });
    return row;
  }

  async function storedFile(reportId: string, attachmentId: string) {
    const a = await reportAttachmentRepo.find(d.db, reportId, attachmentId);
    if (!a) throw new VigilError('VIG_REPORT_ATTACHMENT_NOT_FOUND', { id: attachmentId });
    if (!a.stored || !a.sha256) throw new VigilError('VIG_REPORT_ATTACHMENT_NOT_KEPT', { id: attachmentId, flags: a.flags });
    return { ...a, sha256: a.sha256, size: Number(a.size) };
  }

  /** MD5 and SHA-1 of a kept file, read back; its SHA-256 must still match (the store is content-addressed). */
  async function hashes(sha256: string) {
    const h256 = createHash('sha256');
    const h1 = createHash('sha1');
    const h5 = createHash('md5');
    let size = 0;
    for await (const chunk of d.blobs.open(sha256) as AsyncIterable<Buffer>) {
      size += chunk.length;
      h256.update(chunk);
      h1.update(chunk);
      h5.update(chunk);
    }
    if (h256.digest('hex') !== sha256) throw new Error(`blob ${sha256} does not match its hash`);
    return { sha256, sha1: h1.digest('hex'), md5: h5.digest('hex'), size };
  }

  return {
    async list(actor: Actor, reportId: string) {
      const row = await visibleReport(actor, reportId);
      return (await reportAttachmentRepo.list(d.db, row.id)).map((a) => ({ ...a, size: Number(a.size) }));
    },

    /** Opens one file for download; the download is in the audit trail. */
    async download(actor: Actor, reportId: string, attachmentId: string) {
      const row = await visibleReport(actor, reportId);
      const file = await storedFile(row.id, attachmentId);
      await d.audit.record(d.db, actor, {
        action: 'report.attachment_read', entity: 'report', entityId: row.id, after: { reference: row.reference, attachment: file.id, filename: file.filename, sha256: file.sha256 },
      });
      return { file, contentType: safeContentType(file.contentType), stream: d.blobs.open(file.sha256) };
    },

    /**
     * Keeps a file as evidence of the incident the report is on. Its custody starts when it arrived
     * (the report's arrival, or that of the reply that brought it), received by Vigil from the reporter.
     */
    async keep(actor: Actor, reportId: string, attachmentId: string, input: { description?: string | undefined; tlp?: Tlp | undefined }) {
      const seen = await visibleReport(actor, reportId);
      authorize(actor, 'incident.update');
      const file = await storedFile(seen.id, attachmentId);
      const blob = await hashes(file.sha256);
      return d.db.transaction().execute(async (tx) => {
        const row = (await reportRepo.lockById(tx, seen.id))!;
        if (!row.incidentId) throw new VigilError('VIG_REPORT_NOT_ON_INCIDENT', { id: row.id, status: row.status });
        const sender = file.messageSender ?? ([row.reporterName, row.reporterEmail && `<${row.reporterEmail}>`].filter(Boolean).join(' ') || null);
        const kept = await d.evidence.keepIn(tx, actor, row.incidentId, blob, {
          filename: file.filename,
          contentType: file.contentType,
          description: input.description?.trim() || `Attachment of report ${row.reference}`,
          tlp: input.tlp ?? row.tlp,
          collectedBy: `Vigil intake (${CHANNEL_WORDS[row.channel] ?? row.channel})`,
          collectedAt: file.messageReceivedAt ?? row.receivedAt,
          collectedFrom: `report ${row.reference}${sender ? `, sent by ${sender}` : ''}`,
        }, { via: 'report attachment', report: row.reference, attachment: file.id });
        if (!kept.existing) {
          await d.audit.record(tx, actor, {
            action: 'report.attachment_kept', entity: 'report', entityId: row.id,
            after: { reference: row.reference, attachment: file.id, filename: file.filename, sha256: file.sha256, evidence: kept.evidence.id },
          });
        }
        return kept;
      });
    },
  };
}
export type ReportAttachmentService = ReturnType<typeof createReportAttachmentService>;
