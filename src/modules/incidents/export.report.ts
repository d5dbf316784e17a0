// What the HTML and PDF incident reports share: TLP marking, dates, labels, and one plain sentence
// per timeline entry. Everything here returns plain text; each format escapes it its own way.
import type { Tlp } from '../../db/schema.ts';
import type { IncidentReport } from './export.service.ts';

export type ReportEntry = ReturnType<IncidentReport['timeline']> extends AsyncIterable<infer E> ? E : never;

/** TLP 2.0 from least to most restrictive. */
const TLP_ORDER: Tlp[] = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];

/** FIRST TLP 2.0 colours: the label is printed in this colour on black. */
export const TLP_COLOUR: Record<Tlp, string> = {
  RED: '#FF2B2B', 'AMBER+STRICT': '#FFC000', AMBER: '#FFC000', GREEN: '#33FF00', CLEAR: '#FFFFFF',
};

export const tlpLabel = (tlp: Tlp) => `TLP:${tlp}`;

/** The most restrictive of the labels (an unknown or missing one counts for nothing). */
export function strictest(a: Tlp, b: Tlp | null | undefined): Tlp {
  return b && TLP_ORDER.indexOf(b) > TLP_ORDER.indexOf(a) ? b : a;
}

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

const str = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : JSON.stringify(v));
/** An external contact as an event names it: "Dr. Rechts (Kanzlei & Partner)". */
const contact = (d: Record<string, unknown>) => (d.organisation ? `${str(d.name)} (${str(d.organisation)})` : str(d.name) || str(d.contactId));

function short(v: unknown, max = 120): string {
  if (v === null || v === undefined || v === '') return '(empty)';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function classes(v: unknown): string {
  if (!Array.isArray(v) || v.length === 0) return '(none)';
  return v.map((c: { class?: string; type?: string; primary?: boolean }) => `${str(c.class)}/${str(c.type)}${c.primary ? ' (primary)' : ''}`).join('; ');
}

function changes(v: unknown): string {
  const list = Object.entries((v ?? {}) as Record<string, { from?: unknown; to?: unknown }>);
  return list.map(([k, c]) => `${humanize(k).toLowerCase()}: ${short(c?.from)} → ${short(c?.to)}`).join('; ');
}

/** What happened, as a sentence after the actor's name; a note's or task note's body is not included. */
export function describeEntry(e: Pick<ReportEntry, 'kind' | 'data'>): string {
  const d = e.data;
  const ref = (x: unknown) => str((x as { reference?: unknown } | null)?.reference) || 'another incident';
  switch (e.kind) {
    case 'incident.declared': return `declared ${str(d.reference)} "${str(d.title)}" as ${str(d.priority)}, TLP:${str(d.tlp)}, classified ${classes(d.classifications)}`;
    case 'incident.updated': return `changed ${changes(d.changes)}`;
    case 'incident.priority_changed': return `changed the priority from ${str(d.from)} to ${str(d.to)}`;
    case 'incident.classified': return `reclassified the incident from ${classes(d.from)} to ${classes(d.to)}`;
    case 'incident.status_changed': return `moved the incident from ${humanize(str(d.from))} to ${humanize(str(d.to))}`;
    case 'incident.closed': return `closed the incident as ${humanize(str(d.resolution)).toLowerCase()}`;
    case 'incident.reopened': return `reopened the incident: ${str(d.reason)}`;
    case 'incident.role_assigned': return `made ${str(d.username) || str(d.userId)} ${humanize(str(d.role)).toLowerCase()}`;
    case 'incident.role_removed': return `removed ${str(d.username) || str(d.userId)} as ${humanize(str(d.role)).toLowerCase()}`;
    case 'incident.contact_role_assigned': return `made ${contact(d)} (external) ${humanize(str(d.role)).toLowerCase()}`;
    case 'incident.contact_role_removed': return `removed ${contact(d)} (external) as ${humanize(str(d.role)).toLowerCase()}`;
    case 'incident.note_added': return 'added a note';
    case 'incident.communication':
      return `recorded ${str(d.direction) === 'inbound' ? 'an inbound' : 'an outbound'} ${str(d.channel)} communication ${str(d.direction) === 'inbound' ? 'from' : 'with'} ${str(d.party)}`;
    case 'incident.key_time_set': return d.to ? `set ${humanize(str(d.name))} to ${fmtDate(str(d.to))}` : `cleared ${humanize(str(d.name))}`;
    case 'incident.lessons_recorded': return 'recorded the lessons-learned review';
    case 'incident.linked': return `linked ${ref(d.other)} (${humanize(str(d.kind)).toLowerCase()})`;
    case 'incident.unlinked': return `unlinked ${ref(d.other)} (${humanize(str(d.kind)).toLowerCase()})`;
    case 'incident.merged': return `merged ${ref(d.from)} into this incident`;
    case 'incident.merged_into': return `merged this incident into ${ref(d.into)}`;
    case 'task.created': return `created the task "${str(d.title)}" (${humanize(str(d.phase)).toLowerCase()})`;
    case 'task.updated': return `updated the task "${str(d.title)}": ${changes(d.changes)}`;
    case 'task.note_added': return `added a note to the task "${str(d.title)}"`;
    case 'observable.added': {
      const items = Array.isArray(d.items) ? (d.items as { type?: string; value?: string }[]) : [];
      return `added ${items.length} observable${items.length === 1 ? '' : 's'}: ${short(items.map((i) => `${str(i.type)} ${str(i.value)}`).join(', '), 400)}`;
    }
    case 'observable.removed': return `removed the observable ${str(d.type)} ${str(d.value)}`;
    case 'observable.updated': return `updated the observable ${str(d.type)} ${str(d.value)}: ${changes(d.changes)}`;
    case 'evidence.added': return `added the evidence file ${str(d.filename)} (SHA-256 ${str(d.sha256)})`;
    case 'evidence.downloaded': return `downloaded the evidence file ${str(d.filename)}`;
    case 'sla.warning': return `warned that the ${humanize(str(d.metric)).toLowerCase()} SLA target (${str(d.targetMinutes)} min) runs out at ${fmtDate(str(d.deadline))}`;
    case 'sla.breached': return `recorded a breach of the ${humanize(str(d.metric)).toLowerCase()} SLA target (${str(d.targetMinutes)} min, due ${fmtDate(str(d.deadline))})${d.metAt ? `, met at ${fmtDate(str(d.metAt))}` : ''}`;
    case 'evidence.handed_over': return `handed over the evidence file ${str(d.filename)} to ${str(d.to)}: ${str(d.reason)}`;
    default: return `recorded ${e.kind}${Object.keys(d).length ? `: ${short(d, 300)}` : ''}`;
  }
}

/** The Markdown body an entry carries (notes on the incident or on a task), if any. */
export const entryBody = (e: Pick<ReportEntry, 'kind' | 'data'>): string | null =>
  (e.kind === 'incident.note_added' || e.kind === 'task.note_added' || e.kind === 'incident.communication') && typeof e.data.body === 'string' ? e.data.body : null;
