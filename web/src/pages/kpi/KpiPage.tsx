// The monthly KPI page: each KPI against its target (met or missed) with the month before, then the
// month's statistics and charts. Everything is computed by the server from the recorded events.
import { Alert, Anchor, Badge, Button, Group, Menu, NativeSelect, Paper, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconArrowDownRight, IconArrowUpRight, IconDownload, IconInfoCircle } from '@tabler/icons-react';
import { useMemo, useState, type ReactNode } from 'react';
import { api, qs } from '../../api/client';
import { ACTIVITY_LABELS, formatValue, monthlyKey, targetText, type KpiValue, type MonthlyKpis } from '../../api/kpi';
import { useMe } from '../../auth/session';
import { hasPermission } from '../../auth/permissions';
import { DateText, PageHeader } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { Link } from '../../router';
import { monthlyReportUrl } from '../../api/kpiReports';
import { KpiStatistics } from './KpiCharts';
import { ReportsSection } from './ReportsSection';

const pad = (n: number) => String(n).padStart(2, '0');
/** This month and the 23 before it, newest first, as YYYY-MM (the browser's calendar; the server counts in the team's zone). */
function recentMonths(now = new Date()): string[] {
  return Array.from({ length: 24 }, (_, i) => {
    const d = new Date(now.getFullYear(), now.getMonth() - i, 1);
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}`;
  });
}
const monthName = (m: string) => new Date(`${m}-15T12:00:00Z`).toLocaleDateString('en', { month: 'long', year: 'numeric', timeZone: 'UTC' });

function MetBadge({ k }: { k: KpiValue }) {
  if (k.value === null) return <Badge variant="light" color="gray" miw="max-content" data-testid="kpi-met">No data</Badge>;
  if (k.met === null) return <Badge variant="light" color="gray" miw="max-content" data-testid="kpi-met">No target</Badge>;
  return k.met
    ? <Badge variant="filled" color="teal" miw="max-content" data-testid="kpi-met">Target met</Badge>
    : <Badge variant="filled" color="red" miw="max-content" data-testid="kpi-met">Target missed</Badge>;
}

function Delta({ k, before }: { k: KpiValue; before: { value: number | null } | undefined }) {
  if (!before || before.value === null || k.value === null) return <Text size="xs" c="dimmed">Last month: {formatValue(before?.value ?? null, k.unit)}</Text>;
  const diff = k.value - before.value;
  if (diff === 0) return <Text size="xs" c="dimmed">Same as last month</Text>;
  const Icon = diff > 0 ? IconArrowUpRight : IconArrowDownRight;
  return (
    <Group gap={4}>
      <Icon size={14} aria-hidden />
      <Text size="xs" c="dimmed">Last month: {formatValue(before.value, k.unit)}</Text>
    </Group>
  );
}

function KpiCard({ k, before }: { k: KpiValue; before: { value: number | null } | undefined }) {
  const border = k.met === false ? 'var(--mantine-color-red-6)' : k.met ? 'var(--mantine-color-teal-6)' : undefined;
  return (
    <Paper withBorder p="md" data-testid={`kpi-card-${k.key}`} style={border ? { borderLeft: `4px solid ${border}` } : undefined}>
      <Group justify="space-between" align="flex-start" wrap="nowrap" mb={4}>
        <Text fw={600} size="sm">{k.name}</Text>
        <MetBadge k={k} />
      </Group>
      <Text fz={28} fw={700} lh={1.2} data-testid="kpi-value">{formatValue(k.value, k.unit)}</Text>
      <Text size="xs" c="dimmed">
        Target: {targetText(k.target, k.unit)}
        {k.sample !== null && ` · over ${k.sample} ${k.measure === 'false_positive_rate' ? 'reports' : 'incidents'}`}
      </Text>
      <Delta k={k} before={before} />
      {k.description && <Text size="xs" mt={6}>{k.description}</Text>}
    </Paper>
  );
}

function Tile({ label, value, hint, testId }: { label: string; value: ReactNode; hint?: ReactNode; testId: string }) {
  return (
    <Paper withBorder p="sm" data-testid={testId}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>{label}</Text>
      <Text fz={22} fw={700}>{value}</Text>
      {hint && <Text size="xs" c="dimmed">{hint}</Text>}
    </Paper>
  );
}

function Downloads({ month }: { month: string }) {
  const link = (path: string, params: Record<string, string>) => `/api/v1${path}${qs(params)}`;
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button variant="default" leftSection={<IconDownload size={16} />} data-testid="kpi-downloads">Download</Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Monthly report</Menu.Label>
        <Menu.Item component="a" href={monthlyReportUrl(month, 'pdf')} data-testid="kpi-report-pdf">PDF</Menu.Item>
        <Menu.Item component="a" href={monthlyReportUrl(month, 'html')} target="_blank" rel="noopener">HTML</Menu.Item>
        <Menu.Label>Statistics</Menu.Label>
        <Menu.Item component="a" href={link('/kpi/monthly/export', { month, format: 'csv' })} data-testid="kpi-export-csv">CSV</Menu.Item>
        <Menu.Item component="a" href={link('/kpi/monthly/export', { month, format: 'json' })}>JSON</Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

export function KpiPage() {
  const me = useMe();
  const months = useMemo(() => recentMonths(), []);
  const [month, setMonth] = useState(months[0]!);
  const q = useQuery({ queryKey: monthlyKey(month), queryFn: () => api.get<MonthlyKpis>(`/kpi/monthly${qs({ month })}`) });
  const k = q.data;
  const before = new Map(k?.previous?.kpis.map((p) => [p.key, p]) ?? []);
  const targets = k?.kpis.filter((x) => x.met !== null) ?? [];
  const missed = targets.filter((x) => x.met === false).length;

  return (
    <Stack gap="md">
      <PageHeader
        title="KPIs and statistics"
        description="Computed on request from the recorded events of the incidents declared in the month, the reports received and the team's activities. Exercises and duplicates never count."
        actions={(
          <Group gap="xs">
            <NativeSelect aria-label="Month" data={months.map((m) => ({ value: m, label: monthName(m) }))} value={month}
              onChange={(e) => setMonth(e.currentTarget.value)} data-testid="kpi-month" />
            <Downloads month={month} />
          </Group>
        )}
      />
      <ErrorAlert error={q.error} />
      {k?.scope === 'visible' && (
        <Alert color="blue" icon={<IconInfoCircle />} data-testid="kpi-scope">
          These figures cover only the incidents you may see: TLP:RED and TLP:AMBER+STRICT incidents you hold no role in are left out.
        </Alert>
      )}
      {!k ? <Skeleton h={300} /> : (
        <>
          <Text size="sm" c="dimmed" data-testid="kpi-period">
            {monthName(k.period.label)} in {k.period.timeZone}: <DateText value={k.period.from} /> to <DateText value={k.period.to} />.
            {targets.length > 0 && ` ${targets.length - missed} of ${targets.length} targets met.`}
            {hasPermission(me, 'kpi.manage') && <> <Anchor component={Link} href="/kpi/definitions" size="sm">Edit KPIs and targets</Anchor></>}
          </Text>
          <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }}>
            <Tile testId="kpi-tile-declared" label="Declared" value={k.incidents.declared} hint={`${k.incidents.excluded.exercises} exercises, ${k.incidents.excluded.duplicates} duplicates left out`} />
            <Tile testId="kpi-tile-open" label="Still open" value={k.incidents.open} />
            <Tile testId="kpi-tile-closed" label="Closed" value={k.incidents.closed} />
            <Tile testId="kpi-tile-reopened" label="Reopened" value={k.incidents.reopened} />
            <Tile testId="kpi-tile-reports" label="Reports received" value={k.reports?.received ?? '—'}
              hint={k.reports ? `${k.reports.falsePositives} false positives of ${k.reports.decided} decided` : 'not visible to you'} />
            <Tile testId="kpi-tile-activities" label="Team activities" value={k.activities.items.length}
              hint={Object.entries(k.activities.byKind).filter(([, n]) => n).map(([kind, n]) => `${n} ${ACTIVITY_LABELS[kind as keyof typeof ACTIVITY_LABELS].toLowerCase()}`).join(', ') || 'none recorded'} />
          </SimpleGrid>
          <Title order={2} fz="lg">KPIs</Title>
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} data-testid="kpi-cards">
            {k.kpis.map((x) => <KpiCard key={x.key} k={x} before={before.get(x.key)} />)}
          </SimpleGrid>
          <Title order={2} fz="lg">Statistics</Title>
          <KpiStatistics k={k} />
          <Group justify="space-between">
            <Title order={2} fz="lg">Team activities this month</Title>
            <Anchor component={Link} href="/activities" size="sm">All activities</Anchor>
          </Group>
          <Paper withBorder p="md" data-testid="kpi-activities">
            {k.activities.items.length === 0 ? <Text size="sm" c="dimmed">No activity recorded this month.</Text> : (
              <Stack gap={4}>
                {k.activities.items.map((a) => (
                  <Text key={a.id} size="sm"><DateText value={a.startsAt} /> · <strong>{ACTIVITY_LABELS[a.kind]}</strong>: {a.title}{a.constituentName ? ` (${a.constituentName})` : ''}</Text>
                ))}
              </Stack>
            )}
          </Paper>
          <Title order={2} fz="lg">Reports</Title>
          <ReportsSection />
        </>
      )}
    </Stack>
  );
}
