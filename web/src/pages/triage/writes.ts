// The triage steps on a mix of reports and alerts. Alerts go in one bulk call per step; reports one
// by one (each carries the version it was read at). The first refusal stops the run; what was done
// before it is reported with the error.
import type { QueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { INCIDENTS_KEY } from '../../api/incidents';
import { reportApi, REPORTS_KEY, type Rejection, type Report } from '../../api/reports';
import { ALERTS_KEY, type Alert, type Dismissal, type QueueItem } from '../../api/triage';

export class PartialRun extends Error {
  constructor(readonly done: string[], readonly cause: unknown) {
    super('stopped part way');
  }
}

export const alertsOf = (items: readonly QueueItem[]): Alert[] => items.flatMap((i) => (i.kind === 'alert' ? [i.alert] : []));
export const reportsOf = (items: readonly QueueItem[]): Report[] => items.flatMap((i) => (i.kind === 'report' ? [i.report] : []));

/** After any triage step: the queue, the item views and the incidents re-read. */
export function refreshAfterTriage(client: QueryClient): void {
  void client.invalidateQueries({ queryKey: ALERTS_KEY });
  void client.invalidateQueries({ queryKey: REPORTS_KEY });
  void client.invalidateQueries({ queryKey: INCIDENTS_KEY });
}

async function run(steps: { refs: string[]; go: () => Promise<unknown> }[]): Promise<string[]> {
  const done: string[] = [];
  for (const s of steps) {
    try {
      await s.go();
    } catch (e) {
      throw new PartialRun(done, e);
    }
    done.push(...s.refs);
  }
  return done;
}

/** Acknowledges the alerts among the items that may be acknowledged (new ones; reports have no such step); returns their references. */
export async function acknowledge(client: QueryClient, items: readonly QueueItem[]): Promise<string[]> {
  const alerts = alertsOf(items).filter((a) => a.allowed.acknowledge);
  if (alerts.length === 0) return [];
  try {
    await api.post<Alert[]>('/alerts/acknowledge', { alerts: alerts.map((a) => a.id) });
    return alerts.map((a) => a.reference);
  } finally {
    refreshAfterTriage(client);
  }
}

/** Puts the items on an open incident (by reference or id). */
export async function linkItems(client: QueryClient, items: readonly QueueItem[], incident: string): Promise<string[]> {
  const alerts = alertsOf(items);
  const steps = [
    ...(alerts.length ? [{ refs: alerts.map((a) => a.reference), go: () => api.post('/alerts/link', { alerts: alerts.map((a) => a.id), incident }) }] : []),
    ...reportsOf(items).map((r) => ({ refs: [r.reference], go: () => api.post(reportApi(r.id, 'link'), { incident, version: r.version }) })),
  ];
  try {
    return await run(steps);
  } finally {
    refreshAfterTriage(client);
  }
}

/** Dismisses the alerts and rejects the reports among the items, each with its own kind of reason. */
export async function dismissItems(
  client: QueryClient, items: readonly QueueItem[], why: { alert: Dismissal | null; report: Rejection | null; note: string },
): Promise<string[]> {
  const alerts = alertsOf(items);
  const note = why.note.trim();
  const steps = [
    ...(alerts.length ? [{
      refs: alerts.map((a) => a.reference),
      go: () => api.post('/alerts/dismiss', { alerts: alerts.map((a) => a.id), reason: why.alert, ...(note ? { note } : {}) }),
    }] : []),
    ...reportsOf(items).map((r) => ({
      refs: [r.reference],
      go: () => api.post(reportApi(r.id, 'reject'), { reason: why.report, ...(note ? { note } : {}), version: r.version }),
    })),
  ];
  try {
    return await run(steps);
  } finally {
    refreshAfterTriage(client);
  }
}
