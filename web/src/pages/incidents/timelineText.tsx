// One readable sentence per timeline entry kind. Everything is rendered as text: entry data is
// whatever people typed, and React escapes it. Notes alone are Markdown, through <Markdown>.
import type { ReactNode } from 'react';
import { List, Text } from '@mantine/core';
import { humanize, KEY_TIME_LABELS, type KeyTime, type TimelineEntry } from '../../api/incidents';
import { formatDate } from '../../components/common';
import { Markdown } from '../../components/Markdown';

type Label = (c: { class: string; type: string }) => string;

const str = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : JSON.stringify(v));

function short(v: unknown, max = 80): string {
  if (v === null || v === undefined || v === '') return '(empty)';
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

const FIELD_LABELS: Record<string, string> = { tlp: 'TLP', pap: 'PAP' };
const field = (k: string) => FIELD_LABELS[k] ?? humanize(k).toLowerCase();

function classes(v: unknown, label: Label): string {
  if (!Array.isArray(v) || v.length === 0) return '(none)';
  return v.map((c: { class: string; type: string; primary?: boolean }) => `${label(c)}${c.primary ? ' (primary)' : ''}`).join('; ');
}

/** What happened, as a sentence after the actor's name ("Ana moved the incident …"). */
export function describe(e: TimelineEntry, label: Label, nameOf: (userId: string) => string): ReactNode {
  const d = e.data;
  switch (e.kind) {
    case 'incident.declared':
      return `declared ${str(d.reference)} as ${str(d.priority)}, TLP:${str(d.tlp)}, classified ${classes(d.classifications, label)}`;
    case 'incident.updated': {
      const changes = Object.entries((d.changes ?? {}) as Record<string, { from: unknown; to: unknown }>);
      return (
        <>
          changed {changes.length === 1 ? 'one field' : `${changes.length} fields`}
          <List size="sm" mt={2} spacing={0}>
            {changes.map(([k, c]) => (
              <List.Item key={k}>{field(k)}: {short(c.from)} → {short(c.to)}</List.Item>
            ))}
          </List>
        </>
      );
    }
    case 'incident.priority_changed':
      return `changed the priority from ${str(d.from)} to ${str(d.to)}`;
    case 'incident.classified':
      return `reclassified the incident from ${classes(d.from, label)} to ${classes(d.to, label)}`;
    case 'incident.status_changed':
      return `moved the incident from ${humanize(str(d.from))} to ${humanize(str(d.to))}`;
    case 'incident.closed':
      return `closed the incident (was ${humanize(str(d.from))}) as ${humanize(str(d.resolution)).toLowerCase()}${d.duplicateOf ? `, a duplicate of ${str(d.duplicateOf)}` : ''}`;
    case 'incident.reopened':
      return `reopened the incident (it was closed as ${humanize(str(d.resolution)).toLowerCase()}): ${str(d.reason)}`;
    case 'incident.role_assigned':
      return `made ${str(d.username) || nameOf(str(d.userId))} ${humanize(str(d.role)).toLowerCase()}`;
    case 'incident.role_removed':
      return `removed ${str(d.username) || nameOf(str(d.userId))} as ${humanize(str(d.role)).toLowerCase()}`;
    case 'incident.communication': {
      const inbound = str(d.direction) === 'inbound';
      const when = e.occurredAt ? ` (${formatDate(e.occurredAt, true)})` : '';
      return `recorded ${inbound ? 'an inbound' : 'an outbound'} ${str(d.channel)} ${inbound ? 'from' : 'with'} ${str(d.party)}${when}`;
    }
    case 'incident.note_added':
      return 'added a note';
    case 'incident.key_time_set': {
      const name = KEY_TIME_LABELS[str(d.name) as KeyTime] ?? str(d.name);
      return d.to ? `set "${name}" to ${formatDate(str(d.to))}${d.from ? ` (was ${formatDate(str(d.from))})` : ''}` : `cleared "${name}"`;
    }
    case 'incident.lessons_recorded': {
      const n = Array.isArray(d.actions) ? d.actions.length : 0;
      return `recorded the lessons-learned review, with ${n} follow-up action${n === 1 ? '' : 's'}`;
    }
    case 'incident.linked':
    case 'incident.unlinked': {
      const other = (d.other ?? {}) as { reference?: string };
      return `${e.kind === 'incident.linked' ? 'linked' : 'unlinked'} ${other.reference ?? 'another incident'} (${humanize(str(d.kind)).toLowerCase()})`;
    }
    case 'incident.contact_role_assigned':
    case 'incident.contact_role_removed': {
      const who = d.organisation ? `${str(d.name)} (${str(d.organisation)})` : str(d.name) || 'an external contact';
      const role = humanize(str(d.role)).toLowerCase();
      return e.kind === 'incident.contact_role_assigned' ? `made ${who} (external) ${role}` : `removed ${who} (external) as ${role}`;
    }
    case 'sla.paused':
      return `paused the SLA clocks: ${str(d.reason)}`;
    case 'sla.resumed':
      return 'resumed the SLA clocks';
    case 'sla.warning':
      return `warned: the ${humanize(str(d.metric)).toLowerCase()} target (${str(d.targetMinutes)} min) runs out at ${formatDate(str(d.deadline))}`;
    case 'sla.breached':
      return d.metAt
        ? `recorded a breach: the ${humanize(str(d.metric)).toLowerCase()} target (${str(d.targetMinutes)} min) ran out at ${formatDate(str(d.deadline))}, met at ${formatDate(str(d.metAt))}`
        : `recorded a breach: the ${humanize(str(d.metric)).toLowerCase()} target (${str(d.targetMinutes)} min) ran out at ${formatDate(str(d.deadline))}`;
    case 'escalation.started':
      return `started escalating (${str(d.policy)}, ${str(d.trigger)})`;
    case 'escalation.level': {
      const n = (d.notified ?? {}) as { users?: number; contacts?: number; channels?: number };
      const count = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
      const reached = [count(n.users ?? 0, 'person', 'people'), n.contacts ? count(n.contacts, 'contact', 'contacts') : '', n.channels ? count(n.channels, 'channel', 'channels') : '']
        .filter(Boolean).join(', ');
      const missed = Array.isArray(d.unresolved) && d.unresolved.length ? `; reached nobody through ${(d.unresolved as string[]).map(recipientText).join(', ')}` : '';
      const round = Number(d.round) > 1 ? ` (round ${str(d.round)})` : '';
      return `notified escalation level ${str(d.level)} of ${str(d.policy)}${round}: ${reached}${missed}`;
    }
    case 'escalation.acknowledged':
      return 'acknowledged the escalation';
    case 'escalation.exhausted':
      return `ran through every level of ${str(d.policy)} without an acknowledgement`;
    case 'escalation.ended':
      return `ended the escalation (${str(d.reason)})`;
    default:
      return <>recorded <Text span ff="monospace" size="xs">{e.kind}</Text></>;
  }
}

/** An escalation recipient as events record it (seat:legal, on_duty, rota:<id>…), in words. */
function recipientText(label: string): string {
  const [kind, value = ''] = label.split(':');
  const words = value.replace(/_/g, ' ');
  switch (kind) {
    case 'seat': return `the ${words} seat`;
    case 'incident_role': return `the incident's ${words}`;
    case 'on_duty': return 'whoever is on duty';
    case 'rota': return 'a rota';
    case 'contact': return 'a contact';
    case 'channel': return 'a channel';
    default: return 'a team member';
  }
}

/** A note, rendered from Markdown (no raw HTML, safe links only, no images loaded). */
export function NoteBody({ body }: { body: string }) {
  return (
    <Markdown source={body} fz="sm" mt={6} p="sm" bg="dark.8" data-testid="note-text"
      style={{ borderRadius: 'var(--mantine-radius-sm)', borderLeft: '3px solid var(--mantine-color-dark-4)' }} />
  );
}
