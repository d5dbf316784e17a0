// The statistics of a period as CSV rows: one row per figure, so a spreadsheet can pivot them.
// Columns: section, key, subkey, value, unit, target, met.
import { toCsv } from '../../lib/csv.ts';
import { INTERVALS, PRIORITIES } from './stats.ts';
import type { PeriodKpis } from './service.ts';

type Row = [string, string, string, number | string | null, string, string, string];

export function statisticsRows(k: PeriodKpis): Row[] {
  const s = k.incidents;
  const rows: Row[] = [];
  const add = (section: string, key: string, sub: string, value: number | string | null, unit = 'count', target = '', met = '') => rows.push([section, key, sub, value, unit, target, met]);
  add('period', k.period.label, k.period.timeZone, k.period.from.toISOString(), 'from');
  add('period', k.period.label, k.period.timeZone, k.period.to.toISOString(), 'to');
  add('period', 'scope', '', k.scope, 'text');
  for (const kpi of k.kpis) add('kpi', kpi.key, kpi.name, kpi.value, kpi.unit, kpi.target ? `${kpi.target.op} ${kpi.target.value}` : '', kpi.met === null ? '' : kpi.met ? 'yes' : 'no');
  for (const key of ['declared', 'open', 'closed', 'reopened'] as const) add('incidents', key, '', s[key]);
  add('incidents', 'excluded', 'exercises', s.excluded.exercises);
  add('incidents', 'excluded', 'duplicates', s.excluded.duplicates);
  for (const p of PRIORITIES) add('priority', p, '', s.byPriority[p]);
  for (const c of s.byClass) {
    add('class', c.key, '', c.count);
    for (const t of c.types) add('type', c.key, t.key, t.count);
  }
  for (const c of s.byConstituent) add('constituent', c.key, '', c.count);
  for (const c of s.byChannel) add('channel', c.key, '', c.count);
  for (const c of s.byResolution) add('resolution', c.key, '', c.count);
  for (const i of INTERVALS) {
    const t = s.times[i];
    add('time_to_' + i, 'all', 'count', t.count);
    add('time_to_' + i, 'all', 'mean', t.meanMinutes, 'minutes');
    add('time_to_' + i, 'all', 'median', t.medianMinutes, 'minutes');
    for (const p of PRIORITIES) {
      add('time_to_' + i, p, 'mean', t.byPriority[p].meanMinutes, 'minutes');
      add('time_to_' + i, p, 'median', t.byPriority[p].medianMinutes, 'minutes');
    }
  }
  add('sla', 'all', 'breached', s.sla.breached);
  add('sla', 'all', 'rate', s.sla.rate, 'percent');
  for (const p of PRIORITIES) {
    add('sla', p, 'breached', s.sla.byPriority[p].breached);
    add('sla', p, 'rate', s.sla.byPriority[p].rate, 'percent');
  }
  for (const [m, n] of Object.entries(s.sla.byMetric)) add('sla_metric', m, 'breached', n);
  if (k.reports) {
    add('reports', 'received', '', k.reports.received);
    add('reports', 'decided', '', k.reports.decided);
    add('reports', 'false_positives', '', k.reports.falsePositives);
    add('reports', 'false_positive_rate', '', k.reports.falsePositiveRate, 'percent');
  }
  for (const [kind, n] of Object.entries(k.activities.byKind)) add('activities', kind, '', n);
  return rows;
}

export function statisticsCsv(k: PeriodKpis): string {
  return toCsv([['section', 'key', 'subkey', 'value', 'unit', 'target', 'met'], ...statisticsRows(k)]);
}
