import type { ParsedMail } from 'mailparser';
import type { Executor } from '../../db/index.ts';
import type { Tlp } from '../../db/schema.ts';
import { itemsByMessageIds } from '../intake/index.ts';
import { reportsOfSentMessageIds } from '../outbound-mail/index.ts';
import { messageIdsIn } from './mime.ts';
import { mailIntakeRepo } from './repo.ts';

export interface ThreadReport {
  id: string;
  reference: string;
  incidentId: string | null;
}

export interface ThreadIncident {
  id: string;
  reference: string;
  tlp: Tlp;
}

/** What an e-mail answers: a report (and the incident it is on), an incident alone, or nothing. */
export interface Thread {
  report: ThreadReport | null;
  incident: ThreadIncident | null;
}

// A team prefix (settings: incidentPrefix) may change; references keep the prefix they were
// given, so any prefix is looked up and an unknown reference threads nothing.
const REPORT_REF = /(?<![A-Z0-9-])[A-Z][A-Z0-9]{1,11}-R-\d{4}-\d{6,}(?!\d)/g;
const INCIDENT_REF = /(?<![A-Z0-9-])[A-Z][A-Z0-9]{1,11}-\d{4}-\d{5,}(?!\d)/g;
/** References lists a whole thread; the newest few are enough to find where it belongs. */
const MAX_IDS = 50;

const refsIn = (subject: string, re: RegExp) => [...new Set([...subject.toUpperCase().matchAll(re)].map((m) => m[0]))];

/** Referenced Message-IDs, most specific first: In-Reply-To, then References newest first. */
function referencedIds(mail: ParsedMail): string[] {
  const refs = Array.isArray(mail.references) ? mail.references.join(' ') : (mail.references ?? '');
  return [...new Set([...messageIdsIn(mail.inReplyTo), ...messageIdsIn(refs).reverse()])].slice(0, MAX_IDS);
}

async function withIncident(x: Executor, report: ThreadReport): Promise<Thread> {
  return { report, incident: report.incidentId ? ((await mailIntakeRepo.incidentForReply(x, report.incidentId)) ?? null) : null };
}

/**
 * Where a message belongs. A reference in the subject wins (a report's before an incident's): it
 * is what people see and keep when they reply. Then In-Reply-To / References naming an earlier
 * intake item, or a receipt or update Vigil sent about a report.
 */
export async function threadOf(x: Executor, itemId: string, mail: ParsedMail): Promise<Thread> {
  const subject = mail.subject ?? '';
  const reportRefs = refsIn(subject, REPORT_REF);
  if (reportRefs.length) {
    const found = await mailIntakeRepo.reportsByReference(x, reportRefs);
    const first = reportRefs.map((r) => found.find((f) => f.reference === r)).find((f) => f);
    if (first) return withIncident(x, first);
  }
  const incidentRefs = refsIn(subject, INCIDENT_REF);
  if (incidentRefs.length) {
    const found = await mailIntakeRepo.incidentsByReference(x, incidentRefs);
    const first = incidentRefs.map((r) => found.find((f) => f.reference === r)).find((f) => f);
    if (first) return { report: null, incident: first };
  }
  const ids = referencedIds(mail);
  if (ids.length === 0) return { report: null, incident: null };
  const items = (await itemsByMessageIds(x, ids)).filter((i) => i.id !== itemId && (i.reportId || i.incidentId));
  const sent = await reportsOfSentMessageIds(x, ids);
  for (const id of ids) {
    const item = items.find((i) => i.messageId === id);
    const reportId = item?.reportId ?? sent.find((s) => s.messageId === id)?.reportId;
    if (reportId) {
      const report = await mailIntakeRepo.reportForReply(x, reportId);
      if (report) return withIncident(x, report);
    }
    if (item?.incidentId) {
      const incident = await mailIntakeRepo.incidentForReply(x, item.incidentId);
      if (incident) return { report: null, incident };
    }
  }
  return { report: null, incident: null };
}
