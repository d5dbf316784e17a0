// The team's activities and the KPI definitions: requests, what a measure
// means in words, and how a refused save is told to the user. Shapes come from web/src/api/kpi.ts.
import { api, ApiError, qs } from '../../api/client';
import type { Answer } from '../../api/schema';
import {
  ACTIVITIES_KEY, ACTIVITY_LABELS, DEFINITIONS_KEY, MEASURE_LABELS, SLA_METRICS,
  type Activity, type ActivityInput, type KpiDefinition, type KpiDefinitionInput, type KpiParams, type Measure, type TargetOp, type Unit,
} from '../../api/kpi';

export const activitiesKey = (year: number) => [...ACTIVITIES_KEY, 'year', year] as const;

/** A year's first instant and the next year's, in the reader's time zone. */
export function yearRange(year: number): { from: string; to: string } {
  return { from: new Date(year, 0, 1).toISOString(), to: new Date(year + 1, 0, 1).toISOString() };
}

export const activitiesApi = {
  year: (year: number) => api.get<Answer<'activities.list'>>(`/activities${qs(yearRange(year))}`),
  create: (a: ActivityInput) => api.post<Activity>('/activities', a),
  update: (id: string, a: ActivityInput, version: number) => api.put<Activity>(`/activities/${id}`, { ...a, version }),
  remove: (id: string) => api.del(`/activities/${id}`),
};

export const definitionsApi = {
  // Narrowed (measure, params): see KpiDefinition in api/kpi.ts.
  list: () => api.get<{ items: KpiDefinition[] }>('/kpi/definitions'),
  create: (d: KpiDefinitionInput) => api.post<KpiDefinition>('/kpi/definitions', d),
  update: (id: string, d: KpiDefinitionInput, version: number) => api.put<KpiDefinition>(`/kpi/definitions/${id}`, { ...d, version }),
  remove: (id: string) => api.del(`/kpi/definitions/${id}`),
};
export { DEFINITIONS_KEY };

/** As src/modules/kpi/measures.ts: the unit of each measure and the parameters it takes. */
export const MEASURE_UNITS: Record<Measure, Unit> = {
  sla_breach_rate: 'percent', time_to_detect: 'minutes', time_to_acknowledge: 'minutes', time_to_contain: 'minutes',
  time_to_resolve: 'minutes', incident_count: 'count', false_positive_rate: 'percent', activity_count: 'count',
};
export type ParamField = keyof KpiParams;
export const MEASURE_PARAMS: Record<Measure, ParamField[]> = {
  sla_breach_rate: ['priorities', 'metrics'],
  time_to_detect: ['statistic', 'priorities'],
  time_to_acknowledge: ['statistic', 'priorities'],
  time_to_contain: ['statistic', 'priorities'],
  time_to_resolve: ['statistic', 'priorities'],
  incident_count: ['priorities', 'classes'],
  false_positive_rate: [],
  activity_count: ['kind', 'months'],
};
export const OP_SYMBOLS: Record<TargetOp, string> = { '<': '<', '<=': '≤', '>': '>', '>=': '≥' };
export const METRIC_LABELS: Record<(typeof SLA_METRICS)[number], string> = {
  acknowledge: 'Acknowledge', first_response: 'First response', containment: 'Containment', resolution: 'Resolution',
};

const list = (xs: string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

/** What a definition measures, in one sentence: "Median time to acknowledge of P1 and P2 incidents". */
export function measureText(measure: string, p: KpiParams): string {
  const m = measure as Measure;
  const label = MEASURE_LABELS[m];
  if (!label) return `Unknown measure "${measure}"`;
  const which = p.priorities?.length ? `${list(p.priorities)} incidents` : 'all incidents';
  switch (m) {
    case 'sla_breach_rate':
      return `Share of ${which} with an SLA target breached (${p.metrics?.length ? list(p.metrics.map((x) => METRIC_LABELS[x]?.toLowerCase() ?? x)) : 'any target'})`;
    case 'incident_count':
      return `Number of ${which} declared${p.classes?.length ? ` of class ${list(p.classes)}` : ''}`;
    case 'false_positive_rate':
      return 'Share of the decided reports rejected as false positives';
    case 'activity_count': {
      const kind = p.kind ? (ACTIVITY_LABELS[p.kind] ?? p.kind).toLowerCase() : '(no kind chosen)';
      const months = p.months ?? 1;
      return `Team activities: ${kind}, counted over ${months === 1 ? 'the month' : `the last ${months} months`}`;
    }
    default:
      return `${p.statistic === 'mean' ? 'Mean' : 'Median'} ${label.toLowerCase()} of ${which}`;
  }
}

/** "≤ 3 %", "< 4 h"-style text of a target in the measure's unit, "—" without one. */
export function targetShort(op: TargetOp | null, value: number | null, unit: Unit): string {
  if (op === null || value === null) return '—';
  const amount = value.toLocaleString('en', { maximumFractionDigits: 2 });
  return `${OP_SYMBOLS[op]} ${amount}${unit === 'percent' ? ' %' : unit === 'minutes' ? ' min' : ''}`;
}

/**
 * What does not fit a KPI definition, one line each ("kind: …"): the problems VIG_KPI_INVALID lists
 * (the target), and the measure and parameters the server refused as bad input; null for any other error.
 */
export function kpiProblems(e: unknown): string[] | null {
  if (!(e instanceof ApiError)) return null;
  if (e.code === 'VIG_KPI_INVALID') return Array.isArray(e.problem.problems) ? e.problem.problems.map(String) : [];
  const measure = (e.code === 'VIG_REQUEST_INVALID' ? e.errors ?? [] : []).filter((f) => /^body\.(params|measure)\b/.test(f.path));
  if (measure.length === 0) return null;
  return measure.map((f) => `${f.path.replace(/^body\.(params\.)?/, '')}: ${f.message}`);
}

const CONFLICTS = new Set(['VIG_KPI_VERSION_CONFLICT', 'VIG_ACTIVITY_VERSION_CONFLICT']);
export const isConflict = (e: unknown): e is ApiError => e instanceof ApiError && CONFLICTS.has(e.code);

/** The record stored now, as a version conflict reports it. */
export function currentOf<T>(e: unknown): T | null {
  return isConflict(e) && e.problem.current && typeof e.problem.current === 'object' ? (e.problem.current as T) : null;
}

/** A refused save in plain words, when there is more to say than the problem's title. */
export function saveProblemText(e: unknown, what: 'activity' | 'KPI definition'): string | null {
  if (!(e instanceof ApiError)) return null;
  switch (e.code) {
    case 'VIG_KPI_VERSION_CONFLICT':
    case 'VIG_ACTIVITY_VERSION_CONFLICT':
      return `Someone saved this ${what} meanwhile. Your changes are still in the form: save again to replace their version, or load theirs.`;
    case 'VIG_KPI_NOT_FOUND':
    case 'VIG_ACTIVITY_NOT_FOUND':
      return `This ${what} was deleted meanwhile. Close the form and create it again.`;
    case 'VIG_KPI_KEY_TAKEN': return `Another KPI definition already has the key "${String(e.problem.key ?? '')}". Choose another key.`;
    case 'VIG_CONSTITUENT_NOT_FOUND': return 'That constituent no longer exists. Pick another one or none.';
    default: return null;
  }
}
