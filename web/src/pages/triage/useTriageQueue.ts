// The triage queue's data: new reports and open alerts, read every few seconds and on window
// focus, with each report's suggested priority (read once per report), merged most urgent first.
import { useMemo } from 'react';
import { useQueries, useQuery } from '@tanstack/react-query';
import { api, qs } from '../../api/client';
import type { Page, Report } from '../../api/reports';
import type { Answer } from '../../api/schema';
import {
  alertSuggestions, byUrgency, reportSeverity, reportUrgency, reportSuggestionKey, type AlertStatus, type QueueItem, type ReportTriage, type Severity,
} from '../../api/triage';

export const POLL_MS = 5_000;
/** The most of each kind one read brings; the queue says so when there are more. */
export const QUEUE_LIMIT = 200;
/** Suggestions are read for this many reports at most (the rest count as medium). */
const SUGGEST_LIMIT = 100;

export type Kind = 'all' | 'report' | 'alert';

export interface QueueFilters {
  kind: Kind;
  alertStatus: AlertStatus[];
  severity: Severity[];
  source: string | null;
  q: string;
}

export function useTriageQueue(f: QueueFilters) {
  // Reports are new until decided: they belong beside open alerts, not in a list of decided ones.
  const wantReports = f.kind !== 'alert' && !f.source && f.alertStatus.some((s) => s === 'new' || s === 'acknowledged');
  const wantAlerts = f.kind !== 'report';
  const live = { refetchInterval: POLL_MS, refetchOnWindowFocus: true } as const;

  const reports = useQuery({
    queryKey: ['reports', 'triage-queue', { q: f.q }],
    queryFn: () => api.get<Page<Report>>(`/reports${qs({ status: 'new', q: f.q, limit: QUEUE_LIMIT })}`),
    enabled: wantReports,
    ...live,
    placeholderData: (prev: Page<Report> | undefined) => prev,
  });
  const alerts = useQuery({
    queryKey: ['alerts', 'triage-queue', { status: f.alertStatus, severity: f.severity, source: f.source, q: f.q }],
    queryFn: () => api.get<Answer<'alerts.list'>>(`/alerts${qs({
      status: f.alertStatus.join(','), severity: f.severity.join(','), source: f.source, q: f.q, limit: QUEUE_LIMIT,
    })}`),
    enabled: wantAlerts,
    ...live,
    placeholderData: (prev: Answer<'alerts.list'> | undefined) => prev,
  });

  const reportItems = wantReports ? (reports.data?.items ?? []) : [];
  const alertItems = wantAlerts ? (alerts.data?.items ?? []) : [];

  // A report's words may make it more urgent than medium; the suggestion never changes, so it is read once.
  const suggestions = useQueries({
    queries: reportItems.slice(0, SUGGEST_LIMIT).map((r) => ({
      queryKey: reportSuggestionKey(r.id),
      queryFn: () => api.get<ReportTriage>(`/reports/${encodeURIComponent(r.id)}/triage`),
      staleTime: Infinity,
      retry: false,
    })),
  });
  const suggestionOf = new Map(reportItems.slice(0, SUGGEST_LIMIT).map((r, i) => [r.id, suggestions[i]?.data?.suggestions]));
  const suggestionKey = suggestions.map((s) => s.data?.suggestions?.priority ?? s.data?.suggestions?.urgency ?? '').join(',');

  const items = useMemo<QueueItem[]>(() => {
    const out: QueueItem[] = [];
    for (const r of reportItems) {
      const severity = reportSeverity(suggestionOf.get(r.id), reportUrgency(r));
      if (f.severity.length && !f.severity.includes(severity)) continue;
      out.push({ kind: 'report', key: `report:${r.id}`, reference: r.reference, title: r.title, receivedAt: r.receivedAt, severity, tlp: r.tlp, report: r });
    }
    for (const a of alertItems) {
      out.push({ kind: 'alert', key: `alert:${a.id}`, reference: a.reference, title: a.title, receivedAt: a.createdAt, severity: a.severity, tlp: a.tlp, alert: a });
    }
    return out.sort(byUrgency);
    // suggestionKey stands for the suggestions map's content.
  }, [reports.data, alerts.data, wantReports, wantAlerts, suggestionKey, f.severity]);

  const more = (wantReports && reports.data?.nextCursor != null) || (wantAlerts && alerts.data?.nextCursor != null);
  return {
    items,
    suggestionOf: (id: string) => suggestionOf.get(id),
    error: (wantReports ? reports.error : null) ?? (wantAlerts ? alerts.error : null),
    isLoading: (wantReports && reports.isLoading) || (wantAlerts && alerts.isLoading),
    isFetching: reports.isFetching || alerts.isFetching,
    updatedAt: Math.max(reports.dataUpdatedAt, alerts.dataUpdatedAt),
    more,
  };
}

/** What an incident declared from these items is likely about: the first item's suggestions, the highest impact and urgency. */
export function mergedSuggestions(items: readonly QueueItem[], suggestionOf: (reportId: string) => ReportTriage['suggestions'] | undefined) {
  const levels = ['low', 'medium', 'high', 'critical'] as const;
  const all = items.map((i) => (i.kind === 'alert' ? alertSuggestions(i.alert) : suggestionOf(i.report.id))).filter((s) => s !== undefined);
  if (all.length === 0) return undefined;
  const top = (k: 'impact' | 'urgency') => all.reduce((m, s) => (levels.indexOf(s[k]) > levels.indexOf(m) ? s[k] : m), all[0]![k]);
  const seen = new Set<string>();
  const classifications = all.flatMap((s) => s.classifications).filter((c) => {
    const k = `${c.class}/${c.type}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return { classifications, impact: top('impact'), urgency: top('urgency') };
}
