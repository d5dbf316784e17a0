// One plain sentence per incident timeline event, after the actor's name ("hanna moved the incident
// from triage to analysis"). One module for the web app (which bundles this file) and the HTML/PDF
// reports, so both word every event the same way. It imports nothing and returns plain text: each
// caller escapes it its own way. Every kind the server records is listed in INCIDENT_EVENT_KINDS
// (a test scans the code for recorded kinds and fails on one without a sentence here).

/** Every kind of incident event the server records. */
export const INCIDENT_EVENT_KINDS = [
  'incident.declared', 'incident.updated', 'incident.priority_changed', 'incident.classified', 'incident.status_changed',
  'incident.closed', 'incident.reopened', 'incident.assigned', 'incident.role_assigned', 'incident.role_removed',
  'incident.contact_role_assigned', 'incident.contact_role_removed', 'incident.communication', 'incident.note_added',
  'incident.key_time_set', 'incident.lessons_recorded', 'incident.linked', 'incident.unlinked', 'incident.merged', 'incident.merged_into',
  'task.created', 'task.updated', 'task.note_added', 'playbook.applied',
  'observable.added', 'observable.updated', 'observable.removed',
  'evidence.added', 'evidence.downloaded', 'evidence.handed_over',
  'report.linked', 'report.unlinked', 'alert.linked',
  'sla.paused', 'sla.resumed', 'sla.warning', 'sla.breached',
  'escalation.started', 'escalation.level', 'escalation.acknowledged', 'escalation.exhausted', 'escalation.ended',
] as const;
export type IncidentEventKind = (typeof INCIDENT_EVENT_KINDS)[number];

/** How the caller shows what the event data only names: dates, RSIT classes, users. */
export interface EventWording {
  /** A timestamp (ISO text) for people: the web app in the reader's zone, reports in UTC. */
  date(iso: string): string;
  /** An RSIT class and type by name; defaults to "class / type". */
  classLabel?: ((c: { class: string; type: string }) => string) | undefined;
  /** A user by id, for the events that carry only an id; defaults to "a team member". */
  userName?: ((id: string) => string) | undefined;
}

type Data = Record<string, unknown>;
type Sentence = (d: Data, w: EventWording) => string;

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');
const obj = (v: unknown): Data => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Data) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** "false_positive" -> "false positive". */
const words = (v: unknown, empty = 'unknown'): string => str(v).replaceAll('_', ' ').trim() || empty;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
const quoted = (v: unknown, max = 80) => (str(v) ? `"${clip(str(v), max)}"` : '(empty)');
/** "a, b and c". */
function and(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
const when = (v: unknown, w: EventWording) => (str(v) ? w.date(str(v)) : 'no time');
const user = (v: unknown, w: EventWording) => (str(v) ? (w.userName?.(str(v)) ?? 'a team member') : 'nobody');
const named = (v: unknown) => str(obj(v).username) || str(obj(v).name) || 'a team member';
const ref = (v: unknown, other = 'another incident') => str(obj(v).reference) || other;
const task = (d: Data) => quoted(d.title);

function classes(v: unknown, w: EventWording): string {
  const items = list(v).map(obj).filter((c) => str(c.class));
  if (!items.length) return '(none)';
  const label = (c: Data) => w.classLabel?.({ class: str(c.class), type: str(c.type) }) ?? `${str(c.class)} / ${str(c.type)}`;
  return items.map((c) => `${label(c)}${c.primary === true && items.length > 1 ? ' (primary)' : ''}`).join('; ');
}

const INCIDENT_FIELDS: Record<string, string> = {
  title: 'the title', summary: 'the summary', impact: 'the impact', urgency: 'the urgency', priority: 'the priority',
  tlp: 'the TLP', pap: 'the PAP', constituent: 'the constituent', exercise: 'the exercise flag',
};
const TEXT_FIELDS = new Set(['title', 'summary', 'constituent']);

/** The changes an incident update records ({ field: { from, to } }), each as "changed the title from "a" to "b"". */
function incidentChanges(v: unknown): string[] {
  return Object.entries(obj(v)).map(([k, c]) => {
    const { from, to } = obj(c);
    if (k === 'exercise') return to === true ? 'marked it as an exercise' : 'marked it as a real incident (not an exercise)';
    if (k === 'summary') return str(to) ? 'rewrote the summary' : 'cleared the summary';
    return `changed ${INCIDENT_FIELDS[k] ?? `the ${words(k)}`} from ${fieldValue(k, from)} to ${fieldValue(k, to)}`;
  });
}
const fieldValue = (k: string, x: unknown) => {
  if (x === null || x === undefined || x === '') return '(empty)';
  if (k === 'tlp') return `TLP:${str(x)}`;
  if (k === 'pap') return `PAP:${str(x)}`;
  return TEXT_FIELDS.has(k) ? quoted(x) : words(x);
};

const KEY_TIMES: Record<string, string> = {
  firstCompromiseAt: 'First compromise', detectedAt: 'Detected', containedAt: 'Contained', recoveredAt: 'Recovered',
};
const CHANNELS: Record<string, string> = { phone: 'phone call', email: 'e-mail', meeting: 'meeting', chat: 'chat', letter: 'letter', 'web form': 'web-form message' };
const LINKS: Record<string, string> = { related: 'as related', parent_of: 'as its child', child_of: 'as its parent', duplicate_of: 'as the original it duplicates', merged_into: 'as merged' };
const METRICS: Record<string, string> = { acknowledge: 'acknowledgement', first_response: 'first response', containment: 'containment', resolution: 'resolution' };
const metric = (v: unknown) => METRICS[str(v)] ?? words(v);

function communication(d: Data): string {
  const inbound = str(d.direction) === 'inbound';
  const channel = CHANNELS[str(d.channel)] ?? (str(d.channel) ? `${str(d.channel)} communication` : 'communication');
  const about = str(d.subject) ? ` about ${quoted(d.subject)}` : '';
  const report = str(d.report) || str(obj(d.report).reference);
  const files = list(d.attachments).length;
  return `recorded an ${inbound ? 'inbound' : 'outbound'} ${channel} ${inbound ? 'from' : 'with'} ${str(d.party) || 'an unnamed party'}${about}`
    + `${report ? ` (on report ${report})` : ''}${files ? `, with ${plural(files, 'attachment')}` : ''}`;
}

function taskUpdated(d: Data, w: EventWording): string {
  const parts = Object.entries(obj(d.changes)).map(([k, c]) => {
    const { from, to } = obj(c);
    switch (k) {
      case 'title': return `renamed it from ${quoted(from)} to ${quoted(to)}`;
      case 'status': return `set its status from ${words(from)} to ${words(to)}`;
      case 'phase': return `moved it from the ${words(from)} phase to the ${words(to)} phase`;
      case 'assigneeId': return str(to) ? `assigned it to ${user(to, w)}` : `unassigned it (was ${user(from, w)})`;
      case 'dueAt': return str(to) ? `set it due ${when(to, w)}` : 'removed its due date';
      case 'description': return 'rewrote its description';
      case 'checklist': return checklist(from, to);
      default: return `changed its ${words(k)}`;
    }
  });
  return `updated the task ${task(d)}: ${parts.length ? and(parts) : 'no visible change'}`;
}

function checklist(fromV: unknown, toV: unknown): string {
  const from = list(fromV).map(obj);
  const to = list(toV).map(obj);
  const before = new Map(from.map((i) => [str(i.text), i.done === true]));
  const ticked = to.filter((i) => i.done === true && before.get(str(i.text)) === false).map((i) => quoted(i.text, 60));
  const unticked = to.filter((i) => i.done !== true && before.get(str(i.text)) === true).map((i) => quoted(i.text, 60));
  const added = to.filter((i) => !before.has(str(i.text))).length;
  const removed = from.filter((i) => !to.some((x) => str(x.text) === str(i.text))).length;
  const parts = [
    ...(ticked.length ? [`ticked ${and(ticked)}`] : []), ...(unticked.length ? [`unticked ${and(unticked)}`] : []),
    ...(added ? [`added ${plural(added, 'checklist item')}`] : []), ...(removed ? [`removed ${plural(removed, 'checklist item')}`] : []),
  ];
  const done = to.filter((i) => i.done === true).length;
  return `${parts.length ? and(parts) : 'changed the checklist'} (${done} of ${to.length} done)`;
}

function observableUpdated(d: Data): string {
  const parts: string[] = [];
  for (const [k, c] of Object.entries(obj(d.changes))) {
    const { from, to } = obj(c);
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    if (k === 'ioc') parts.push(to === true ? 'marked it as an IOC' : 'marked it as no longer an IOC');
    else if (k === 'tlp') parts.push(`changed its TLP from TLP:${str(from)} to TLP:${str(to)}`);
    else if (k === 'tags') parts.push(list(to).length ? `set its tags to ${list(to).map(str).join(', ')}` : 'removed its tags');
    else parts.push(`changed its ${words(k)}`);
  }
  return `updated the observable ${str(d.type)} ${str(d.value)}: ${parts.length ? and(parts) : 'no visible change'}`;
}

function escalationLevel(d: Data): string {
  const n = obj(d.notified);
  const count = (v: unknown) => (typeof v === 'number' ? v : 0);
  const reached = [plural(count(n.users), 'person', 'people'), ...(count(n.contacts) ? [plural(count(n.contacts), 'contact')] : []),
    ...(count(n.channels) ? [plural(count(n.channels), 'channel')] : [])];
  const missed = list(d.unresolved).map(str).filter(Boolean);
  const round = Number(d.round) > 1 ? ` (round ${str(d.round)})` : '';
  return `notified level ${str(d.level) || '?'} of the escalation policy ${quoted(d.policy)}${round}: ${and(reached)} reached`
    + `${missed.length ? `; nobody reached through ${and(missed.map(recipient))}` : ''}`;
}

/** An escalation recipient as events record it (seat:legal, on_duty, rota:<id>…), in words. */
function recipient(label: string): string {
  const [kind, value = ''] = label.split(':');
  const name = value.replaceAll('_', ' ');
  switch (kind) {
    case 'seat': return `the ${name} seat`;
    case 'incident_role': return `the incident's ${name}`;
    case 'on_duty': return 'whoever is on duty';
    case 'rota': return 'a rota';
    case 'contact': return 'a contact';
    case 'channel': return 'a channel';
    default: return 'a team member';
  }
}

const TRIGGERS: Record<string, string> = {
  declared: 'the incident was declared', reopened: 'the incident was reopened', priority_changed: 'the priority was raised',
  'sla.warning': 'an SLA target is at risk', 'sla.breached': 'an SLA target was breached',
};

const SENTENCES: Record<IncidentEventKind, Sentence> = {
  'incident.declared': (d, w) => `declared ${str(d.reference) || 'the incident'} ${quoted(d.title)} as ${str(d.priority) || 'unprioritised'}, TLP:${str(d.tlp)}, classified ${classes(d.classifications, w)}`,
  'incident.updated': (d) => {
    const parts = incidentChanges(d.changes);
    return parts.length ? and(parts) : 'saved the incident without a change';
  },
  'incident.priority_changed': (d) => `changed the priority from ${str(d.from) || '(none)'} to ${str(d.to) || '(none)'}`,
  'incident.classified': (d, w) => `reclassified the incident from ${classes(d.from, w)} to ${classes(d.to, w)}`,
  'incident.status_changed': (d) => `moved the incident from ${words(d.from)} to ${words(d.to)}`,
  'incident.closed': (d) => `closed the incident as ${words(d.resolution)}${str(d.duplicateOfReference) ? `, a duplicate of ${str(d.duplicateOfReference)}` : ''}${str(d.from) ? ` (it was in ${words(d.from)})` : ''}`,
  'incident.reopened': (d) => `reopened the incident (it was closed as ${words(d.resolution)})${str(d.reason) ? `: ${str(d.reason)}` : ''}`,
  'incident.assigned': (d) => {
    const was = d.from ? ` (was ${named(d.from)})` : '';
    return d.to ? `assigned the incident to ${named(d.to)}${was}` : `unassigned the incident${was}`;
  },
  'incident.role_assigned': (d, w) => `made ${str(d.username) || user(d.userId, w)} the incident's ${words(d.role)}`,
  'incident.role_removed': (d, w) => `removed ${str(d.username) || user(d.userId, w)} as the incident's ${words(d.role)}`,
  'incident.contact_role_assigned': (d) => `made the external contact ${contact(d)} the incident's ${words(d.role)}`,
  'incident.contact_role_removed': (d) => `removed the external contact ${contact(d)} as the incident's ${words(d.role)}`,
  'incident.communication': (d) => communication(d),
  'incident.note_added': () => 'added a note',
  'incident.key_time_set': (d, w) => {
    const name = `the key time "${KEY_TIMES[str(d.name)] ?? words(d.name)}"`;
    return str(d.to) ? `set ${name} to ${when(d.to, w)}${str(d.from) ? ` (was ${when(d.from, w)})` : ''}` : `cleared ${name}${str(d.from) ? ` (was ${when(d.from, w)})` : ''}`;
  },
  'incident.lessons_recorded': (d) => `recorded the lessons-learned review, with ${plural(list(d.actions).length, 'follow-up action')}`,
  'incident.linked': (d) => `linked ${ref(d.other)} to this incident ${LINKS[str(d.kind)] ?? `(${words(d.kind)})`}`,
  'incident.unlinked': (d) => `unlinked ${ref(d.other)} from this incident (it was linked ${LINKS[str(d.kind)] ?? words(d.kind)})`,
  'incident.merged': (d) => `merged ${ref(d.from)} into this incident${moved(d.moved)}`,
  'incident.merged_into': (d) => `merged this incident into ${ref(d.into)}${moved(d.moved)}`,
  'task.created': (d, w) => `created the task ${task(d)} in the ${words(d.phase)} phase${str(d.assigneeId) ? `, assigned to ${user(d.assigneeId, w)}` : ''}${str(d.dueAt) ? `, due ${when(d.dueAt, w)}` : ''}`,
  'task.updated': taskUpdated,
  'task.note_added': (d) => `added a note to the task ${task(d)}`,
  'playbook.applied': (d) => {
    const skipped = typeof d.skipped === 'number' && d.skipped > 0 ? `; ${plural(d.skipped, 'task was', 'tasks were')} already there` : '';
    return `applied the playbook ${quoted(d.name || d.playbookKey)}: ${plural(list(d.created).length, 'task')} added${skipped}`;
  },
  'observable.added': (d) => {
    const items = list(d.items).map(obj);
    return `added ${plural(items.length, 'observable')}: ${clip(items.map((i) => `${str(i.type)} ${str(i.value)}`).join(', '), 400)}`;
  },
  'observable.updated': (d) => observableUpdated(d),
  'observable.removed': (d) => `removed the observable ${str(d.type)} ${str(d.value)}`,
  'evidence.added': (d) => `added the evidence file ${quoted(d.filename)}${typeof d.size === 'number' ? ` (${plural(d.size, 'byte')})` : ''}${str(d.sha256) ? `, SHA-256 ${str(d.sha256)}` : ''}`,
  'evidence.downloaded': (d) => `downloaded the evidence file ${quoted(d.filename)}`,
  'evidence.handed_over': (d) => `handed the evidence file ${quoted(d.filename)} over to ${str(d.to) || 'someone'}${str(d.reason) ? `: ${str(d.reason)}` : ''}`,
  'report.linked': (d) => {
    const r = obj(d.report);
    const it = `the report ${str(r.reference) || '(no reference)'} ${quoted(r.title)}`;
    const also = list(d.withMerged).length ? `, with its repeats ${list(d.withMerged).map(str).join(', ')}` : '';
    if (str(d.how) === 'declared') return `declared this incident from ${it}${also}`;
    if (str(d.how) === 'merged') return `merged ${it} into ${str(d.into) || 'a report'} of this incident`;
    return `linked ${it} to this incident${also}`;
  },
  'report.unlinked': (d) => `unlinked the report ${str(obj(d.report).reference) || '(no reference)'} ${quoted(obj(d.report).title)}${str(d.reason) ? `: ${str(d.reason)}` : ''}`,
  'alert.linked': (d) => {
    const a = obj(d.alert);
    const it = `the ${str(a.severity) ? `${words(a.severity)} ` : ''}alert ${str(a.reference) || '(no reference)'} ${quoted(a.title)}`;
    return str(d.how) === 'declared' ? `declared this incident from ${it}` : `linked ${it} to this incident`;
  },
  'sla.paused': (d) => `paused the SLA clocks${str(d.reason) ? `: ${str(d.reason)}` : ''}`,
  'sla.resumed': () => 'resumed the SLA clocks',
  'sla.warning': (d, w) => `warned that the ${metric(d.metric)} target (${str(d.targetMinutes) || '?'} min) runs out at ${when(d.deadline, w)}`,
  'sla.breached': (d, w) => `recorded a breach of the ${metric(d.metric)} target (${str(d.targetMinutes) || '?'} min, due ${when(d.deadline, w)})${str(d.metAt) ? `; it was met late, at ${when(d.metAt, w)}` : ''}`,
  'escalation.started': (d) => `started the escalation policy ${quoted(d.policy)} because ${TRIGGERS[str(d.trigger)] ?? words(d.trigger)}${str(d.priority) ? ` (${str(d.priority)})` : ''}`,
  'escalation.level': (d) => escalationLevel(d),
  'escalation.acknowledged': (d) => `acknowledged the escalation${str(d.level) ? ` at level ${str(d.level)}` : ''}`,
  'escalation.exhausted': (d) => `went through every level of the escalation policy ${quoted(d.policy)}${typeof d.rounds === 'number' ? ` (${plural(d.rounds, 'round')})` : ''} without an acknowledgement`,
  'escalation.ended': (d) => `ended the escalation${str(d.reason) ? ` (${str(d.reason)})` : ''}`,
};

function contact(d: Data): string {
  const name = str(d.name) || 'unnamed';
  return str(d.organisation) ? `${name} (${str(d.organisation)})` : name;
}

function moved(v: unknown): string {
  const m = obj(v);
  const n = (k: string) => (typeof m[k] === 'number' ? (m[k] as number) : 0);
  const parts = [n('tasks') ? plural(n('tasks'), 'task') : '', n('observables') ? plural(n('observables'), 'observable') : '', n('reports') ? plural(n('reports'), 'report') : ''].filter(Boolean);
  return parts.length ? `, moving ${and(parts)}` : '';
}

export const isIncidentEventKind = (kind: string): kind is IncidentEventKind => Object.hasOwn(SENTENCES, kind);

/** The sentence for a kind no version of Vigil records: says so rather than showing its data. */
export const unknownEventSentence = (kind: string) => `recorded an event of a kind this version does not describe (${kind})`;

/** What happened, as a sentence after the actor's name. Never the event's raw data. */
export function describeEvent(e: { kind: string; data: Data | null | undefined }, w: EventWording): string {
  return isIncidentEventKind(e.kind) ? SENTENCES[e.kind](obj(e.data), w) : unknownEventSentence(e.kind);
}
