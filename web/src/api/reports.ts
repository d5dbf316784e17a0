// Shapes and rules of the reports API (/api/v1/reports), as the web app uses them. Team members get
// the full report; a reporter account gets a reduced view with a public status only.
import { ApiError } from './client';
import type { Answer, Body, Schema } from './schema';

export type Channel = Report['channel'];
export type ReportStatus = Report['status'];
export type Rejection = NonNullable<Report['rejection']>;
export type PublicStatus = ReporterReport['publicStatus'];
export const CHANNELS = ['api', 'web_form', 'portal', 'email', 'phone', 'monitoring', 'other'] as const satisfies readonly Channel[];
export const REPORT_STATUSES = ['new', 'linked', 'merged', 'rejected'] as const satisfies readonly ReportStatus[];
export const REJECTIONS = ['not_incident', 'false_positive', 'spam', 'outside_mandate', 'duplicate'] as const satisfies readonly Rejection[];

/** The channels a team member picks when logging a report by hand (a call, a forwarded mail…). */
export const LOGGED_CHANNELS = ['phone', 'email', 'other'] as const satisfies readonly Channel[];

export const CHANNEL_LABELS: Record<Channel, string> = {
  api: 'API', web_form: 'Web form', portal: 'Portal', email: 'E-mail', phone: 'Phone', monitoring: 'Monitoring', other: 'Other',
};
export const REJECTION_LABELS: Record<Rejection, string> = {
  not_incident: 'Not an incident', false_positive: 'False positive', spam: 'Spam', outside_mandate: 'Outside our mandate', duplicate: 'Duplicate',
};
export const PUBLIC_STATUS_LABELS: Record<PublicStatus, string> = {
  received: 'Received', in_progress: 'In progress', closed: 'Closed', not_pursued: 'Not pursued',
};

/** A report as team members (admin, manager, handler, viewer) see it. */
export type Report = Schema<'Report'>;

/** A report as its reporter's organisation sees it: no internal fields. */
export type ReporterReport = Schema<'ReporterReport'>;

/** A page of GET /reports: team members get Report, a reporter's organisation ReporterReport (the caller knows which). */
export type Page<T extends Report | ReporterReport> = Omit<Answer<'reports.list'>, 'items'> & { items: T[] };

export type LogReportInput = Body<'reports.submit'>;

export const REPORTS_KEY = ['reports'] as const;
export const reportKey = (idOrRef: string) => ['reports', 'one', idOrRef] as const;
/** Outside 'reports': the bytes never change, and every read is audited, so live updates must not refetch them. */
export const reportRawKey = (id: string) => ['report-raw', id] as const;
export const incidentReportsKey = (incidentId: string) => ['reports', 'incident', incidentId] as const;

export const reportPath = (ref: string) => `/reports/${encodeURIComponent(ref)}`;
export const reportApi = (idOrRef: string, action?: 'raw' | 'link' | 'merge' | 'reject' | 'reopen') =>
  `/reports/${encodeURIComponent(idOrRef)}${action ? `/${action}` : ''}`;

export const REPORT_REFERENCE = /^[A-Z][A-Z0-9]{1,11}-R-\d{4}-\d{6,}$/;
export const INCIDENT_REFERENCE = /^[A-Z][A-Z0-9]{1,11}-\d{4}-\d{5,}$/;
export const normRef = (v: string) => v.trim().toUpperCase();

/** The report as it is now, when a triage step was refused (already decided, or changed meanwhile). */
export function reportConflict(error: unknown): { code: string; current: Report } | null {
  if (error instanceof ApiError && (error.code === 'VIG_REPORT_DECIDED' || error.code === 'VIG_REPORT_VERSION_CONFLICT')) {
    const current = error.problem.current;
    if (current && typeof current === 'object' && 'version' in current) return { code: error.code, current: current as Report };
  }
  return null;
}

/** One line on what happened to a report: "Linked to VIG-2026-00001", "Rejected: spam". */
export function decisionText(r: Pick<Report, 'status' | 'incident' | 'mergedIntoReference' | 'rejection'>): string {
  switch (r.status) {
    case 'new': return 'New, not triaged yet';
    case 'linked': return `Linked to ${r.incident?.reference ?? 'an incident'}`;
    case 'merged': return `Merged into ${r.mergedIntoReference ?? 'another report'}`;
    case 'rejected': return `Rejected: ${r.rejection ? REJECTION_LABELS[r.rejection].toLowerCase() : 'no reason'}`;
  }
}
