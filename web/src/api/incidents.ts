// Shapes and rules of the incidents API (/api/v1/incidents), as the web app uses them.
import { ApiError } from './client';
import type { Answer, ItemOf, Schema } from './schema';

// The record types are the server's (schema.gen.ts); the value lists below are the orders the app
// shows them in, checked against the server's enums.
export type Incident = Schema<'Incident'>;
export type Level = Incident['impact'];
export type Priority = Incident['priority'];
export type Tlp = Incident['tlp'];
export type Pap = Incident['pap'];
export type Status = Incident['status'];
export type OpenStatus = Exclude<Status, 'closed'>;
export type Resolution = NonNullable<Incident['resolution']>;
export type KeyTime = keyof Incident['keyTimes'];
export const LEVELS = ['low', 'medium', 'high', 'critical'] as const satisfies readonly Level[];
export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const satisfies readonly Priority[];
export const TLPS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const satisfies readonly Tlp[];
export const PAPS = ['CLEAR', 'GREEN', 'AMBER', 'RED'] as const satisfies readonly Pap[];
export const OPEN_STATUSES = ['new', 'triage', 'analysis', 'containment', 'eradication', 'recovery'] as const satisfies readonly OpenStatus[];
export const STATUSES: readonly Status[] = [...OPEN_STATUSES, 'closed'];
export const RESOLUTIONS = ['resolved', 'false_positive', 'duplicate', 'outside_mandate', 'no_action_possible'] as const satisfies readonly Resolution[];
export const INCIDENT_ROLES = [
  'commander', 'coordinator', 'technical_lead', 'analyst', 'scribe', 'communications', 'legal', 'management_liaison',
] as const satisfies readonly IncidentRoleHolder['role'][];
export type IncidentRole = (typeof INCIDENT_ROLES)[number];
export const KEY_TIMES = ['firstCompromiseAt', 'detectedAt', 'containedAt', 'recoveredAt'] as const satisfies readonly KeyTime[];

export type Classification = ItemOf<Incident['classifications']>;

export type IncidentRoleHolder = ItemOf<Incident['roles']>;

/** Who owns an incident in the queue. */
export type Assignee = NonNullable<Incident['assignee']>;

export type IncidentPage = Answer<'incidents.list'>;

export type TimelineEntry = Schema<'TimelineEntry'>;

export type LessonAction = ItemOf<Lessons['actions']>;

export type Lessons = NonNullable<Answer<'incidents.get_lessons'>>;

export type RsitClass = ItemOf<Answer<'taxonomy.rsit'>['items']>;

/** The server's default impact x urgency matrix (a team may configure another; the server decides). */
const MATRIX: Record<Level, Record<Level, Priority>> = {
  critical: { critical: 'P1', high: 'P1', medium: 'P2', low: 'P3' },
  high: { critical: 'P1', high: 'P2', medium: 'P2', low: 'P3' },
  medium: { critical: 'P2', high: 'P2', medium: 'P3', low: 'P4' },
  low: { critical: 'P3', high: 'P3', medium: 'P4', low: 'P4' },
};

export function defaultPriority(impact: Level, urgency: Level): Priority {
  return MATRIX[impact][urgency];
}

/** The lifecycle's allowed moves: forward to any later phase, back only to analysis or later. */
export function canMove(from: Status, to: Status): boolean {
  if (from === 'closed' || to === 'closed' || from === to) return false;
  const a = OPEN_STATUSES.indexOf(from);
  const b = OPEN_STATUSES.indexOf(to);
  return b > a || b >= OPEN_STATUSES.indexOf('analysis');
}

export const nextStatuses = (from: Status): OpenStatus[] => OPEN_STATUSES.filter((s) => canMove(from, s));

/** "false_positive" -> "False positive". */
export function humanize(value: string): string {
  const s = value.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export const KEY_TIME_LABELS: Record<KeyTime, string> = {
  firstCompromiseAt: 'First compromise',
  detectedAt: 'Detected',
  containedAt: 'Contained',
  recoveredAt: 'Recovered',
};

export const INCIDENTS_KEY = ['incidents'] as const;
export const incidentKey = (idOrRef: string) => ['incidents', 'one', idOrRef] as const;
export const timelineKey = (id: string) => ['incidents', 'timeline', id] as const;
export const lessonsKey = (id: string) => ['incidents', 'lessons', id] as const;
export const RSIT_KEY = ['taxonomy', 'rsit'] as const;

export const incidentPath = (id: string) => `/incidents/${encodeURIComponent(id)}`;

/** The incident as it is now, when a write was refused because someone changed it meanwhile. */
export function conflictCurrent(error: unknown): Incident | null {
  if (error instanceof ApiError && error.code === 'VIG_INCIDENT_VERSION_CONFLICT') {
    const current = error.problem.current;
    if (current && typeof current === 'object' && 'version' in current) return current as Incident;
  }
  return null;
}
