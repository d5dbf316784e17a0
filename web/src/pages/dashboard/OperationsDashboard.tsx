// The live operations dashboard for the team: tiles, open incidents by priority and status, SLA
// clocks at risk, who is on duty and intake of the last 24 hours. Re-read every 30 seconds.
import { Alert, Grid, Group, Loader, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { api } from '../../api/client';
import { DASHBOARD_KEY, DASHBOARD_REFRESH_MS, SEVERITIES, type OperationsDashboard as Data } from '../../api/dashboard';
import { humanize } from '../../api/incidents';
import { formatDate } from '../../components/common';
import { AtRiskTable } from './AtRiskTable';
import { IntakeChart, OpenIncidentsChart } from './charts';
import { OnDutyCard } from './OnDutyCard';
import { SetupChecklist } from './SetupChecklist';

function Tile({ label, value, hint, color, testId }: { label: string; value: number; hint?: ReactNode; color?: string; testId: string }) {
  return (
    <Paper withBorder p="md" data-testid={testId}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>{label}</Text>
      <Text fz={30} fw={700} lh={1.2} c={color} data-testid={`${testId}-value`}>{value.toLocaleString()}</Text>
      {hint && <Text size="xs" c="dimmed">{hint}</Text>}
    </Paper>
  );
}

export function OperationsDashboard() {
  const q = useQuery({
    queryKey: DASHBOARD_KEY,
    queryFn: () => api.get<Data>('/dashboard/operations'),
    refetchInterval: DASHBOARD_REFRESH_MS,
    staleTime: 10_000,
  });
  if (q.isPending) return <Group justify="center" py="xl"><Loader /></Group>;
  if (q.isError) return <Alert color="red" title="The dashboard could not be loaded">{q.error.message}</Alert>;
  const d = q.data;
  const intake = d.intake;
  return (
    <Stack gap="lg" data-testid="operations-dashboard">
      {!d.setup.complete && <SetupChecklist setup={d.setup} />}
      <Group justify="space-between" align="baseline">
        <Title order={2} fz="lg">Operations</Title>
        <Text size="xs" c="dimmed" data-testid="dashboard-updated">
          Updated {formatDate(d.at, true)} · refreshes every {DASHBOARD_REFRESH_MS / 1000} s{q.isFetching ? ' · updating…' : ''}
        </Text>
      </Group>
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="md">
        <Tile testId="tile-open" label="Open incidents" value={d.open.total} hint={d.open.exercise ? `and ${d.open.exercise} exercise${d.open.exercise === 1 ? '' : 's'}` : 'exercises not counted'} />
        <Tile testId="tile-p1" label="Open P1" value={d.open.byPriority.P1} color={d.open.byPriority.P1 ? 'red' : undefined} hint={`P2 ${d.open.byPriority.P2}`} />
        <Tile testId="tile-at-risk" label="SLA at risk" value={d.slaAtRisk.total} color={d.slaAtRisk.total ? 'orange' : undefined} hint="past their warning time" />
        <Tile testId="tile-breached" label="SLA breached" value={d.slaAtRisk.breached} color={d.slaAtRisk.breached ? 'red' : undefined} hint="past their deadline" />
        {intake && <Tile testId="tile-reports" label="Reports, 24 h" value={intake.reports.total} hint={`${intake.alerts.total} alerts`} />}
        {intake?.unparsed && (
          <Tile testId="tile-unparsed" label="Unparsed intake" value={intake.unparsed.pending + intake.unparsed.failed}
            color={intake.unparsed.failed ? 'red' : undefined} hint={`${intake.unparsed.failed} failed`} />
        )}
      </SimpleGrid>
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, lg: d.onDuty ? 8 : 12 }}>
          <Paper withBorder p="lg" h="100%">
            <Title order={3} fz="md" mb="xs">Open incidents by priority and status</Title>
            <OpenIncidentsChart open={d.open} />
          </Paper>
        </Grid.Col>
        {d.onDuty && <Grid.Col span={{ base: 12, lg: 4 }}><OnDutyCard onDuty={d.onDuty} /></Grid.Col>}
      </Grid>
      <Paper withBorder p="lg">
        <Title order={3} fz="md" mb="xs">SLA clocks at risk</Title>
        <AtRiskTable clocks={d.slaAtRisk.clocks} total={d.slaAtRisk.total} />
      </Paper>
      {intake && (
        <Paper withBorder p="lg">
          <Group justify="space-between" align="baseline" mb="xs">
            <Title order={3} fz="md">Intake, last 24 hours</Title>
            <Group gap="md" data-testid="alerts-by-severity">
              <Text size="xs" c="dimmed">Alerts:</Text>
              {SEVERITIES.map((s) => <Text key={s} size="xs">{humanize(s)} <b>{intake.alerts.bySeverity[s]}</b></Text>)}
            </Group>
          </Group>
          <IntakeChart intake={intake} />
        </Paper>
      )}
    </Stack>
  );
}
