// The dashboard's two charts: open incidents by priority (stacked by status) and reports of the
// last 24 hours per hour (stacked by channel). Both through the shared EChart wrapper.
import { useMantineTheme } from '@mantine/core';
import { useMemo } from 'react';
import { humanize } from '../../api/incidents';
import { CHANNELS, OPEN_STATUSES, PRIORITIES, type OperationsDashboard } from '../../api/dashboard';
import { EChart } from '../../components/EChart';

// The same hues as the status badges (components/incidentBadges.tsx).
const STATUS_HUES: Record<string, string> = {
  new: 'blue', triage: 'cyan', analysis: 'violet', containment: 'orange', eradication: 'yellow', recovery: 'teal',
};
const CHANNEL_HUES: Record<string, string> = {
  email: 'blue', web_form: 'teal', portal: 'grape', api: 'orange', monitoring: 'red', phone: 'lime', other: 'gray',
};

const hourLabel = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

export function OpenIncidentsChart({ open }: { open: OperationsDashboard['open'] }) {
  const theme = useMantineTheme();
  const option = useMemo(() => ({
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0, type: 'scroll' },
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: PRIORITIES },
    yAxis: { type: 'value', minInterval: 1 },
    series: OPEN_STATUSES.map((s) => ({
      name: humanize(s),
      type: 'bar',
      stack: 'open',
      barMaxWidth: 56,
      emphasis: { focus: 'series' },
      itemStyle: { color: theme.colors[STATUS_HUES[s] ?? 'gray']?.[6] },
      data: PRIORITIES.map((p) => open.byPriorityStatus[p][s]),
    })),
  }), [open, theme]);
  return (
    <EChart
      testId="chart-open-incidents"
      option={option}
      height={300}
      ariaLabel={`Open incidents by priority and status: ${PRIORITIES.map((p) => `${p} ${open.byPriority[p]}`).join(', ')}`}
      table={{
        caption: 'Open incidents by priority and status',
        columns: ['Priority', ...OPEN_STATUSES.map(humanize), 'Total'],
        rows: PRIORITIES.map((p) => [p, ...OPEN_STATUSES.map((s) => open.byPriorityStatus[p][s]), open.byPriority[p]]),
      }}
    />
  );
}

export function IntakeChart({ intake }: { intake: NonNullable<OperationsDashboard['intake']> }) {
  const theme = useMantineTheme();
  const hours = intake.reports.hours;
  // Only channels that had reports, so the legend says something; all of them when none had.
  const used = CHANNELS.filter((c) => hours.some((h) => h.byChannel[c] > 0));
  const channels = used.length ? used : CHANNELS;
  const option = useMemo(() => ({
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0, type: 'scroll' },
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: hours.map((h) => hourLabel(h.start)), axisLabel: { interval: 2 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: channels.map((c) => ({
      name: humanize(c),
      type: 'bar',
      stack: 'reports',
      emphasis: { focus: 'series' },
      itemStyle: { color: theme.colors[CHANNEL_HUES[c] ?? 'gray']?.[6] },
      data: hours.map((h) => h.byChannel[c]),
    })),
  }), [hours, channels, theme]);
  const busiest = hours.reduce((a, h) => (h.total > a.total ? h : a), hours[0]!);
  return (
    <EChart
      testId="chart-intake"
      option={option}
      height={260}
      ariaLabel={`Reports received per hour in the last 24 hours by channel: ${intake.reports.total} in all`}
      summary={intake.reports.total ? `${intake.reports.total} reports in the last 24 hours; the busiest hour began at ${hourLabel(busiest.start)} with ${busiest.total}.` : 'No reports in the last 24 hours.'}
      table={{
        caption: 'Reports per hour by channel',
        columns: ['Hour', ...channels.map(humanize), 'Total'],
        rows: hours.filter((h) => h.total > 0).map((h) => [hourLabel(h.start), ...channels.map((c) => h.byChannel[c]), h.total]),
      }}
    />
  );
}
