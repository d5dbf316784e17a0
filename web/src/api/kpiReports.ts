// The KPI reports (/api/v1/kpi/reports/*: HTML and PDF, made on request) and the schedules that
// e-mail them (/api/v1/kpi/report-schedules, admins and managers). See docs/kpi-reports.md.
import { api, ApiError, qs } from './client';
import type { Tlp } from './incidents';
import type { Answer, ItemOf, Schema } from './schema';
import { KPI_KEY } from './kpi';

export const REPORT_SCHEDULES_KEY = [...KPI_KEY, 'report-schedules'] as const;

export type ReportKind = ReportSchedule['kind'];
export type ReportFormat = ReportSchedule['format'];
export const REPORT_KIND_LABELS: Record<ReportKind, string> = { monthly: 'Monthly KPI report', annual: 'Annual report' };

export type ReportSchedule = Schema<'ReportSchedule'>;
export type ReportScheduleInput = Pick<ReportSchedule, 'kind' | 'recipients' | 'format' | 'tlp' | 'enabled'>;

export type ReportDelivery = ItemOf<Answer<'reportSchedules.get'>['deliveries']>;

export const reportSchedulesApi = {
  list: () => api.get<Answer<'reportSchedules.list'>>('/kpi/report-schedules'),
  get: (id: string) => api.get<Answer<'reportSchedules.get'>>(`/kpi/report-schedules/${id}`),
  create: (s: ReportScheduleInput) => api.post<ReportSchedule>('/kpi/report-schedules', s),
  update: (id: string, s: ReportScheduleInput, version: number) => api.put<ReportSchedule>(`/kpi/report-schedules/${id}`, { ...s, version }),
  remove: (id: string) => api.del(`/kpi/report-schedules/${id}`),
};

/** Where to open (HTML) or download (PDF) a report: a plain link, the session cookie goes along. */
export function monthlyReportUrl(month: string, format: ReportFormat): string {
  return `/api/v1/kpi/reports/monthly${qs({ month, format })}`;
}
export function annualReportUrl(year: number, format: ReportFormat, tlp: Tlp = 'GREEN'): string {
  return `/api/v1/kpi/reports/annual${qs({ year, tlp, format })}`;
}

/** The problems VIG_REPORT_SCHEDULE_INVALID lists (refused recipients), or null for any other error. */
export function scheduleProblems(e: unknown): string[] | null {
  if (!(e instanceof ApiError) || e.code !== 'VIG_REPORT_SCHEDULE_INVALID') return null;
  return Array.isArray(e.problem.problems) ? e.problem.problems.map(String) : [];
}
