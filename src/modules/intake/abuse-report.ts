import { normaliseObservable, ObservableInvalid, type ObservableType } from '../observables/index.ts';
import { isXarf, rsitOfXarf, xarfObservables, xarfObservedAt, type XarfReport } from './xarf.ts';

/**
 * Machine-readable abuse reports found in what a report carries: ARF (RFC 5965, the
 * `message/feedback-report` part of a `multipart/report; report-type=feedback-report` mail) and
 * X-ARF v4 (JSON, as a part or as the body). Read natively: their fields become typed observables,
 * their kind a suggested RSIT class, their arrival date the time the abuse was observed.
 */
export interface AbuseReport {
  format: 'arf' | 'x-arf';
  /** ARF's Feedback-Type, or X-ARF's category/type. */
  kind: string;
  /** When the reported abuse happened: ARF's Arrival-Date, X-ARF's timestamp. */
  observedAt: Date | null;
  fields: Record<string, string | string[]>;
  observables: { type: ObservableType; value: string }[];
  classification: { class: string; type: string } | null;
  /** Who sent the report (X-ARF reporter and sender: contact address and domain): never an indicator. */
  parties: string[];
}

/** The ARF fields Vigil shows, by lower-case name (RFC 5965 §3.1-3.3, RFC 6591 for auth-failure). */
const ARF_FIELDS: Record<string, string> = {
  'feedback-type': 'Feedback-Type', 'user-agent': 'User-Agent', version: 'Version', 'source-ip': 'Source-IP', 'reported-domain': 'Reported-Domain',
  'reported-uri': 'Reported-URI', 'arrival-date': 'Arrival-Date', 'original-mail-from': 'Original-Mail-From', 'original-rcpt-to': 'Original-Rcpt-To',
  'authentication-results': 'Authentication-Results', 'original-envelope-id': 'Original-Envelope-Id', 'reporting-mta': 'Reporting-MTA',
  incidents: 'Incidents', 'source-port': 'Source-Port', 'auth-failure': 'Auth-Failure', 'delivery-result': 'Delivery-Result', 'identity-alignment': 'Identity-Alignment',
};
/** Fields that may appear more than once. */
const REPEATED = new Set(['reported-domain', 'reported-uri', 'original-rcpt-to', 'authentication-results']);

/** Feedback-Type to the RSIT class/type it suggests (RFC 5965 §7.3 registry; RFC 6650 not-spam suggests nothing). */
const RSIT_OF_FEEDBACK: Record<string, { class: string; type: string }> = {
  abuse: { class: 'abusive-content', type: 'spam' },
  fraud: { class: 'fraud', type: 'phishing' },
  virus: { class: 'malicious-code', type: 'malware-distribution' },
  'auth-failure': { class: 'fraud', type: 'masquerade' },
};

const line = (s: string, max: number) => s.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, max);

function add(out: Map<string, { type: ObservableType; value: string }>, types: ObservableType[], raw: string | undefined) {
  const s = raw?.replace(/^<|>$/g, '').trim();
  if (!s) return;
  for (const type of types) {
    try {
      const value = normaliseObservable(type, s);
      out.set(`${type}:${value}`, { type, value });
      return;
    } catch (e) {
      if (!(e instanceof ObservableInvalid)) throw e;
    }
  }
}

const dateOf = (v: string | undefined) => {
  if (!v) return null;
  const d = new Date(v.replace(/\s*\([^)]*\)\s*$/, ''));
  return Number.isNaN(d.getTime()) ? null : d;
};

/**
 * Reads the fields of an ARF `message/feedback-report` part (header syntax: folded lines
 * unfolded, any line-end style). Null when it names no Feedback-Type.
 */
export function arfReportOf(text: string): AbuseReport | null {
  const fields: Record<string, string | string[]> = {};
  const unfolded = text.replace(/\r\n?/g, '\n').replace(/\n[ \t]+/g, ' ');
  for (const l of unfolded.split('\n')) {
    const m = /^([A-Za-z0-9-]+)[ \t]*:[ \t]*(.*)$/.exec(l);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    const name = ARF_FIELDS[key];
    if (!name) continue;
    const value = line(m[2]!, 2000);
    if (!value) continue;
    if (REPEATED.has(key)) fields[name] = [...((fields[name] as string[] | undefined) ?? []), value].slice(0, 50);
    else fields[name] ??= value;
  }
  const kind = (fields['Feedback-Type'] as string | undefined)?.toLowerCase();
  if (!kind) return null;
  const out = new Map<string, { type: ObservableType; value: string }>();
  add(out, ['ipv4', 'ipv6'], fields['Source-IP'] as string | undefined);
  for (const d of (fields['Reported-Domain'] as string[] | undefined) ?? []) add(out, ['domain'], d);
  for (const u of (fields['Reported-URI'] as string[] | undefined) ?? []) add(out, /^(https?|ftp):/i.test(u) ? ['url'] : /^mailto:/i.test(u) ? ['email'] : ['other'], u.replace(/^mailto:/i, ''));
  add(out, ['email'], fields['Original-Mail-From'] as string | undefined);
  return {
    format: 'arf', kind, observedAt: dateOf(fields['Arrival-Date'] as string | undefined), fields,
    observables: [...out.values()], classification: RSIT_OF_FEEDBACK[kind] ?? null, parties: [],
  };
}

/** An X-ARF v4 report as Vigil shows it beside a report. */
export function xarfReportOf(r: XarfReport): AbuseReport {
  const fields: Record<string, string | string[]> = {};
  const parties = new Set<string>();
  for (const [k, v] of Object.entries(r)) {
    if (k === 'evidence' || k === '_internal') continue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') fields[k] = line(String(v), 2000);
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) fields[k] = v.slice(0, 50).map((x) => line(x, 2000));
    else if (v && typeof v === 'object' && (k === 'reporter' || k === 'sender')) {
      const o = v as Record<string, unknown>;
      fields[k] = line([o.org, o.contact].filter((x) => typeof x === 'string').join(' '), 500);
      for (const p of [o.contact, o.domain]) if (typeof p === 'string' && p.trim()) parties.add(p.trim().toLowerCase());
    }
  }
  return {
    format: 'x-arf', kind: `${r.category}/${r.type}`, observedAt: xarfObservedAt(r), fields,
    observables: xarfObservables(r), classification: rsitOfXarf(r.category, r.type), parties: [...parties].slice(0, 10),
  };
}

/** X-ARF reports in a JSON text (one report or an array of them); none when it is not X-ARF. */
export function xarfReportsInText(text: string): AbuseReport[] {
  const t = text.trim().replace(/^\uFEFF/, '');
  if (!t.startsWith('{') && !t.startsWith('[')) return [];
  try {
    const v = JSON.parse(t) as unknown;
    const list = Array.isArray(v) ? v : [v];
    return list.filter(isXarf).slice(0, 50).map(xarfReportOf);
  } catch {
    return [];
  }
}

/** What a content type or file name says a part is: an ARF feedback report, or JSON that may be X-ARF. */
export function abuseReportKind(contentType: string, filename: string): 'arf' | 'json' | null {
  const ct = contentType.toLowerCase();
  if (ct.startsWith('message/feedback-report')) return 'arf';
  if (/^(application\/(json|x-ndjson|xarf\+json)|text\/json)/.test(ct) || /\.json$/i.test(filename)) return 'json';
  return null;
}

/** The abuse reports in a part's text, by what kind of part it is. */
export function abuseReportsIn(kind: 'arf' | 'json', text: string): AbuseReport[] {
  if (kind === 'arf') {
    const r = arfReportOf(text);
    return r ? [r] : [];
  }
  return xarfReportsInText(text);
}
