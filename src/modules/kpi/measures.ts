// What a KPI definition can measure, the parameters each measure takes, and how a definition is
// evaluated against a period's facts and checked against its target.
import { z } from 'zod';
import type { ActivityKind, Priority, TargetOp } from '../../db/schema.ts';
import { METRICS } from '../sla/index.ts';
import { PRIORITIES, slaRate, timeStat, type Fact, type Interval } from './stats.ts';

export const ACTIVITY_KINDS = ['constituency_meeting', 'awareness_campaign', 'training', 'exercise', 'other'] as const satisfies readonly ActivityKind[];

/** A list naming each of its items once (a repeated one would count nothing more, and hides a mistake). */
const onceEach = <T extends z.ZodType>(item: T, max: number) =>
  z.array(item).min(1).max(max).refine((a) => new Set(a).size === a.length, 'each item once');
const priorities = onceEach(z.enum(PRIORITIES), PRIORITIES.length).optional();
const timeParams = z.strictObject({ statistic: z.enum(['mean', 'median']).default('median'), priorities });

export const MEASURES = {
  sla_breach_rate: { unit: 'percent', label: 'SLA breach rate', params: z.strictObject({ priorities, metrics: onceEach(z.enum(METRICS), METRICS.length).optional() }) },
  time_to_detect: { unit: 'minutes', label: 'Time to detect', params: timeParams },
  time_to_acknowledge: { unit: 'minutes', label: 'Time to acknowledge', params: timeParams },
  time_to_contain: { unit: 'minutes', label: 'Time to contain', params: timeParams },
  time_to_resolve: { unit: 'minutes', label: 'Time to resolve', params: timeParams },
  incident_count: { unit: 'count', label: 'Incidents declared', params: z.strictObject({ priorities, classes: onceEach(z.string().min(1).max(64), 20).optional() }) },
  false_positive_rate: { unit: 'percent', label: 'Reports rejected as false positives', params: z.strictObject({}) },
  activity_count: { unit: 'count', label: 'Team activities', params: z.strictObject({ kind: z.enum(ACTIVITY_KINDS), months: z.number().int().min(1).max(12).default(1) }) },
} as const;

export type Measure = keyof typeof MEASURES;
export const MEASURE_NAMES = Object.keys(MEASURES) as Measure[];
export type Unit = (typeof MEASURES)[Measure]['unit'];

/** The parameters of a measure, validated (defaults filled); a list of problems when they do not fit. */
export function parseParams(measure: string, params: unknown): { ok: true; params: Record<string, unknown> } | { ok: false; problems: string[] } {
  const m = MEASURES[measure as Measure];
  if (!m) return { ok: false, problems: [`unknown measure "${measure}"; one of ${MEASURE_NAMES.join(', ')}`] };
  const r = m.params.safeParse(params ?? {});
  if (r.success) return { ok: true, params: r.data as Record<string, unknown> };
  return { ok: false, problems: r.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`) };
}

/** What a period offers the measures. */
export interface MeasureContext {
  counting: Fact[];
  /** Reports received in the period: decided, and rejected as false positives (null: the caller may not read reports). */
  reports: { received: number; decided: number; falsePositives: number } | null;
  /** Activities of a kind over the period's last `months` months (the period's own month and the ones before). */
  activities(kind: ActivityKind, months: number): number;
}

export interface KpiDefinitionShape {
  key: string;
  measure: string;
  params: Record<string, unknown>;
  targetOp: TargetOp | null;
  targetValue: number | null;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const INTERVAL_OF: Record<string, Interval> = { time_to_detect: 'detect', time_to_acknowledge: 'acknowledge', time_to_contain: 'contain', time_to_resolve: 'resolve' };

/** The value of a definition for the period: null when there is nothing to measure (no incidents, no reports). */
export function evaluate(def: KpiDefinitionShape, ctx: MeasureContext): { value: number | null; unit: Unit; sample: number | null } {
  const parsed = parseParams(def.measure, def.params);
  if (!parsed.ok) throw new Error(`KPI ${def.key}: ${parsed.problems.join('; ')}`);
  const p = parsed.params as { priorities?: Priority[]; metrics?: (typeof METRICS)[number][]; statistic?: 'mean' | 'median'; classes?: string[]; kind?: ActivityKind; months?: number };
  const unit = MEASURES[def.measure as Measure].unit;
  const rows = p.priorities ? ctx.counting.filter(({ i }) => p.priorities!.includes(i.priority)) : ctx.counting;
  switch (def.measure as Measure) {
    case 'sla_breach_rate': {
      const r = slaRate(rows, p.metrics);
      return { value: r.rate, unit, sample: r.incidents };
    }
    case 'incident_count': {
      const n = p.classes ? rows.filter(({ i }) => i.class !== null && p.classes!.includes(i.class)).length : rows.length;
      return { value: n, unit, sample: null };
    }
    case 'false_positive_rate': {
      const r = ctx.reports;
      if (!r || r.decided === 0) return { value: null, unit, sample: r?.decided ?? null };
      return { value: round1((r.falsePositives * 100) / r.decided), unit, sample: r.decided };
    }
    case 'activity_count':
      return { value: ctx.activities(p.kind!, p.months ?? 1), unit, sample: null };
    default: {
      const interval = INTERVAL_OF[def.measure]!;
      const t = timeStat(rows.map(({ f }) => f.minutes[interval]).filter((v): v is number => v !== null));
      return { value: p.statistic === 'mean' ? t.meanMinutes : t.medianMinutes, unit, sample: t.count };
    }
  }
}

/** Whether a value meets its target: null without a target or a value. */
export function meets(value: number | null, op: TargetOp | null, target: number | null): boolean | null {
  if (value === null || op === null || target === null) return null;
  switch (op) {
    case '<': return value < target;
    case '<=': return value <= target;
    case '>': return value > target;
    case '>=': return value >= target;
  }
}
