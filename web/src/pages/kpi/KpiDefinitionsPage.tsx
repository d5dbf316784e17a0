// The KPI definitions: what each KPI measures, its target and whether it is shown. Admins and
// managers create, change and delete them; the KPI page and the reports compute their values.
import { useState } from 'react';
import { Badge, Button, Group, Stack, Table, Text, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { KPI_KEY, targetText, type KpiDefinition } from '../../api/kpi';
import { useMe } from '../../auth/session';
import { hasPermission } from '../../auth/permissions';
import { EmptyRow, PageHeader } from '../../components/common';
import { useConfirm } from '../../components/confirm';
import { ErrorAlert } from '../../components/errors';
import { DefinitionModal } from './DefinitionModal';
import { DEFINITIONS_KEY, definitionsApi, MEASURE_UNITS, measureText, targetShort } from './kpiAdminApi';

export function KpiDefinitionsPage() {
  const me = useMe();
  const canEdit = hasPermission(me, 'kpi.manage');
  const client = useQueryClient();
  const query = useQuery({ queryKey: DEFINITIONS_KEY, queryFn: definitionsApi.list });
  const [editing, setEditing] = useState<KpiDefinition | 'new' | null>(null);
  const [confirmModal, confirm] = useConfirm();
  const items = [...(query.data?.items ?? [])].sort((a, b) => a.position - b.position || a.name.localeCompare(b.name));
  const nextPosition = items.length ? Math.min(100_000, Math.max(...items.map((d) => d.position)) + 10) : 10;
  // DEFINITIONS_KEY lies under KPI_KEY: the computed KPIs are refreshed with the list.
  const refresh = () => client.invalidateQueries({ queryKey: KPI_KEY });

  const remove = (d: KpiDefinition) => confirm({
    title: 'Delete KPI definition', confirmLabel: 'Delete', danger: true,
    message: <>Delete the KPI <strong>{d.name}</strong> ({d.key})? It is no longer computed nor shown in the KPIs and reports. To hide it for a while, disable it instead.</>,
    onConfirm: async () => {
      await definitionsApi.remove(d.id);
      await refresh();
      notifications.show({ color: 'teal', message: `The KPI ${d.name} is deleted.` });
    },
  });

  const cols = canEdit ? 5 : 4;
  return (
    <Stack gap="lg">
      <PageHeader title="KPI definitions"
        description="What each KPI measures and its target. Values are computed from incidents, reports and the team's activities whenever the KPIs are shown; changes apply to past months too."
        actions={canEdit && <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')} data-testid="kpi-def-new">New KPI</Button>} />
      <ErrorAlert error={query.error} />
      <Table withTableBorder verticalSpacing="sm" highlightOnHover data-testid="kpi-def-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Measures</Table.Th>
            <Table.Th w={110}>Target</Table.Th>
            <Table.Th w={100}>Enabled</Table.Th>
            {canEdit && <Table.Th w={190} />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {query.isLoading && <EmptyRow colSpan={cols}>Loading…</EmptyRow>}
          {!query.isLoading && items.length === 0 && <EmptyRow colSpan={cols}>No KPI is defined.</EmptyRow>}
          {items.map((d) => {
            const unit = MEASURE_UNITS[d.measure] ?? 'count';
            const target = d.targetOp !== null && d.targetValue !== null ? { op: d.targetOp, value: d.targetValue } : null;
            return (
              <Table.Tr key={d.id} data-testid="kpi-def-row" data-key={d.key} data-enabled={String(d.enabled)}>
                <Table.Td>
                  <Text size="sm" fw={500} data-testid="kpi-def-name-text">{d.name}</Text>
                  <Text size="xs" c="dimmed" ff="monospace">{d.key}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" data-testid="kpi-def-measure-text">{measureText(d.measure, d.params)}</Text>
                  {d.description && <Text size="xs" c="dimmed" lineClamp={2}>{d.description}</Text>}
                </Table.Td>
                <Table.Td>
                  <Tooltip label={targetText(target, unit)} withArrow disabled={!target}>
                    <Text size="sm" span style={{ whiteSpace: 'nowrap' }} c={target ? undefined : 'dimmed'} data-testid="kpi-def-target">{targetShort(d.targetOp, d.targetValue, unit)}</Text>
                  </Tooltip>
                </Table.Td>
                <Table.Td>
                  <Badge size="sm" variant="light" color={d.enabled ? 'teal' : 'gray'} data-testid="kpi-def-enabled-badge">{d.enabled ? 'enabled' : 'disabled'}</Badge>
                </Table.Td>
                {canEdit && (
                  <Table.Td>
                    <Group gap={6} justify="flex-end" wrap="nowrap">
                      <Button size="compact-sm" variant="light" leftSection={<IconPencil size={14} />} onClick={() => setEditing(d)} data-testid="kpi-def-edit">Edit</Button>
                      <Button size="compact-sm" variant="subtle" color="red" leftSection={<IconTrash size={14} />} onClick={() => remove(d)} data-testid="kpi-def-delete">Delete</Button>
                    </Group>
                  </Table.Td>
                )}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {editing && (
        <DefinitionModal definition={editing === 'new' ? null : editing} nextPosition={nextPosition} onClose={() => setEditing(null)}
          onSaved={(d) => {
            setEditing(null);
            notifications.show({ color: 'teal', message: `The KPI ${d.name} is saved.` });
            void refresh();
          }} />
      )}
      {confirmModal}
    </Stack>
  );
}
