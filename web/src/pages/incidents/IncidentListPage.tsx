import { useState } from 'react';
import { Button, Group, MultiSelect, Paper, Select, SimpleGrid, Stack, Switch, Table, Text } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { IconPlus } from '@tabler/icons-react';
import { api, qs } from '../../api/client';
import { incidentPath, OPEN_STATUSES, PRIORITIES, STATUSES, TLPS, humanize, type Incident, type IncidentPage } from '../../api/incidents';
import { hasAnyRole, useMe } from '../../auth/session';
import { EmptyRow, formatDate, PageHeader } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { ExerciseBadge, PriorityBadge, StatusBadge, TlpBadge } from '../../components/incidentBadges';
import { navigate } from '../../router';
import { useRsit } from './ClassificationPicker';
import { DeclareIncidentModal } from './DeclareIncidentModal';

const PAGE_SIZE = 50;
const compact = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

/** A date short enough for a table cell, the full instant on hover. */
function ShortDate({ value }: { value: string }) {
  return <Text span size="sm" title={formatDate(value, true)} style={{ whiteSpace: 'nowrap' }}>{compact.format(new Date(value))}</Text>;
}

interface Filters {
  open: boolean;
  status: string[];
  priority: string[];
  tlp: string[];
  mine: boolean;
  exercise: 'any' | 'true' | 'false';
}

const DEFAULTS: Filters = { open: true, status: [], priority: [], tlp: [], mine: false, exercise: 'any' };

function RolesCell({ incident }: { incident: Incident }) {
  const coordinators = incident.roles.filter((r) => r.role === 'coordinator');
  const others = incident.roles.length - coordinators.length;
  if (incident.roles.length === 0) return <Text span size="sm" c="dimmed">—</Text>;
  return (
    <Text size="sm" style={{ whiteSpace: 'nowrap' }} title={incident.roles.map((r) => `${humanize(r.role)}: ${r.displayName}`).join('\n')}>
      {coordinators.map((r) => r.displayName).join(', ') || '—'}
      {others > 0 && <Text span size="xs" c="dimmed"> +{others}</Text>}
    </Text>
  );
}

export function IncidentListPage() {
  const me = useMe();
  const canDeclare = hasAnyRole(me.user.roles, ['manager', 'handler']);
  const [filters, setFilters] = useState<Filters>(DEFAULTS);
  const [declaring, setDeclaring] = useState(false);
  const { label } = useRsit();
  const set = <K extends keyof Filters>(key: K, value: Filters[K]) => setFilters((f) => ({ ...f, [key]: value }));

  const query = useInfiniteQuery({
    queryKey: ['incidents', 'list', filters],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      api.get<IncidentPage>(`/incidents${qs({
        open: filters.open ? 'true' : undefined,
        status: filters.status.join(','),
        priority: filters.priority.join(','),
        tlp: filters.tlp.join(','),
        roleHolder: filters.mine ? 'me' : undefined,
        exercise: filters.exercise === 'any' ? undefined : filters.exercise,
        limit: PAGE_SIZE,
        cursor: pageParam,
      })}`),
    getNextPageParam: (last) => last.nextCursor,
  });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  const statusOptions = (filters.open ? OPEN_STATUSES : STATUSES).map((s) => ({ value: s, label: humanize(s) }));

  return (
    <Stack gap="md">
      <PageHeader
        title="Incidents"
        description="Incidents shared with you, newest first."
        actions={canDeclare && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setDeclaring(true)} data-testid="incident-declare">Declare incident</Button>
        )}
      />
      <Paper withBorder p="md">
        <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="sm" verticalSpacing="sm">
          <Switch label="Open only" checked={filters.open} mt={28} data-testid="filter-open"
            onChange={(e) => setFilters((f) => ({ ...f, open: e.currentTarget.checked, status: e.currentTarget.checked ? f.status.filter((s) => s !== 'closed') : f.status }))} />
          <Switch label="My incidents" checked={filters.mine} mt={28} onChange={(e) => set('mine', e.currentTarget.checked)} data-testid="filter-mine" />
          <MultiSelect label="Status" placeholder={filters.status.length ? undefined : 'Any'} data={statusOptions} value={filters.status}
            onChange={(v) => set('status', v)} clearable data-testid="filter-status" comboboxProps={{ withinPortal: true }} />
          <MultiSelect label="Priority" placeholder={filters.priority.length ? undefined : 'Any'} data={[...PRIORITIES]} value={filters.priority}
            onChange={(v) => set('priority', v)} clearable data-testid="filter-priority" comboboxProps={{ withinPortal: true }} />
          <MultiSelect label="TLP" placeholder={filters.tlp.length ? undefined : 'Any'} data={TLPS.map((t) => ({ value: t, label: `TLP:${t}` }))}
            value={filters.tlp} onChange={(v) => set('tlp', v)} clearable data-testid="filter-tlp" comboboxProps={{ withinPortal: true }} />
          <Select label="Exercise" allowDeselect={false} value={filters.exercise} onChange={(v) => set('exercise', (v ?? 'any') as Filters['exercise'])}
            data={[{ value: 'any', label: 'Real and exercises' }, { value: 'false', label: 'Real only' }, { value: 'true', label: 'Exercises only' }]}
            data-testid="filter-exercise" comboboxProps={{ withinPortal: true }} />
        </SimpleGrid>
      </Paper>

      <ErrorAlert error={query.error} />
      <Table.ScrollContainer minWidth={1040}>
        <Table highlightOnHover withTableBorder horizontalSpacing="xs" className="vigil-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Reference</Table.Th>
              <Table.Th>Title</Table.Th>
              <Table.Th miw={120}>Status</Table.Th>
              <Table.Th>Priority</Table.Th>
              <Table.Th miw={130}>TLP</Table.Th>
              <Table.Th>Classification</Table.Th>
              <Table.Th>Coordinator</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Updated</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody data-testid="incidents-table">
            {items.length === 0 && <EmptyRow colSpan={9}>{query.isLoading ? 'Loading…' : 'No incidents match.'}</EmptyRow>}
            {items.map((inc) => {
              const primary = inc.classifications.find((c) => c.primary) ?? inc.classifications[0];
              const open = () => navigate(incidentPath(inc.reference));
              return (
                <Table.Tr key={inc.id} onClick={open} style={{ cursor: 'pointer' }} data-reference={inc.reference} data-status={inc.status}
                  tabIndex={0} onKeyDown={(e) => e.key === 'Enter' && open()} aria-label={`${inc.reference} ${inc.title}`}>
                  <Table.Td ff="monospace" fz="sm" style={{ whiteSpace: 'nowrap' }}>{inc.reference}</Table.Td>
                  <Table.Td maw={260}>
                    <Group gap={6} wrap="nowrap">
                      <Text size="sm" fw={500} truncate title={inc.title}>{inc.title}</Text>
                      {inc.exercise && <ExerciseBadge size="xs" />}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={inc.status} />
                    {inc.resolution && <Text size="xs" c="dimmed">{humanize(inc.resolution)}</Text>}
                  </Table.Td>
                  <Table.Td><PriorityBadge priority={inc.priority} /></Table.Td>
                  <Table.Td><TlpBadge tlp={inc.tlp} /></Table.Td>
                  <Table.Td maw={180}>
                    <Text size="sm" truncate title={primary ? label(primary) : undefined}>{primary ? label(primary) : '—'}</Text>
                  </Table.Td>
                  <Table.Td><RolesCell incident={inc} /></Table.Td>
                  <Table.Td><ShortDate value={inc.createdAt} /></Table.Td>
                  <Table.Td><ShortDate value={inc.updatedAt} /></Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="center">
        {query.hasNextPage ? (
          <Button variant="default" loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()} data-testid="incidents-load-more">
            Load more
          </Button>
        ) : (
          items.length > 0 && <Text size="xs" c="dimmed">{items.length} incident{items.length === 1 ? '' : 's'} shown</Text>
        )}
      </Group>
      {canDeclare && <DeclareIncidentModal opened={declaring} onClose={() => setDeclaring(false)} />}
    </Stack>
  );
}
