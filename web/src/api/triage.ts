// Shapes and rules of the triage APIs as the web app uses them: alerts from monitoring
// (/api/v1/alerts), what sits beside a report (/reports/:id/triage), the unparsed queue
// (/intake/items) and monitoring sources (/intake/sources).
import { ApiError, toApiError } from './client';
import { defaultPriority, type Level, type Tlp } from './incidents';
import type { Report } from './reports';
import type { Answer, ItemOf, Schema } from './schema';

export type Severity = Alert['severity'];
export type AlertStatus = Alert['status'];
export type Dismissal = NonNullable<Alert['dismissal']>;
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const satisfies readonly Severity[];
export const ALERT_STATUSES = ['new', 'acknowledged', 'escalated', 'dismissed'] as const satisfies readonly AlertStatus[];
export const DISMISSALS = ['false_positive', 'benign', 'duplicate', 'test', 'outside_mandate'] as const satisfies readonly Dismissal[];

export const SEVERITY_LABELS: Record<Severity, string> = { info: 'Info', low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' };
export const DISMISSAL_LABELS: Record<Dismissal, string> = {
  false_positive: 'False positive', benign: 'Benign (expected activity)', duplicate: 'Duplicate', test: 'Test alert', outside_mandate: 'Outside our mandate',
};

export type ObservableRef = ItemOf<Alert['observables']>;

export type Alert = Schema<'Alert'>;

/** An open incident an item may belong to, and why. */
export type CorrelatedIncident = Schema<'CorrelatedIncident'>;

export type Suggestions = Schema<'TriageSuggestions'>;

export type AlertEvent = ItemOf<AlertDetail['events']>;

export type AlertDetail = Schema<'AlertDetail'>;

export type ReportMessage = ItemOf<ReportTriage['messages']>;

export type ReportAttachment = ItemOf<ReportTriage['attachments']>;

/** An ARF (RFC 5965) or X-ARF v4 report carried by a report, read field by field. */
export type AbuseReport = Schema<'AbuseReport'>;

/** What sits beside a report: GET /reports/:id/triage. Every part may be missing on older servers. */
export type ReportTriage = Answer<'reports.triage'>;

export type IntakeState = IntakeItem['state'];
export type IntakeItem = Schema<'IntakeItem'>;

export type Source = Schema<'IntakeSource'>;

export type SourceWithToken = Answer<'intake.sources.create'>;

export type PreviewAlert = ItemOf<Preview['alerts']>;
export type Preview = Answer<'intake.sources.preview'>;

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

/**
 * What the caller may do to a queue item, as the server says (`allowed` on each report and alert):
 * pages show an action only where it is set (the server checks each call regardless).
 */
export interface ItemActions { acknowledge: boolean; declare: boolean; link: boolean; dismiss: boolean; merge: boolean; reopen: boolean }

export function itemActions(i: QueueItem): ItemActions {
  if (i.kind === 'alert') {
    const a = i.alert.allowed;
    return { acknowledge: a.acknowledge, declare: a.declare, link: a.link, dismiss: a.dismiss, merge: false, reopen: a.reopen };
  }
  const r = i.report.allowed;
  return { acknowledge: false, declare: r.declare, link: r.link, dismiss: r.reject, merge: r.merge, reopen: r.reopen };
}

/** Whether each of these items allows the action (and there is at least one). */
export const everyAllows = (items: readonly QueueItem[], action: keyof ItemActions): boolean => items.length > 0 && items.every((i) => itemActions(i)[action]);

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
export function alertSuggestions(a: Pick<Alert, 'severity' | 'classification' | 'sourceName'> & { suggestions?: Suggestions }): Suggestions {
  if (a.suggestions) return a.suggestions;
  const impact = BY_SEVERITY[a.severity];
  const urgency = BY_SEVERITY[a.severity];
  return {
    classifications: a.classification ? [{ ...a.classification, reason: `the ${a.sourceName} source mapping` }] : [],
    impact,
    urgency,
    priority: defaultPriority(impact, urgency),
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
