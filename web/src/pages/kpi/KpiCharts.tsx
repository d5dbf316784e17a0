// The charts and tables of a month's statistics on the KPI page. Every chart also carries its
// numbers as a hidden table for screen readers (EChart's `table`).
import { Paper, SimpleGrid, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { humanize, PRIORITIES } from '../../api/incidents';
import { formatMinutes, type Count, type Interval, type MonthlyKpis } from '../../api/kpi';
import { EmptyRow } from '../../components/common';
import { EChart } from '../../components/EChart';

// The same hues as the priority badges (red, orange, yellow, gray).
const PRIORITY_HUES: Record<string, string> = { P1: '#e03131', P2: '#f76707', P3: '#f59f00', P4: '#868e96' };
const INTERVALS: { key: Interval; label: string }[] = [
  { key: 'detect', label: 'Detect' }, { key: 'acknowledge', label: 'Acknowledge' }, { key: 'contain', label: 'Contain' }, { key: 'resolve', label: 'Resolve' },
];

function Card({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <Paper withBorder p="md" data-testid={testId}>
      <Title order={3} fz="sm" mb="xs">{title}</Title>
      {children}
    </Paper>
  );
}

function TrendChart({ k }: { k: MonthlyKpis }) {
  const months = k.trend.map((t) => t.month);
  return (
    <EChart
      testId="kpi-trend"
      ariaLabel={`Incidents declared per month by priority, ${months[0]} to ${months.at(-1)}`}
      option={{
        tooltip: { trigger: 'axis' },
        legend: { top: 0 },
        grid: { left: 40, right: 10, top: 30, bottom: 30 },
        xAxis: { type: 'category', data: months },
        yAxis: { type: 'value', minInterval: 1 },
        series: PRIORITIES.map((p) => ({ name: p, type: 'bar', stack: 'all', color: PRIORITY_HUES[p], data: k.trend.map((t) => t.byPriority[p]) })),
      }}
      table={{ caption: 'Incidents declared per month', columns: ['Month', ...PRIORITIES, 'Total'], rows: k.trend.map((t) => [t.month, ...PRIORITIES.map((p) => t.byPriority[p]), t.total]) }}
    />
  );
}

function BreachChart({ k }: { k: MonthlyKpis }) {
  const critical = k.kpis.find((x) => x.measure === 'sla_breach_rate' && x.target && x.params.priorities?.length === 1 && x.params.priorities[0] === 'P1');
  const rates = PRIORITIES.map((p) => k.incidents.sla.byPriority[p]);
  return (
    <EChart
      testId="kpi-breach-chart"
      ariaLabel="Share of the month's incidents with an SLA breach, per priority"
      option={{
        tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (v === null || v === undefined ? 'no incidents' : `${v} %`) },
        grid: { left: 40, right: 10, top: 20, bottom: 30 },
        xAxis: { type: 'category', data: [...PRIORITIES] },
        yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value} %' } },
        series: [{
          type: 'bar', name: 'Breached', data: rates.map((r, i) => ({ value: r.rate, itemStyle: { color: PRIORITY_HUES[PRIORITIES[i]!] } })),
          ...(critical?.target ? { markLine: { symbol: 'none', data: [{ yAxis: critical.target.value, name: 'P1 target' }], label: { position: 'insideEndTop', formatter: `P1 target ${critical.target.value} %` }, lineStyle: { color: '#e03131', type: 'dashed' } } } : {}),
        }],
      }}
      table={{ caption: 'SLA breaches per priority', columns: ['Priority', 'Incidents', 'Breached', 'Rate %'], rows: PRIORITIES.map((p, i) => [p, rates[i]!.incidents, rates[i]!.breached, rates[i]!.rate]) }}
    />
  );
}

function ClassChart({ k }: { k: MonthlyKpis }) {
  const classes = [...k.incidents.byClass].reverse();
  return (
    <EChart
      testId="kpi-class-chart"
      height={Math.max(160, 28 * classes.length + 40)}
      ariaLabel="Incidents by RSIT class"
      option={{
        tooltip: { trigger: 'axis' },
        grid: { left: 150, right: 20, top: 10, bottom: 20 },
        xAxis: { type: 'value', minInterval: 1 },
        yAxis: { type: 'category', data: classes.map((c) => humanize(c.key)) },
        series: [{ type: 'bar', name: 'Incidents', color: '#1c7ed6', data: classes.map((c) => c.count) }],
      }}
      table={{ caption: 'Incidents by RSIT class', columns: ['Class', 'Incidents'], rows: k.incidents.byClass.map((c) => [c.key, c.count]) }}
    />
  );
}

function CountTable({ rows, label, testId, limit = 10, names = humanize }: { rows: Count[]; label: string; testId: string; limit?: number; names?: (k: string) => string }) {
  return (
    <Table data-testid={testId} verticalSpacing={4}>
      <Table.Thead><Table.Tr><Table.Th>{label}</Table.Th><Table.Th ta="right">Incidents</Table.Th></Table.Tr></Table.Thead>
      <Table.Tbody>
        {rows.length === 0 && <EmptyRow colSpan={2}>None</EmptyRow>}
        {rows.slice(0, limit).map((r) => (
          <Table.Tr key={r.key}><Table.Td>{names(r.key)}</Table.Td><Table.Td ta="right">{r.count}</Table.Td></Table.Tr>
        ))}
      </Table.Tbody>
      {rows.length > limit && <Table.Caption>and {rows.length - limit} more</Table.Caption>}
    </Table>
  );
}

function TimesTable({ k }: { k: MonthlyKpis }) {
  const t = k.incidents.times;
  return (
    <Table data-testid="kpi-times" verticalSpacing={4}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Time to</Table.Th><Table.Th ta="right">Incidents</Table.Th><Table.Th ta="right">Mean</Table.Th><Table.Th ta="right">Median</Table.Th>
          {PRIORITIES.map((p) => <Table.Th key={p} ta="right">{p} median</Table.Th>)}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {INTERVALS.map(({ key, label }) => (
          <Table.Tr key={key}>
            <Table.Td>{label}</Table.Td>
            <Table.Td ta="right">{t[key].count}</Table.Td>
            <Table.Td ta="right">{formatMinutes(t[key].meanMinutes)}</Table.Td>
            <Table.Td ta="right">{formatMinutes(t[key].medianMinutes)}</Table.Td>
            {PRIORITIES.map((p) => <Table.Td key={p} ta="right">{formatMinutes(t[key].byPriority[p].medianMinutes)}</Table.Td>)}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function KpiStatistics({ k }: { k: MonthlyKpis }) {
  const s = k.incidents;
  const metrics = Object.entries(s.sla.byMetric).map(([key, count]) => ({ key, count }));
  return (
    <>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Card title="Incidents declared, last twelve months" testId="kpi-trend-card"><TrendChart k={k} /></Card>
        <Card title="SLA breaches by priority" testId="kpi-breach-card">
          <BreachChart k={k} />
          <Text size="xs" c="dimmed">
            {s.sla.breached} of {s.sla.incidents} incidents breached a target
            {metrics.some((m) => m.count) && ` (${metrics.filter((m) => m.count).map((m) => `${humanize(m.key).toLowerCase()}: ${m.count}`).join(', ')})`}.
          </Text>
        </Card>
      </SimpleGrid>
      <Card title="Times (from declaration; detection from the key times)"><TimesTable k={k} /></Card>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Card title="By RSIT class" testId="kpi-class-card">{s.byClass.length ? <ClassChart k={k} /> : <Text size="sm" c="dimmed">No incidents.</Text>}</Card>
        <Card title="By priority">
          <CountTable testId="kpi-by-priority" label="Priority" rows={PRIORITIES.map((p) => ({ key: p, count: s.byPriority[p] }))} />
        </Card>
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        <Card title="By constituent"><CountTable testId="kpi-by-constituent" label="Constituent" rows={s.byConstituent} names={(n) => n} /></Card>
        <Card title="By channel"><CountTable testId="kpi-by-channel" label="Channel" rows={s.byChannel} /></Card>
        <Card title="Closed as"><CountTable testId="kpi-by-resolution" label="Resolution" rows={s.byResolution} /></Card>
      </SimpleGrid>
    </>
  );
}
