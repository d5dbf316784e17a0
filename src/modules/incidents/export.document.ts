// What the HTML and PDF incident reports share: TLP marking, dates, labels, and one plain sentence
// per timeline entry. Everything here returns plain text; each format escapes it its own way.
import type { Tlp } from '../../db/schema.ts';
import { describeEvent, type EventWording } from './event-text.ts';
import type { IncidentReport } from './export.service.ts';

export type ReportEntry = ReturnType<IncidentReport['timeline']> extends AsyncIterable<infer E> ? E : never;

import { strictest, TLP_COLOUR } from '../../lib/tlp.ts';
export { strictest, TLP_COLOUR };

export const tlpLabel = (tlp: Tlp) => `TLP:${tlp}`;


/**
 * The label the whole report carries: the incident's, or stricter when something in it is marked
 * stricter (a RED note in an AMBER incident makes the printed report RED).
 */
export function reportTlp(r: Omit<IncidentReport, 'timeline'>, entryTlps: Iterable<Tlp | null>): Tlp {
  let t: Tlp = r.incident.tlp;
  for (const x of [...r.observables.map((o) => o.tlp), ...r.evidence.map((e) => e.tlp), ...r.links.map((l) => l.incident.tlp), ...entryTlps]) t = strictest(t, x);
  return t;
}

/** A download name from the reference: letters, digits, dot, dash and underscore only. */
export function reportFilename(reference: string, ext: 'html' | 'pdf'): string {
  return `${reference.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80) || 'incident'}-report.${ext}`;
}

export function fmtDate(d: Date | string | null | undefined): string {
  if (!d) return '—';
  const t = d instanceof Date ? d : new Date(d);
  return Number.isNaN(t.getTime()) ? String(d) : `${t.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export const humanize = (s: string) => (s ? (s.charAt(0).toUpperCase() + s.slice(1)).replaceAll('_', ' ') : s);

export const KEY_TIMES = [
  ['firstCompromiseAt', 'First compromise'], ['detectedAt', 'Detected'], ['containedAt', 'Contained'], ['recoveredAt', 'Recovered'],
] as const;

/** Names for user ids the report knows (role holders); others show as a short id. */
export function namer(r: Pick<IncidentReport, 'incident'>) {
  const names = new Map(r.incident.roles.map((x) => [x.userId, x.displayName || x.username]));
  return (id: string | null | undefined) => (id ? (names.get(id) ?? `user ${id.slice(0, 8)}`) : '—');
}

/** Reports name classes as RSIT writes them ("fraud / phishing") and dates in UTC. */
const REPORT_WORDING: EventWording = { date: (iso) => fmtDate(iso), classLabel: (c) => `${c.class} / ${c.type}` };

/**
 * What happened, as a sentence after the actor's name, worded as in the web app's timeline
 * (event-text.ts); a note's or task note's body is not included.
 */
export function describeEntry(e: Pick<ReportEntry, 'kind' | 'data'>, names?: (userId: string) => string): string {
  return describeEvent(e, names ? { ...REPORT_WORDING, userName: names } : REPORT_WORDING);
}

/** The Markdown body an entry carries (notes on the incident or on a task), if any. */
export const entryBody = (e: Pick<ReportEntry, 'kind' | 'data'>): string | null =>
  (e.kind === 'incident.note_added' || e.kind === 'task.note_added' || e.kind === 'incident.communication') && typeof e.data.body === 'string' ? e.data.body : null;
