// The report's charts as SVG strings, drawn on the server by ECharts (SSR, SVG renderer): fixed
// size, no animation, DejaVu Sans (the font the PDF embeds), so the same data gives the same SVG.
// ECharts escapes the text it writes; every chart is disposed at once (a live one keeps a timer).
import * as echarts from 'echarts';
import type { Priority } from '../../db/schema.ts';
import { type IncidentStats, PRIORITIES, type SlaRate, type TimeStat } from '../kpi/index.ts';
import type { TrendPoint } from './report.service.ts';

export const CHART = { width: 640, height: 260 } as const;
export const CHART_FONT = 'DejaVu Sans';
const PRIORITY_COLOUR: Record<Priority, string> = { P1: '#c92a2a', P2: '#e8590c', P3: '#f2b705', P4: '#5c7cfa' };
const AXIS = { axisLabel: { color: '#333333', fontSize: 11 }, axisLine: { lineStyle: { color: '#888888' } } };

function render(option: Record<string, unknown>): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: CHART.width, height: CHART.height });
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      textStyle: { fontFamily: CHART_FONT, fontSize: 11, color: '#222222' },
      grid: { left: 56, right: 24, top: 40, bottom: 48 },
      ...option,
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

const legend = { top: 4, itemGap: 18, textStyle: { fontFamily: CHART_FONT, fontSize: 11 } };

/** Incidents declared per month by priority, stacked. */
export function trendChart(trend: TrendPoint[]): string {
  return render({
    legend,
    xAxis: { type: 'category', data: trend.map((t) => t.month), ...AXIS },
    yAxis: { type: 'value', minInterval: 1, name: 'incidents', nameTextStyle: { fontSize: 11 }, ...AXIS },
    series: PRIORITIES.map((p) => ({ name: p, type: 'bar', stack: 'incidents', barMaxWidth: 36, data: trend.map((t) => t.byPriority[p] ?? 0), itemStyle: { color: PRIORITY_COLOUR[p] } })),
  });
}

/** Incidents by RSIT class (the most frequent first, at most twelve). */
export function classChart(byClass: IncidentStats['byClass']): string {
  const rows = byClass.slice(0, 12).reverse();
  return render({
    grid: { left: 180, right: 32, top: 16, bottom: 32 },
    xAxis: { type: 'value', minInterval: 1, ...AXIS },
    yAxis: { type: 'category', data: rows.map((c) => c.key), ...AXIS },
    series: [{ type: 'bar', barMaxWidth: 22, data: rows.map((c) => c.count), itemStyle: { color: '#1c7ed6' }, label: { show: true, position: 'right', fontSize: 11 } }],
  });
}

/** SLA breach rate (percent) per priority, with the critical incidents' target as a dashed line. */
export function slaChart(byPriority: Record<Priority, SlaRate>, criticalTarget: number | null): string {
  return render({
    xAxis: { type: 'category', data: PRIORITIES, ...AXIS },
    yAxis: { type: 'value', min: 0, max: 100, name: '% breached', nameTextStyle: { fontSize: 11 }, ...AXIS },
    series: [{
      type: 'bar',
      barMaxWidth: 48,
      data: PRIORITIES.map((p) => ({ value: byPriority[p].rate ?? 0, itemStyle: { color: PRIORITY_COLOUR[p] } })),
      label: { show: true, position: 'top', fontSize: 11, formatter: (x: { dataIndex: number }) => fmtRate(byPriority[PRIORITIES[x.dataIndex]!].rate) },
      ...(criticalTarget !== null ? {
        markLine: {
          symbol: 'none', silent: true, lineStyle: { color: '#c92a2a', type: 'dashed', width: 1.5 },
          label: { formatter: `P1 target ${criticalTarget} %`, position: 'insideEndTop', fontSize: 11, color: '#c92a2a' },
          data: [{ yAxis: criticalTarget }],
        },
      } : {}),
    }],
  });
}

const fmtRate = (r: number | null) => (r === null ? '—' : `${r} %`);

/** Median hours to acknowledge, contain and resolve, per priority. */
export function timesChart(times: IncidentStats['times']): string {
  const hours = (t: TimeStat) => (t.medianMinutes === null ? 0 : Math.round((t.medianMinutes / 60) * 10) / 10);
  const kinds = [['acknowledge', 'Acknowledge', '#74c0fc'], ['contain', 'Contain', '#1c7ed6'], ['resolve', 'Resolve', '#364fc7']] as const;
  return render({
    legend,
    xAxis: { type: 'category', data: PRIORITIES, ...AXIS },
    yAxis: { type: 'value', name: 'median hours', nameTextStyle: { fontSize: 11 }, ...AXIS },
    series: kinds.map(([k, name, color]) => ({ name, type: 'bar', barMaxWidth: 28, data: PRIORITIES.map((p) => hours(times[k].byPriority[p])), itemStyle: { color } })),
  });
}
