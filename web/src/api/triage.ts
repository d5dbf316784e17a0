// Shapes and rules of the triage APIs as the web app uses them: alerts from monitoring
// (/api/v1/alerts), what sits beside a report (/reports/:id/triage), the unparsed queue
// (/intake/items) and monitoring sources (/intake/sources).
import { ApiError, toApiError } from './client';
import type { Level, Priority, Tlp } from './incidents';
import type { Report } from './reports';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const ALERT_STATUSES = ['new', 'acknowledged', 'escalated', 'dismissed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export const DISMISSALS = ['false_positive', 'benign', 'duplicate', 'test', 'outside_mandate'] as const;
export type Dismissal = (typeof DISMISSALS)[number];

export const SEVERITY_LABELS: Record<Severity, string> = { info: 'Info', low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' };
export const DISMISSAL_LABELS: Record<Dismissal, string> = {
  false_positive: 'False positive', benign: 'Benign (expected activity)', duplicate: 'Duplicate', test: 'Test alert', outside_mandate: 'Outside our mandate',
};

export interface ObservableRef {
  type: string;
  value: string;
}

export interface Alert {
  id: string;
  reference: string;
  sourceId: string;
  sourceName: string;
  status: AlertStatus;
  title: string;
  description: string;
  severity: Severity;
  tlp: Tlp;
  fingerprint: string;
  sourceRef: string | null;
  observedAt: string | null;
  /** Suggested by the source mapping. */
  classification: { class: string; type: string } | null;
  observables: ObservableRef[];
  fields: Record<string, unknown>;
  createdAt: string;
  incidentId: string | null;
  dismissal: Dismissal | null;
  dismissalNote: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  version: number;
  updatedAt: string;
  /** How many times it arrived (deduplicated repeats included). */
  arrivals: number;
  lastSeen: string;
}

/** An open incident an item may belong to, and why. */
export interface CorrelatedIncident {
  id: string;
  reference: string;
  title: string;
  status: string;
  priority: string;
  tlp: string;
  constituent: string | null;
  createdAt: string;
  sharedObservables: string[];
  sameConstituent: boolean;
  sameType: boolean;
}

export interface Suggestions {
  classifications: { class: string; type: string; reason: string }[];
  impact: Level;
  urgency: Level;
  priority?: Priority;
}

export interface AlertEvent {
  id: string;
  at: string;
  actor: string;
  kind: string;
  data: Record<string, unknown>;
}

export interface AlertDetail extends Alert {
  incident: { id: string; reference: string; status: string; title: string } | null;
  arrivalList: { intakeItemId: string; position: number; receivedAt: string }[];
  events: AlertEvent[];
  correlation: CorrelatedIncident[];
  /** Present on servers that suggest for alerts too; otherwise derived from severity and mapping. */
  suggestions?: Suggestions;
}

export interface ReportMessage {
  id: string;
  kind: 'repeat' | 'reply' | 'reporter_update';
  intakeItemId: string | null;
  receivedAt: string;
  sender: string | null;
  subject: string | null;
  body: string;
}

export interface ReportAttachment {
  id: string;
  messageId: string | null;
  filename: string;
  contentType: string;
  size: number;
  sha256: string | null;
  stored: boolean;
  flags: string[];
  createdAt: string;
}

/** An ARF (RFC 5965) or X-ARF v4 report carried by a report, read field by field. */
export interface AbuseReport {
  format: 'arf' | 'x-arf';
  kind: string;
  observedAt: string | null;
  fields: Record<string, string | string[]>;
  observables: ObservableRef[];
  classification: { class: string; type: string } | null;
}

/** What sits beside a report: GET /reports/:id/triage. Every part may be missing on older servers. */
export interface ReportTriage {
  observables?: ObservableRef[];
  abuseReports?: AbuseReport[];
  correlation?: CorrelatedIncident[];
  suggestions?: Suggestions;
  messages?: ReportMessage[];
  attachments?: ReportAttachment[];
}

export type IntakeState = 'pending' | 'parsed' | 'failed';
export interface IntakeItem {
  id: string;
  channel: string;
  sourceId: string | null;
  receivedAt: string;
  contentType: string;
  sha256: string;
  envelope: Record<string, unknown>;
  messageId: string | null;
  state: IntakeState;
  error: string | null;
  attempts: number;
  parsedAt: string | null;
  reportId: string | null;
  incidentId: string | null;
  size: number;
}

export interface Source {
  id: string;
  name: string;
  description: string;
  tokenHint: string;
  mapping: unknown;
  dedupWindowSeconds: number;
  tlp: Tlp;
  enabled: boolean;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface SourceWithToken {
  source: Source;
  token: string;
}

export type PreviewAlert = Pick<Alert, 'title' | 'description' | 'severity' | 'sourceRef' | 'observedAt' | 'fingerprint' | 'classification' | 'observables' | 'fields'>;
export interface Preview {
  ok: boolean;
  error: string | null;
  alerts: PreviewAlert[];
}

export const ALERTS_KEY = ['alerts'] as const;
export const alertKey = (idOrRef: string) => ['alerts', 'one', idOrRef] as const;
/** Outside 'alerts': reading the bytes is audited, so polling must not refetch them. */
export const alertRawKey = (id: string) => ['alert-raw', id] as const;
export const reportTriageKey = (id: string) => ['reports', 'triage', id] as const;
/** The queue's per-report suggestion: outside 'reports' so live updates do not refetch one per row. */
export const reportSuggestionKey = (id: string) => ['report-suggestion', id] as const;
export const INTAKE_ITEMS_KEY = ['intake-items'] as const;
export const SOURCES_KEY = ['intake-sources'] as const;

export const TRIAGE_PATH = '/triage';
export const UNPARSED_PATH = '/triage/unparsed';
export const alertPath = (ref: string) => `/triage/alert/${encodeURIComponent(ref)}`;
export const triageReportPath = (ref: string) => `/triage/report/${encodeURIComponent(ref)}`;
export const alertApi = (idOrRef: string, action?: 'raw' | 'reopen') => `/alerts/${encodeURIComponent(idOrRef)}${action ? `/${action}` : ''}`;
export const itemApi = (id: string, action?: 'raw' | 'rerun' | 'report') => `/intake/items/${encodeURIComponent(id)}${action ? `/${action}` : ''}`;
export const sourceApi = (id: string, action?: 'token' | 'preview') => `/intake/sources/${encodeURIComponent(id)}${action ? `/${action}` : ''}`;

/** A queue entry: a new report or an open alert, with what the queue sorts by. */
export type QueueItem =
  | { kind: 'report'; key: string; reference: string; title: string; receivedAt: string; severity: Severity; tlp: Tlp; report: Report }
  | { kind: 'alert'; key: string; reference: string; title: string; receivedAt: string; severity: Severity; tlp: Tlp; alert: Alert };

const RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

function fromSuggestion(s: Pick<Suggestions, 'priority' | 'impact' | 'urgency'> | undefined): Severity {
  if (!s) return 'medium';
  if (s.priority === 'P1') return 'critical';
  if (s.priority === 'P2') return 'high';
  if (!s.priority && (s.urgency === 'critical' || s.impact === 'critical')) return 'critical';
  if (!s.priority && (s.urgency === 'high' || s.impact === 'high')) return 'high';
  return 'medium';
}

/**
 * A report counts as medium unless its suggested priority (P1 critical, P2 high) or the urgency the
 * reporter or duty officer gave it (on servers that keep one) says more.
 */
export function reportSeverity(s: Pick<Suggestions, 'priority' | 'impact' | 'urgency'> | undefined, urgency?: Level | null): Severity {
  const a = fromSuggestion(s);
  const b: Severity = urgency === 'critical' ? 'critical' : urgency === 'high' ? 'high' : 'medium';
  return RANK[a] >= RANK[b] ? a : b;
}

/** The urgency a report was given when it came in, where the server keeps one. */
export const reportUrgency = (r: Report): Level | null => (r as Report & { urgency?: Level | null }).urgency ?? null;

/** Most urgent first; among equals, the one waiting longest first; then by reference for a stable order. */
export function byUrgency(a: QueueItem, b: QueueItem): number {
  return RANK[b.severity] - RANK[a.severity]
    || Date.parse(a.receivedAt) - Date.parse(b.receivedAt)
    || a.reference.localeCompare(b.reference);
}

/** The impact and urgency an alert's severity suggests (as the server does). */
const BY_SEVERITY: Record<Severity, Level> = { info: 'low', low: 'low', medium: 'medium', high: 'high', critical: 'critical' };
export function alertSuggestions(a: Pick<AlertDetail, 'severity' | 'classification' | 'sourceName' | 'suggestions'>): Suggestions {
  if (a.suggestions) return a.suggestions;
  return {
    classifications: a.classification ? [{ ...a.classification, reason: `the ${a.sourceName} source mapping` }] : [],
    impact: BY_SEVERITY[a.severity],
    urgency: BY_SEVERITY[a.severity],
  };
}

/** "just now", "3 min ago", "2 h ago", "5 d ago". */
export function ago(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} d ago`;
}

/** "3600" -> "1 h"; 0 -> "off". */
export function windowText(seconds: number): string {
  if (seconds === 0) return 'off';
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** The alert as it is now, when a triage step was refused because it is already decided. */
export function alertDecided(error: unknown): { reference: string | null; status: string | null } | null {
  if (error instanceof ApiError && error.code === 'VIG_ALERT_DECIDED') {
    const p = error.problem;
    return { reference: typeof p.reference === 'string' ? p.reference : null, status: typeof p.status === 'string' ? p.status : null };
  }
  return null;
}

/** The bytes of an item as text: decoded as UTF-8 (never interpreted), at most `cap` bytes. */
export interface RawText {
  text: string;
  size: number;
  contentType: string | null;
  sha256: string | null;
}

export async function fetchRawText(path: string, cap = 1024 * 1024): Promise<RawText> {
  const res = await fetch(`/api/v1${path}`, { credentials: 'same-origin' });
  if (!res.ok) throw await toApiError(res);
  const bytes = new Uint8Array(await res.arrayBuffer());
  return {
    text: new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, cap)),
    size: bytes.length,
    contentType: res.headers.get('x-original-content-type'),
    sha256: res.headers.get('x-content-sha256'),
  };
}
