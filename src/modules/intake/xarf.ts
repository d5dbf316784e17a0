import { createHash } from 'node:crypto';
import type { AlertSeverity } from '../../db/schema.ts';
import { normaliseObservable, ObservableInvalid, type ObservableType } from '../observables/index.ts';
import type { MappedAlert } from './mapping.ts';

/**
 * X-ARF v4 (xarf/xarf-spec): machine-readable abuse reports, JSON with `xarf_version` 4.x.
 * Vigil reads them natively, in the alerts webhook and in e-mail, with no mapping to write.
 */
export interface XarfReport {
  xarf_version: string;
  category: string;
  type: string;
  [k: string]: unknown;
}

/** Whether a JSON value is an X-ARF v4 report (version 4.x with a category and a type). */
export function isXarf(v: unknown): v is XarfReport {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return typeof o.xarf_version === 'string' && /^4\.\d+(\.\d+)?$/.test(o.xarf_version) && typeof o.category === 'string' && typeof o.type === 'string';
}

/** A body of X-ARF reports: one report or a non-empty array of them (every item one); else null. */
export function xarfReportsIn(body: unknown): XarfReport[] | null {
  if (isXarf(body)) return [body];
  if (Array.isArray(body) && body.length > 0 && body.every(isXarf)) return body;
  return null;
}

/**
 * X-ARF category/type to the ENISA RSIT class/type Vigil suggests. Chosen from the RSIT type
 * descriptions; a pair not listed suggests by category, and an unknown category suggests nothing.
 */
const RSIT_OF_TYPE: Record<string, string> = {
  'messaging/spam': 'abusive-content/spam',
  'messaging/bulk_messaging': 'abusive-content/spam',
  'connection/login_attack': 'intrusion-attempts/brute-force',
  'connection/port_scan': 'information-gathering/scanner',
  'connection/reconnaissance': 'information-gathering/scanner',
  'connection/vulnerability_scan': 'information-gathering/scanner',
  'connection/scraping': 'information-gathering/scanner',
  'connection/ddos': 'availability/ddos',
  'connection/infected_host': 'malicious-code/infected-system',
  'connection/sql_injection': 'intrusion-attempts/ids-alert',
  'vulnerability/cve': 'vulnerable/vulnerable-system',
  'vulnerability/open_service': 'vulnerable/potentially-unwanted-accessible',
  'vulnerability/misconfiguration': 'vulnerable/vulnerable-system',
  'reputation/blocklist': 'other/other',
  'reputation/threat_intelligence': 'other/other',
  'infrastructure/botnet': 'malicious-code/infected-system',
  'infrastructure/compromised_server': 'intrusions/system-compromise',
  'content/phishing': 'fraud/phishing',
  'content/malware': 'malicious-code/malware-distribution',
  'content/csam': 'abusive-content/violence',
  'content/csem': 'abusive-content/violence',
  'content/exposed_data': 'information-content-security/data-leak',
  'content/brand_infringement': 'fraud/masquerade',
  'content/fraud': 'fraud/masquerade',
  'content/suspicious_registration': 'fraud/masquerade',
  'content/remote_compromise': 'intrusions/application-compromise',
};
const RSIT_OF_CATEGORY: Record<string, string> = {
  messaging: 'abusive-content/spam',
  connection: 'information-gathering/scanner',
  vulnerability: 'vulnerable/vulnerable-system',
  reputation: 'other/other',
  infrastructure: 'malicious-code/infected-system',
  content: 'other/other',
  copyright: 'fraud/copyright',
};

/** The RSIT class/type for an X-ARF category and type; null for a category X-ARF does not define. */
export function rsitOfXarf(category: string, type: string): { class: string; type: string } | null {
  const c = category.toLowerCase();
  const v = RSIT_OF_TYPE[`${c}/${type.toLowerCase()}`] ?? (c === 'copyright' ? RSIT_OF_CATEGORY.copyright : RSIT_OF_CATEGORY[c]);
  if (!v) return null;
  const [cls, t] = v.split('/') as [string, string];
  return { class: cls, type: t };
}

const HIGH = new Set(['connection/ddos', 'connection/infected_host', 'connection/sql_injection', 'infrastructure/botnet', 'infrastructure/compromised_server',
  'content/phishing', 'content/malware', 'content/exposed_data', 'content/remote_compromise']);
const CRITICAL = new Set(['content/csam', 'content/csem']);
const LOW = new Set(['messaging/spam', 'messaging/bulk_messaging', 'connection/port_scan', 'connection/reconnaissance', 'connection/scraping',
  'connection/vulnerability_scan', 'reputation/blocklist', 'reputation/threat_intelligence']);

function severityOf(r: XarfReport): AlertSeverity {
  const k = `${r.category}/${r.type}`.toLowerCase();
  if (CRITICAL.has(k)) return 'critical';
  if (HIGH.has(k)) return 'high';
  if (LOW.has(k) || r.category.toLowerCase() === 'copyright') return 'low';
  return 'medium';
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : null);
const line = (s: string, max: number) => s.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, max);

/** Adds a value as the first type it normalises to; values that are none of them are skipped. */
function add(out: Map<string, { type: ObservableType; value: string }>, types: ObservableType[], raw: unknown) {
  for (const one of Array.isArray(raw) ? raw : [raw]) {
    const s = str(one);
    if (!s || s.length > 2000) continue;
    for (const type of types) {
      try {
        const value = normaliseObservable(type, s);
        out.set(`${type}:${value}`, { type, value });
        break;
      } catch (e) {
        if (!(e instanceof ObservableInvalid)) throw e;
      }
    }
  }
}

const ADDRESS: ObservableType[] = ['ipv4', 'ipv6', 'cidr', 'url', 'domain'];

/** The observables of an X-ARF report: the source, destinations, URLs, domains, senders, hashes, CVEs. */
export function xarfObservables(r: XarfReport): { type: ObservableType; value: string }[] {
  const out = new Map<string, { type: ObservableType; value: string }>();
  add(out, ADDRESS, r.source_identifier);
  add(out, ['ipv4', 'ipv6'], r.destination_ip);
  for (const k of ['url', 'infringing_url', 'target_url', 'submission_url', 'original_url']) add(out, ['url'], r[k]);
  add(out, ['domain'], r.domain);
  add(out, ['email'], r.smtp_from);
  add(out, ['asn'], r.asn);
  add(out, ADDRESS, r.c2_server);
  add(out, ADDRESS, r.c2_servers);
  const hashes = r.file_hashes && typeof r.file_hashes === 'object' ? Object.values(r.file_hashes as object) : [];
  add(out, ['sha256', 'sha1', 'md5'], hashes);
  add(out, ['other'], [r.cve_id, ...(Array.isArray(r.cve_ids) ? r.cve_ids : [])].filter((c) => typeof c === 'string' && /^CVE-\d{4}-\d{4,}$/i.test(c)));
  return [...out.values()].slice(0, 200);
}

/** When the abuse happened (`timestamp`, else `first_seen`); null when neither is a date. */
export function xarfObservedAt(r: XarfReport): Date | null {
  for (const v of [r.timestamp, r.first_seen]) {
    const s = str(v);
    if (!s) continue;
    const d = new Date(s);
    if (!Number.isNaN(d.getTime())) return d;
  }
  return null;
}

const orgOf = (v: unknown) => (v && typeof v === 'object' ? str((v as Record<string, unknown>).org) : null);

/** An X-ARF report as an alert: what the reports says, with no mapping written by anyone. */
export function xarfAlert(r: XarfReport): MappedAlert {
  const what = `${r.category}/${r.type}`;
  const source = str(r.source_identifier);
  const reporter = orgOf(r.reporter);
  const title = line(`X-ARF ${what}${source ? ` from ${source}` : ''}${reporter ? ` (reported by ${reporter})` : ''}`, 300);
  const description = [str(r.description), str(r.subject) ? `Subject: ${str(r.subject)}` : null, str(r.evidence_source) ? `Evidence: ${str(r.evidence_source)}` : null]
    .filter(Boolean).join('\n').slice(0, 100_000);
  const reportId = str(r.report_id);
  const fields: Record<string, unknown> = { xarf_version: r.xarf_version, xarf_category: r.category, xarf_type: r.type };
  if (reporter) fields.reporter = reporter;
  const sender = orgOf(r.sender);
  if (sender) fields.sender = sender;
  for (const k of ['source_port', 'protocol', 'evidence_source', 'confidence', 'tags', 'destination_port', 'first_seen', 'last_seen']) if (r[k] !== undefined) fields[k] = r[k];
  return {
    title, description, severity: severityOf(r), sourceRef: reportId ? line(reportId, 200) : null, observedAt: xarfObservedAt(r),
    fingerprint: createHash('sha256').update(JSON.stringify(['xarf', reportId ?? JSON.stringify(r)])).digest('hex'),
    classification: rsitOfXarf(r.category, r.type), observables: xarfObservables(r), fields,
  };
}
