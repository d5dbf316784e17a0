// Incident statistics of a period, from per-incident facts that were read off the incident rows and
// their recorded events (repo.ts). Pure: no storage, no clock.
//
// The population is the period's cohort: incidents declared in it. Exercises never count (they are
// only tallied as excluded); nor do duplicates (merged into another incident or closed as a
// duplicate of one), which live on in the incident they duplicate. A reopened incident counts
// once; its time to resolve runs to its last close, and it has none while it is open again. A
// reclassified incident counts under its current primary classification only.
import type { IncidentStatus, Priority, Resolution } from '../../db/schema.ts';
import { type ClockEvent, type Metric, milestones } from '../sla/index.ts';

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const satisfies readonly Priority[];
export const INTERVALS = ['detect', 'acknowledge', 'contain', 'resolve'] as const;
export type Interval = (typeof INTERVALS)[number];

/** One incident of the cohort as the repository reads it. */
export interface CohortIncident {
  id: string;
  reference: string;
  priority: Priority;
  status: IncidentStatus;
  resolution: Resolution | null;
  constituent: string | null;
  exercise: boolean;
  createdAt: Date;
  closedAt: Date | null;
  firstCompromiseAt: Date | null;
  detectedAt: Date | null;
  containedAt: Date | null;
  class: string | null;
  type: string | null;
  /** Channel of its earliest report; null when it was declared without one. */
  channel: string | null;
  /** Its events that move clocks, mark breaches, reopenings and merges, oldest first. */
  events: ClockEvent[];
}

export interface TimeStat {
  count: number;
  meanMinutes: number | null;
  medianMinutes: number | null;
}

export interface SlaRate {
  incidents: number;
  breached: number;
  /** Percent, one decimal; null with no incidents. */
  rate: number | null;
}

export interface Count { key: string; count: number }

export interface IncidentStats {
  declared: number;
  open: number;
  closed: number;
  reopened: number;
  /** Left out of every figure: exercises, and duplicates (merged into another incident or closed as one). */
  excluded: { exercises: number; duplicates: number };
  byPriority: Record<Priority, number>;
  byClass: (Count & { types: Count[] })[];
  byConstituent: Count[];
  byChannel: Count[];
  byResolution: Count[];
  times: Record<Interval, TimeStat & { byPriority: Record<Priority, TimeStat> }>;
  sla: SlaRate & { byPriority: Record<Priority, SlaRate>; byMetric: Record<Metric, number> };
}

const minutesBetween = (a: Date, b: Date) => Math.max(0, (b.getTime() - a.getTime()) / 60_000);
const round1 = (n: number) => Math.round(n * 10) / 10;

export function timeStat(values: number[]): TimeStat {
  if (values.length === 0) return { count: 0, meanMinutes: null, medianMinutes: null };
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { count: s.length, meanMinutes: round1(s.reduce((a, b) => a + b, 0) / s.length), medianMinutes: round1(median) };
}

const rate = (incidents: number, breached: number): SlaRate => ({ incidents, breached, rate: incidents ? round1((breached * 100) / incidents) : null });

function counted(keys: (string | null)[], none: string): Count[] {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k ?? none, (m.get(k ?? none) ?? 0) + 1);
  return [...m].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

/** What an incident's events and key times say: its milestones, breaches, reopening and merge. */
export function factsOf(i: CohortIncident) {
  const m = milestones(i, i.events);
  const kinds = new Set(i.events.map((e) => e.kind));
  const breached = new Set(i.events.filter((e) => e.kind === 'sla.breached').map((e) => String((e.data as { metric?: unknown })?.metric)));
  const resolvedAt = i.status === 'closed' && i.resolution !== 'duplicate' ? i.closedAt : null;
  const detect = i.firstCompromiseAt && i.detectedAt && i.detectedAt >= i.firstCompromiseAt ? minutesBetween(i.firstCompromiseAt, i.detectedAt) : null;
  return {
    duplicate: kinds.has('incident.merged_into') || (i.status === 'closed' && i.resolution === 'duplicate'),
    reopened: kinds.has('incident.reopened'),
    breached: [...breached] as Metric[],
    minutes: {
      detect,
      acknowledge: m.acknowledged ? minutesBetween(i.createdAt, m.acknowledged) : null,
      contain: m.contained ? minutesBetween(i.createdAt, m.contained) : null,
      resolve: resolvedAt ? minutesBetween(i.createdAt, resolvedAt) : null,
    } satisfies Record<Interval, number | null>,
  };
}

export interface Fact { i: CohortIncident; f: ReturnType<typeof factsOf> }

/** The cohort's incidents that count (neither exercises nor merged away), and how many were left out. */
export function counting(cohort: CohortIncident[]): { counting: Fact[]; excluded: IncidentStats['excluded'] } {
  const facts = cohort.filter((i) => !i.exercise).map((i) => ({ i, f: factsOf(i) }));
  const rows = facts.filter(({ f }) => !f.duplicate);
  return { counting: rows, excluded: { exercises: cohort.length - facts.length, duplicates: facts.length - rows.length } };
}

/** The incidents of `rows` with at least one breach (of `metrics`, if given). */
export const breachedCount = (rows: Fact[], metrics?: Metric[]) =>
  rows.filter(({ f }) => f.breached.some((m) => !metrics || metrics.includes(m))).length;

export function slaRate(rows: Fact[], metrics?: Metric[]): SlaRate {
  return rate(rows.length, breachedCount(rows, metrics));
}

export function incidentStats(cohort: CohortIncident[]): IncidentStats {
  const { counting: rows, excluded } = counting(cohort);
  return statsOf(rows, excluded);
}

function statsOf(counting: Fact[], excluded: IncidentStats['excluded']): IncidentStats {
  const byPriority = Object.fromEntries(PRIORITIES.map((p) => [p, counting.filter(({ i }) => i.priority === p).length])) as Record<Priority, number>;

  const classes = counted(counting.map(({ i }) => i.class), 'unclassified').map((c) => ({
    ...c, types: counted(counting.filter(({ i }) => (i.class ?? 'unclassified') === c.key).map(({ i }) => i.type), 'unclassified'),
  }));
  const times = Object.fromEntries(INTERVALS.map((k) => {
    const of = (rows: Fact[]) => timeStat(rows.map(({ f }) => f.minutes[k]).filter((v): v is number => v !== null));
    return [k, { ...of(counting), byPriority: Object.fromEntries(PRIORITIES.map((p) => [p, of(counting.filter(({ i }) => i.priority === p))])) }];
  })) as IncidentStats['times'];
  const byMetric = { acknowledge: 0, first_response: 0, containment: 0, resolution: 0 } satisfies Record<Metric, number>;
  for (const { f } of counting) for (const m of f.breached) if (m in byMetric) byMetric[m] += 1;

  return {
    declared: counting.length,
    open: counting.filter(({ i }) => i.status !== 'closed').length,
    closed: counting.filter(({ i }) => i.status === 'closed').length,
    reopened: counting.filter(({ f }) => f.reopened).length,
    excluded,
    byPriority,
    byClass: classes,
    byConstituent: counted(counting.map(({ i }) => i.constituent), '(none)'),
    byChannel: counted(counting.map(({ i }) => i.channel), 'declared directly'),
    byResolution: counted(counting.filter(({ i }) => i.status === 'closed').map(({ i }) => i.resolution), 'unknown'),
    times,
    sla: {
      ...slaRate(counting),
      byPriority: Object.fromEntries(PRIORITIES.map((p) => [p, slaRate(counting.filter(({ i }) => i.priority === p))])) as Record<Priority, SlaRate>,
      byMetric,
    },
  };
}
