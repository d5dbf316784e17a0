// An incident's SLA clocks, from its recorded events and key times (never from counters):
// - started: when the incident was declared (created);
// - acknowledged: the first of leaving status "new", being assigned, or its escalation acknowledged;
// - first response: the first outbound communication recorded on the timeline (when it happened);
// - contained: the "contained" key time, else the first move to eradication or recovery, or closing it;
// - resolved: when it was closed (a reopened incident's clock runs again);
// - paused: between an sla.paused and the next sla.resumed event (waiting on the constituent).
import type { IncidentRow } from '../../db/schema.ts';
import { slaClock, type SlaCalendar, type SlaClock, type SlaPause } from './clock.ts';
import type { SlaPolicyRow } from './repo.ts';

export const METRICS = ['acknowledge', 'first_response', 'containment', 'resolution'] as const;
export type Metric = (typeof METRICS)[number];

export interface ClockEvent {
  kind: string;
  at: Date;
  /** When a communication happened, if it was logged afterwards. */
  occurredAt?: Date | null;
  data: unknown;
}

export interface MetricClock extends Omit<SlaClock, 'warnAt'> {
  metric: Metric;
  targetMinutes: number;
  metAt: Date | null;
}

const AFTER_CONTAINMENT = new Set(['eradication', 'recovery']);

/** When each milestone was reached (null: not yet), and the pauses. */
export function milestones(incident: Pick<IncidentRow, 'containedAt' | 'closedAt' | 'status'>, events: ClockEvent[]) {
  const first = (pred: (e: ClockEvent) => boolean) => events.find(pred)?.at ?? null;
  const data = (e: ClockEvent) => (e.data ?? {}) as Record<string, unknown>;
  const acknowledged = first((e) => (e.kind === 'incident.status_changed' && data(e).from === 'new') || e.kind === 'incident.assigned' || e.kind === 'escalation.acknowledged');
  // The earliest outbound communication, by when it happened (one logged afterwards may predate another).
  let responded: Date | null = null;
  for (const e of events) {
    if (e.kind !== 'incident.communication' || data(e).direction !== 'outbound') continue;
    const t = e.occurredAt ?? e.at;
    if (!responded || t < responded) responded = t;
  }
  const movedOn = first((e) => (e.kind === 'incident.status_changed' && AFTER_CONTAINMENT.has(String(data(e).to))) || e.kind === 'incident.closed');
  const contained = incident.containedAt ?? movedOn;
  const resolved = incident.status === 'closed' ? incident.closedAt : null;
  const pauses: SlaPause[] = [];
  for (const e of events) {
    if (e.kind === 'sla.paused' && !pauses.some((p) => p.to === null)) pauses.push({ from: e.at, to: null });
    if (e.kind === 'sla.resumed') {
      const open = pauses.find((p) => p.to === null);
      if (open) open.to = e.at;
    }
  }
  return { acknowledged, responded, contained, resolved, pauses, paused: pauses.some((p) => p.to === null) };
}

/** The clocks of the metrics the policy sets a target for. */
export function incidentClocks(
  incident: Pick<IncidentRow, 'createdAt' | 'containedAt' | 'closedAt' | 'status'>, events: ClockEvent[], policy: SlaPolicyRow, now: Date,
): { paused: boolean; clocks: MetricClock[] } {
  const m = milestones(incident, events);
  const calendar: SlaCalendar = policy.calendar;
  const targets: Record<Metric, [number | null, Date | null]> = {
    acknowledge: [policy.acknowledgeMinutes, m.acknowledged],
    first_response: [policy.firstResponseMinutes, m.responded],
    containment: [policy.containmentMinutes, m.contained],
    resolution: [policy.resolutionMinutes, m.resolved],
  };
  const clocks: MetricClock[] = [];
  for (const metric of METRICS) {
    const [target, metAt] = targets[metric];
    if (!target) continue;
    const { warnAt, ...c } = slaClock(calendar, { startedAt: incident.createdAt, targetMinutes: target, pauses: m.pauses, metAt }, now);
    clocks.push({ ...c, warningAt: warnAt(policy.warnPercent / 100), metric, targetMinutes: target, metAt });
  }
  return { paused: m.paused, clocks };
}
