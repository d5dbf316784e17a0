// Shapes of the KPI API (/api/v1/kpi/*, /api/v1/activities). The server computes every figure on
// request from incidents, their events, reports and the team's activities (docs/kpis.md).
import type { Priority } from './incidents';
import type { Body, ItemOf, Schema } from './schema';

export const KPI_KEY = ['kpi'] as const;
export const monthlyKey = (month: string) => [...KPI_KEY, 'monthly', month] as const;
export const DEFINITIONS_KEY = [...KPI_KEY, 'definitions'] as const;
export const ACTIVITIES_KEY = ['activities'] as const;

export type ActivityKind = Activity['kind'];
export const ACTIVITY_KINDS = ['constituency_meeting', 'awareness_campaign', 'training', 'exercise', 'other'] as const satisfies readonly ActivityKind[];
export const ACTIVITY_LABELS: Record<ActivityKind, string> = {
  constituency_meeting: 'Constituency meeting',
  awareness_campaign: 'Awareness campaign',
  training: 'Training',
  exercise: 'Exercise',
  other: 'Other activity',
};

export type Activity = Schema<'TeamActivity'>;
export type ActivityInput = Pick<Activity, 'kind' | 'title' | 'description' | 'startsAt' | 'endsAt' | 'constituentId' | 'participants' | 'tlp'>;

/** What a definition measures: the names the server accepts when saving one. */
export type Measure = Body<'kpiDefinitions.create'>['measure'];
export const MEASURES = [
  'sla_breach_rate', 'time_to_detect', 'time_to_acknowledge', 'time_to_contain', 'time_to_resolve', 'incident_count', 'false_positive_rate', 'activity_count',
] as const satisfies readonly Measure[];
export const MEASURE_LABELS: Record<Measure, string> = {
  sla_breach_rate: 'SLA breach rate (%)',
  time_to_detect: 'Time to detect',
  time_to_acknowledge: 'Time to acknowledge',
  time_to_contain: 'Time to contain',
  time_to_resolve: 'Time to resolve',
  incident_count: 'Incidents declared',
  false_positive_rate: 'Reports rejected as false positives (%)',
  activity_count: 'Team activities',
};
export const SLA_METRICS = ['acknowledge', 'first_response', 'containment', 'resolution'] as const satisfies readonly (keyof IncidentStats['sla']['byMetric'])[];
export type TargetOp = NonNullable<KpiValue['target']>['op'];
export type Unit = KpiValue['unit'];

/**
 * Parameters by measure: priorities (all but activity and report measures), statistic (times), metrics (SLA), classes (counts), kind and months (activities).
 * Written here because the server answers `params` as a loose record (stored jsonb, checked by src/modules/kpi/measures.ts when saved).
 */
export interface KpiParams {
  priorities?: Priority[];
  statistic?: 'mean' | 'median';
  metrics?: (typeof SLA_METRICS)[number][];
  classes?: string[];
  kind?: ActivityKind;
  months?: number;
}

export type KpiDefinition = Omit<Schema<'KpiDefinition'>, 'measure' | 'params'> & {
  /** The server answers a string (its rows keep one); it accepts only these when saving. */
  measure: Measure;
  params: KpiParams;
};
export type KpiDefinitionInput = Pick<KpiDefinition, 'key' | 'name' | 'description' | 'measure' | 'params' | 'targetOp' | 'targetValue' | 'enabled' | 'position'>;

export type KpiValue = Omit<Schema<'KpiValue'>, 'measure' | 'params'> & { measure: Measure; params: KpiParams };

export type Count = ItemOf<IncidentStats['byChannel']>;
export type TimeStat = Omit<IncidentStats['times']['detect'], 'byPriority'>;
export type SlaRate = Omit<IncidentStats['sla'], 'byPriority' | 'byMetric'>;
export type Interval = keyof IncidentStats['times'];

export type IncidentStats = Schema<'IncidentStatistics'>;

export type MonthlyKpis = Omit<Schema<'MonthlyKpis'>, 'kpis'> & { kpis: KpiValue[] };

/** "45 min", "3 h 20 min", "2 d 4 h". */
export function formatMinutes(m: number | null): string {
  if (m === null) return '—';
  if (m < 60) return `${Math.round(m)} min`;
  if (m < 1440) {
    const h = Math.floor(m / 60);
    const r = Math.round(m - h * 60);
    return r ? `${h} h ${r} min` : `${h} h`;
  }
  const d = Math.floor(m / 1440);
  const h = Math.round((m - d * 1440) / 60);
  return h ? `${d} d ${h} h` : `${d} d`;
}

export function formatValue(value: number | null, unit: Unit): string {
  if (value === null) return '—';
  if (unit === 'percent') return `${value.toLocaleString('en', { maximumFractionDigits: 1 })} %`;
  if (unit === 'minutes') return formatMinutes(value);
  return value.toLocaleString('en');
}

export function targetText(t: KpiValue['target'], unit: Unit): string {
  if (!t) return 'no target';
  const op = { '<': 'below', '<=': 'at most', '>': 'above', '>=': 'at least' }[t.op];
  return `${op} ${formatValue(t.value, unit)}`;
}
