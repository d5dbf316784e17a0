// The team's activities of a year: constituency meetings, awareness campaigns, trainings, exercises
// and others, counted per kind. Handlers, managers and admins record them; viewers read them. They
// feed the activity KPIs and the annual report.
import { useState } from 'react';
import { Badge, Button, Group, Paper, Select, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { ACTIVITIES_KEY, ACTIVITY_KINDS, ACTIVITY_LABELS, KPI_KEY, type Activity, type ActivityKind } from '../../api/kpi';
import { useMe } from '../../auth/session';
import { hasPermission } from '../../auth/permissions';
import { EmptyRow, formatDate, PageHeader } from '../../components/common';
import { useConfirm } from '../../components/confirm';
import { ErrorAlert } from '../../components/errors';
import { TlpBadge } from '../../components/incidentBadges';
import { ActivityModal } from './ActivityModal';
import { activitiesApi, activitiesKey } from './kpiAdminApi';

export const KIND_COLORS: Record<ActivityKind, string> = {
  constituency_meeting: 'blue', awareness_campaign: 'orange', training: 'teal', exercise: 'grape', other: 'gray',
};

export function KindBadge({ kind }: { kind: ActivityKind }) {
  return <Badge size="sm" variant="light" color={KIND_COLORS[kind] ?? 'gray'} miw="max-content" data-testid="activity-kind-badge">{ACTIVITY_LABELS[kind] ?? kind}</Badge>;
}

const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** "12 Mar 2026, 10:00 – 12:00", or both full dates when it spans days. */
export function dateRange(startsAt: string, endsAt: string | null): string {
  if (!endsAt) return formatDate(startsAt);
  const s = new Date(startsAt);
  const e = new Date(endsAt);
  return dayFormat.format(s) === dayFormat.format(e) ? `${formatDate(startsAt)} – ${timeFormat.format(e)}` : `${formatDate(startsAt)} – ${formatDate(endsAt)}`;
}

export function ActivitiesPage() {
  const me = useMe();
  const canRecord = hasPermission(me, 'activity.record');
  const client = useQueryClient();
  const thisYear = new Date().getFullYear();
  const [year, setYear] = useState(thisYear);
  const query = useQuery({ queryKey: activitiesKey(year), queryFn: () => activitiesApi.year(year) });
  const [editing, setEditing] = useState<Activity | 'new' | null>(null);
  const [confirmModal, confirm] = useConfirm();
  const items = [...(query.data?.items ?? [])].sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.title.localeCompare(b.title));
  const counts = Object.fromEntries(ACTIVITY_KINDS.map((k) => [k, items.filter((a) => a.kind === k).length])) as Record<ActivityKind, number>;
  const years = Array.from({ length: 8 }, (_, i) => String(thisYear + 1 - i));

  // The activities feed the KPIs: both are stale after a change.
  const refresh = () => Promise.all([client.invalidateQueries({ queryKey: ACTIVITIES_KEY }), client.invalidateQueries({ queryKey: KPI_KEY })]);

  const remove = (a: Activity) => confirm({
    title: 'Delete activity', confirmLabel: 'Delete', danger: true,
    message: <>Delete the {ACTIVITY_LABELS[a.kind].toLowerCase()} <strong>{a.title}</strong> of {formatDate(a.startsAt)}? It no longer counts in the KPIs and reports.</>,
    onConfirm: async () => {
      await activitiesApi.remove(a.id);
      await refresh();
      notifications.show({ color: 'teal', message: `${a.title} is deleted.` });
    },
  });

  const cols = canRecord ? 7 : 6;
  return (
    <Stack gap="lg">
      <PageHeader title="Team activities"
        description="Constituency meetings, awareness campaigns, trainings and exercises. They count in the activity KPIs and the annual report. Dates are in your time zone."
        actions={(
          <>
            <Select aria-label="Year" w={110} data={years} value={String(year)} allowDeselect={false}
              onChange={(v) => v && setYear(Number(v))} comboboxProps={{ withinPortal: true }} data-testid="activity-year" />
            {canRecord && <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')} data-testid="activity-new">Record activity</Button>}
          </>
        )} />
      <ErrorAlert error={query.error} />
      <SimpleGrid cols={{ base: 2, sm: 5 }} spacing="sm" data-testid="activity-counts">
        {ACTIVITY_KINDS.map((k) => (
          <Paper key={k} withBorder p="sm" data-testid="activity-count" data-kind={k}>
            <Text size="xs" c="dimmed">{ACTIVITY_LABELS[k]}</Text>
            <Text fz={24} fw={600} data-testid="activity-count-value">{query.isLoading ? '…' : counts[k]}</Text>
          </Paper>
        ))}
      </SimpleGrid>
      <Table withTableBorder verticalSpacing="sm" highlightOnHover data-testid="activity-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When</Table.Th>
            <Table.Th>Kind</Table.Th>
            <Table.Th miw={220}>Title</Table.Th>
            <Table.Th>Constituent</Table.Th>
            <Table.Th ta="right">Participants</Table.Th>
            <Table.Th>TLP</Table.Th>
            {canRecord && <Table.Th w={190} />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {query.isLoading && <EmptyRow colSpan={cols}>Loading…</EmptyRow>}
          {!query.isLoading && items.length === 0 && <EmptyRow colSpan={cols}>No activity recorded in {year}.</EmptyRow>}
          {items.map((a) => (
            <Table.Tr key={a.id} data-testid="activity-row" data-title={a.title} data-kind={a.kind}>
              <Table.Td style={{ whiteSpace: 'nowrap' }} title={`${a.startsAt}${a.endsAt ? ` – ${a.endsAt}` : ''}`}>
                <Text span size="sm" data-testid="activity-when">{dateRange(a.startsAt, a.endsAt)}</Text>
              </Table.Td>
              <Table.Td><KindBadge kind={a.kind} /></Table.Td>
              <Table.Td>
                <Text size="sm" fw={500} data-testid="activity-title-text">{a.title}</Text>
                {a.description && <Text size="xs" c="dimmed" lineClamp={2}>{a.description}</Text>}
              </Table.Td>
              <Table.Td><Text size="sm" c={a.constituentName ? undefined : 'dimmed'} data-testid="activity-constituent-name">{a.constituentName ?? '—'}</Text></Table.Td>
              <Table.Td ta="right"><Text size="sm" data-testid="activity-participants-text">{a.participants ?? '—'}</Text></Table.Td>
              <Table.Td><TlpBadge tlp={a.tlp} data-testid="activity-tlp-badge" /></Table.Td>
              {canRecord && (
                <Table.Td>
                  <Group gap={6} justify="flex-end" wrap="nowrap">
                    <Button size="compact-sm" variant="light" leftSection={<IconPencil size={14} />} onClick={() => setEditing(a)} data-testid="activity-edit">Edit</Button>
                    <Button size="compact-sm" variant="subtle" color="red" leftSection={<IconTrash size={14} />} onClick={() => remove(a)} data-testid="activity-delete">Delete</Button>
                  </Group>
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {editing && (
        <ActivityModal activity={editing === 'new' ? null : editing} onClose={() => setEditing(null)}
          onSaved={(a) => {
            setEditing(null);
            notifications.show({ color: 'teal', message: `${a.title} is saved.` });
            const y = new Date(a.startsAt).getFullYear();
            if (y !== year && y >= thisYear - 6 && y <= thisYear + 1) setYear(y);
            void refresh();
          }} />
      )}
      {confirmModal}
    </Stack>
  );
}
