// The report laid out once as plain blocks (headings, paragraphs, tables, charts) that html.ts and
// pdf.ts each render their own way, so both formats always carry the same figures. Everything here
// is plain text; each format escapes it.
import { humanize, tlpLabel } from '../incidents/index.ts';
import { localDate } from '../../lib/tz.ts';
import { INTERVALS, type KpiValue, type PeriodKpis, PRIORITIES, type TimeStat } from '../kpi/index.ts';
import { classChart, slaChart, timesChart, trendChart } from './charts.ts';
import type { ReportData } from './report.service.ts';

export type Tone = 'good' | 'bad' | null;
export type Cell = string | { text: string; tone: Tone };
export type Block =
  | { kind: 'h2'; text: string }
  | { kind: 'h3'; text: string }
  | { kind: 'p'; text: string; muted?: boolean }
  | { kind: 'table'; head: string[]; rows: Cell[][]; empty: string; numeric?: number }
  | { kind: 'chart'; title: string; svg: string };

export interface ReportLayout {
  title: string;
  subtitle: string;
  /** The TLP line printed at the top and the bottom. */
  marking: string;
  blocks: Block[];
}

export const cellText = (c: Cell) => (typeof c === 'string' ? c : c.text);

/** 45 min, 2 h 05 min, 3 d 4 h; — for none. */
export function duration(minutes: number | null): string {
  if (minutes === null) return '—';
  const m = Math.round(minutes);
  if (m < 60) return `${m} min`;
  if (m < 24 * 60) return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(m / 1440)} d ${Math.floor((m % 1440) / 60)} h`;
}

const rate = (r: number | null) => (r === null ? '—' : `${r} %`);

export function kpiValue(v: number | null, unit: KpiValue['unit']): string {
  if (v === null) return '—';
  return unit === 'percent' ? `${v} %` : unit === 'minutes' ? duration(v) : String(v);
}

const met = (m: boolean | null): Cell => (m === null ? '—' : { text: m ? 'met' : 'missed', tone: m ? 'good' : 'bad' });

/** "October 2026" from "2026-10". */
export function monthName(label: string): string {
  const [y, m] = label.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** A download name: vigil-kpi-report-2026-10.pdf. */
export const reportFilename = (label: string, format: 'html' | 'pdf') => `vigil-kpi-report-${label.replace(/[^0-9-]/g, '')}.${format}`;

/** The KPI of the critical incidents' SLA breaches (breach rate over P1 alone) with its target, if defined. */
export function criticalTarget(kpis: KpiValue[]): number | null {
  const k = kpis.find((x) => x.measure === 'sla_breach_rate' && x.target && JSON.stringify(x.params.priorities) === '["P1"]');
  return k?.target?.value ?? null;
}

const counts = (rows: { key: string; count: number }[], name = (k: string) => k): Cell[][] => rows.map((r) => [name(r.key), String(r.count)]);
const time = (t: TimeStat) => [String(t.count), duration(t.meanMinutes), duration(t.medianMinutes)];

function kpiTable(r: ReportData): Block {
  const before = new Map((r.previous?.kpis ?? []).map((k) => [k.key, k]));
  const head = ['KPI', 'Value', 'Target', 'Met', ...(r.previous ? [`${monthName(r.previous.label)}`] : [])];
  const rows = r.kpis.kpis.map((k): Cell[] => [
    k.name, kpiValue(k.value, k.unit), k.target ? `${k.target.op} ${kpiValue(k.target.value, k.unit)}` : '—', met(k.met),
    ...(r.previous ? [kpiValue(before.get(k.key)?.value ?? null, k.unit)] : []),
  ]);
  return { kind: 'table', head, rows, empty: 'No KPIs are defined.', numeric: 1 };
}

function statistics(k: PeriodKpis): Block[] {
  const s = k.incidents;
  const types = s.byClass.flatMap((c) => c.types.map((t): Cell[] => [c.key, t.key, String(t.count)]));
  return [
    { kind: 'h2', text: 'Incidents' },
    { kind: 'table', head: ['Declared', 'Open', 'Closed', 'Reopened', 'Exercises (left out)', 'Duplicates (left out)'], numeric: 0,
      rows: [[String(s.declared), String(s.open), String(s.closed), String(s.reopened), String(s.excluded.exercises), String(s.excluded.duplicates)]], empty: '' },
    { kind: 'h3', text: 'By priority' },
    { kind: 'table', head: [...PRIORITIES], rows: [PRIORITIES.map((p) => String(s.byPriority[p]))], empty: '', numeric: 0 },
    { kind: 'h3', text: 'By class and type (RSIT)' },
    { kind: 'table', head: ['Class', 'Type', 'Incidents'], rows: types, empty: 'No incidents.', numeric: 2 },
    { kind: 'h3', text: 'By constituent' },
    { kind: 'table', head: ['Constituent', 'Incidents'], rows: counts(s.byConstituent), empty: 'No incidents.', numeric: 1 },
    { kind: 'h3', text: 'By channel of the first report' },
    { kind: 'table', head: ['Channel', 'Incidents'], rows: counts(s.byChannel, humanize), empty: 'No incidents.', numeric: 1 },
    { kind: 'h3', text: 'Closed, by resolution' },
    { kind: 'table', head: ['Resolution', 'Incidents'], rows: counts(s.byResolution, humanize), empty: 'None closed.', numeric: 1 },
    { kind: 'h3', text: 'Times' },
    { kind: 'table', head: ['Time to', 'Incidents', 'Mean', 'Median', ...PRIORITIES.map((p) => `${p} median`)], numeric: 1, empty: '',
      rows: INTERVALS.map((i) => [humanize(i), ...time(s.times[i]), ...PRIORITIES.map((p) => duration(s.times[i].byPriority[p].medianMinutes))]) },
    { kind: 'h3', text: 'SLA' },
    { kind: 'table', head: ['Priority', 'Incidents', 'Breached', 'Breach rate'], numeric: 1, empty: '',
      rows: [...PRIORITIES.map((p) => { const x = s.sla.byPriority[p]; return [p, String(x.incidents), String(x.breached), rate(x.rate)]; }),
        ['All', String(s.sla.incidents), String(s.sla.breached), rate(s.sla.rate)]] },
    { kind: 'table', head: ['Target breached', 'Incidents'], numeric: 1, empty: '',
      rows: Object.entries(s.sla.byMetric).map(([m, n]) => [humanize(m), String(n)]) },
    { kind: 'h2', text: 'Reports' },
    k.reports
      ? { kind: 'table', head: ['Received', 'Decided', 'False positives', 'False-positive rate'], numeric: 0, empty: '',
        rows: [[String(k.reports.received), String(k.reports.decided), String(k.reports.falsePositives), rate(k.reports.falsePositiveRate)]] }
      : { kind: 'p', text: 'Not shown: the report was made without access to reports.', muted: true },
  ];
}

function monthsTable(months: PeriodKpis[]): Block {
  return {
    kind: 'table', numeric: 1, empty: '',
    head: ['Month', 'Declared', ...PRIORITIES, 'SLA breach rate', 'Median time to resolve', 'Reports'],
    rows: months.map((m) => [monthName(m.period.label), String(m.incidents.declared), ...PRIORITIES.map((p) => String(m.incidents.byPriority[p])),
      rate(m.incidents.sla.rate), duration(m.incidents.times.resolve.medianMinutes), m.reports ? String(m.reports.received) : '—']),
  };
}

/** The whole report as blocks. */
export function layoutReport(r: ReportData): ReportLayout {
  const zone = r.kpis.period.timeZone;
  const day = (d: Date | null) => (d ? localDate(zone, d.getTime()) : '—');
  const what = r.kind === 'monthly' ? `Monthly KPI report, ${monthName(r.label)}` : `Annual report ${r.label}`;
  const scope = r.kpis.scope === 'visible' ? ` Incident figures cover only the incidents ${r.generatedBy} may see.` : '';
  const blocks: Block[] = [
    { kind: 'h2', text: 'Key performance indicators' }, kpiTable(r),
    { kind: 'h2', text: 'Charts' },
    { kind: 'chart', title: r.kind === 'monthly' ? 'Incidents declared, last twelve months, by priority' : 'Incidents declared per month, by priority', svg: trendChart(r.trend) },
    ...(r.kpis.incidents.byClass.length
      ? [{ kind: 'chart', title: 'Incidents by RSIT class', svg: classChart(r.kpis.incidents.byClass) } as const]
      : [{ kind: 'h3', text: 'Incidents by RSIT class' } as const, { kind: 'p', text: 'No incidents.', muted: true } as const]),
    { kind: 'chart', title: 'SLA breach rate by priority', svg: slaChart(r.kpis.incidents.sla.byPriority, criticalTarget(r.kpis.kpis)) },
    { kind: 'chart', title: 'Median times by priority (hours)', svg: timesChart(r.kpis.incidents.times) },
    ...statistics(r.kpis),
  ];
  if (r.months) blocks.push({ kind: 'h2', text: 'Month by month' }, monthsTable(r.months));
  blocks.push(
    { kind: 'h2', text: `Notable incidents (P1 and P2, up to ${tlpLabel(r.tlp)})` },
    { kind: 'table', head: ['Reference', 'Title', 'Class', 'Priority', 'Declared', 'Closed'], empty: 'None.',
      rows: r.notable.map((i) => [i.reference, i.title, i.class ? `${i.class}${i.type ? ` / ${i.type}` : ''}` : '—', i.priority, day(i.createdAt), day(i.closedAt)]) },
    { kind: 'h2', text: 'Team activities' },
    { kind: 'table', head: ['Kind', 'Count'], numeric: 1, empty: '', rows: Object.entries(r.kpis.activities.byKind).map(([k, n]) => [humanize(k), String(n)]) },
    { kind: 'table', head: ['Date', 'Kind', 'Title', 'Constituent', 'Participants'], numeric: 4, empty: `No activities up to ${tlpLabel(r.tlp)}.`,
      rows: r.activities.map((a) => [day(a.startsAt), humanize(a.kind), a.title, a.constituentName ?? '—', a.participants === null ? '—' : String(a.participants)]) },
  );
  return {
    title: `${r.teamName}: ${what}`,
    subtitle: `${r.kind === 'monthly' ? monthName(r.label) : r.label}, counted in ${zone}. Made ${day(r.generatedAt)} by ${r.generatedBy} with Vigil.${scope}`,
    marking: tlpLabel(r.tlp),
    blocks,
  };
}
