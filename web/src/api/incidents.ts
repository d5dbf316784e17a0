// Shapes and rules of the incidents API (/api/v1/incidents), as the web app uses them.
import { ApiError } from './client';

export const LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type Level = (typeof LEVELS)[number];
export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const TLPS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type Tlp = (typeof TLPS)[number];
export const PAPS = ['CLEAR', 'GREEN', 'AMBER', 'RED'] as const;
export type Pap = (typeof PAPS)[number];
export const OPEN_STATUSES = ['new', 'triage', 'analysis', 'containment', 'eradication', 'recovery'] as const;
export type OpenStatus = (typeof OPEN_STATUSES)[number];
export type Status = OpenStatus | 'closed';
export const STATUSES: readonly Status[] = [...OPEN_STATUSES, 'closed'];
export const RESOLUTIONS = ['resolved', 'false_positive', 'duplicate', 'outside_mandate', 'no_action_possible'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];
export const INCIDENT_ROLES = [
  'commander', 'coordinator', 'technical_lead', 'analyst', 'scribe', 'communications', 'legal', 'management_liaison',
] as const;
export type IncidentRole = (typeof INCIDENT_ROLES)[number];
export const KEY_TIMES = ['firstCompromiseAt', 'detectedAt', 'containedAt', 'recoveredAt'] as const;
export type KeyTime = (typeof KEY_TIMES)[number];

export interface Classification {
  class: string;
  type: string;
  primary: boolean;
}

export interface IncidentRoleHolder {
  role: IncidentRole;
  userId: string;
  username: string;
  displayName: string;
  assignedAt: string;
}

/** Who owns an incident in the queue. */
export interface Assignee {
  userId: string;
  username: string;
  displayName: string;
}

export interface Incident {
  id: string;
  reference: string;
  title: string;
  summary: string;
  status: Status;
  resolution: Resolution | null;
  duplicateOf: string | null;
  impact: Level;
  urgency: Level;
  priority: Priority;
  tlp: Tlp;
  pap: Pap;
  constituent: string | null;
  exercise: boolean;
  keyTimes: Record<KeyTime, string | null>;
  classifications: Classification[];
  roles: IncidentRoleHolder[];
  assignee: Assignee | null;
  version: number;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface IncidentPage {
  items: Incident[];
  nextCursor: string | null;
}

export interface TimelineEntry {
  id: number;
  incidentId: string;
  kind: string;
  at: string;
  occurredAt: string | null;
  actorId: string | null;
  actorName: string;
  tlp: Tlp | null;
  data: Record<string, unknown>;
}

export interface LessonAction {
  action: string;
  ownerId: string;
  dueAt?: string;
}

export interface Lessons {
  whatHappened: string;
  wentWell: string;
  toImprove: string;
  actions: LessonAction[];
  recordedBy?: string | null;
  recordedAt?: string;
}

export interface RsitClass {
  value: string;
  label: string;
  types: { value: string; label: string; description: string }[];
}

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
