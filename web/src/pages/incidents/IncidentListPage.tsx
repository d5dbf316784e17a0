import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Alert, Autocomplete, Button, Checkbox, Group, Modal, MultiSelect, Paper, Select, SimpleGrid, Stack, Switch, Table, Text, TextInput } from '@mantine/core';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconPlus, IconSearch, IconUserCheck, IconUserMinus } from '@tabler/icons-react';
import { api, qs } from '../../api/client';
import type { Answer } from '../../api/schema';
import {
  INCIDENTS_KEY, incidentKey, incidentPath, OPEN_STATUSES, PRIORITIES, STATUSES, TLPS, humanize, type Assignee, type Incident,
} from '../../api/incidents';
import { useMe } from '../../auth/session';
import { hasPermission } from '../../auth/permissions';
import { EmptyRow, formatDate, PageHeader } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { useAction } from '../../components/useAction';
import { ExerciseBadge, PriorityBadge, StatusBadge, TlpBadge } from '../../components/incidentBadges';
import { navigate, useSearch } from '../../router';
import type { ConstituentSummary } from '../constituents/constituentsApi';
import { useRsit } from './ClassificationPicker';
import { DEFAULTS, filtersSearch, parseFilters, type Filters } from './incidentFilters';
import { DeclareIncidentModal } from './DeclareIncidentModal';
import { TeamMemberSelect } from '../../components/TeamMemberSelect';

const PAGE_SIZE = 50;
const compact = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

/** A date short enough for a table cell, the full instant on hover. */
function ShortDate({ value }: { value: string }) {
  return <Text span size="sm" title={formatDate(value, true)} style={{ whiteSpace: 'nowrap' }}>{compact.format(new Date(value))}</Text>;
}

/**
 * A text filter typed into a box: shown as typed, put into the URL a moment after the typing stops
 * (or at once with `flush`), and replaced when the URL changes otherwise (reset, back).
 */
function useDraft(value: string, commit: (v: string) => void, ms = 350) {
  const [draft, setDraft] = useState(value);
  const sent = useRef(value);
  useEffect(() => {
    if (value !== sent.current.trim()) {
      sent.current = value;
      setDraft(value);
    }
  }, [value]);
  useEffect(() => {
    if (draft === sent.current) return undefined;
    const t = setTimeout(() => {
      sent.current = draft;
      commit(draft);
    }, ms);
    return () => clearTimeout(t);
  }, [draft]); // eslint-disable-line react-hooks/exhaustive-deps
  const flush = () => {
    sent.current = draft;
    commit(draft);
  };
  return [draft, setDraft, flush] as const;
}
const SORTS = [
  { value: 'newest', label: 'Newest first' }, { value: 'oldest', label: 'Oldest first' },
  { value: 'updated', label: 'Recently updated' }, { value: 'priority', label: 'Priority' },
];

/** A yyyy-mm-dd date input as the instant its day starts (local time); `nextDay` for an inclusive "to". */
function dayStart(value: string, nextDay = false): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const d = new Date(`${value}T00:00:00`);
  if (nextDay) d.setDate(d.getDate() + 1);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Assigns incidents (all or none) to a handler or manager picked from the team, or unassigns them. */
export function AssignModal({ incidents, onClose, onDone }: {
  incidents: readonly Incident[];
  onClose: () => void;
  onDone: (items: Incident[], to: Assignee | null) => void;
}) {
  const me = useMe();
  const client = useQueryClient();
  const [userId, setUserId] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const mayTake = hasPermission(me, 'incident.update');
  const n = incidents.length;

  const assign = async (to: string | null) => {
    await run(async () => {
      const res = await api.post<Answer<'incidents.assign'>>('/incidents/assign', { incidents: incidents.map((i) => i.id), assigneeId: to });
      for (const inc of res.items) client.setQueryData(incidentKey(inc.reference), inc);
      void client.invalidateQueries({ queryKey: INCIDENTS_KEY, predicate: (q) => q.queryKey[1] !== 'one' });
      onDone(res.items, res.items[0]?.assignee ?? null);
      onClose();
    });
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (userId) void assign(userId);
  };

  return (
    <Modal opened onClose={() => !busy && onClose()} size="md"
      title={<Text fw={600}>Assign {n === 1 ? incidents[0]!.reference : `${n} incidents`}</Text>}>
      <form onSubmit={submit}>
        <Stack gap="sm">
          {n > 1 && <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>{incidents.map((i) => i.reference).join(', ')}</Text>}
          <TeamMemberSelect label="Assign to" placeholder="A handler or manager" roles={['handler', 'manager']} value={userId} onChange={setUserId}
            data-autofocus data-testid="assign-user" nothingFoundMessage="No such handler or manager" />
          <ErrorAlert error={error} />
          <Group justify="space-between">
            <Group gap="xs">
              {mayTake && (
                <Button variant="light" leftSection={<IconUserCheck size={16} />} disabled={busy} onClick={() => void assign(me.user.id)} data-testid="assign-me">
                  Assign to me
                </Button>
              )}
              <Button variant="subtle" color="gray" leftSection={<IconUserMinus size={16} />} disabled={busy} onClick={() => void assign(null)} data-testid="assign-none">
                Unassign
              </Button>
            </Group>
            <Group gap="xs">
              <Button variant="default" onClick={onClose} disabled={busy}>Cancel</Button>
              <Button type="submit" loading={busy} disabled={!userId} data-testid="assign-submit">Assign</Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

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

/** The bar over the list while incidents are ticked: assign them, unassign them, and what came of it. */
function BulkBar({ ticked, onClear, onOutcome }: {
  ticked: Incident[];
  onClear: () => void;
  onOutcome: (o: { text: string } | { error: unknown }) => void;
}) {
  const client = useQueryClient();
  const [assigning, setAssigning] = useState(false);
  const [busy, setBusy] = useState(false);
  const n = ticked.length;
  const label = `${n} incident${n === 1 ? '' : 's'}`;
  const unassign = async () => {
    setBusy(true);
    try {
      await api.post('/incidents/assign', { incidents: ticked.map((i) => i.id), assigneeId: null });
      await client.invalidateQueries({ queryKey: INCIDENTS_KEY });
      onOutcome({ text: `Unassigned ${label}.` });
      onClear();
    } catch (error) {
      onOutcome({ error });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Paper withBorder p="xs" bg="dark.6" data-testid="bulk-bar">
      <Group gap="sm">
        <Text size="sm" fw={500}>{label} ticked</Text>
        <Button size="compact-sm" leftSection={<IconUserCheck size={14} />} onClick={() => setAssigning(true)} data-testid="bulk-assign">Assign to…</Button>
        <Button size="compact-sm" variant="light" color="gray" leftSection={<IconUserMinus size={14} />} loading={busy} onClick={() => void unassign()}
          data-testid="bulk-unassign">Unassign</Button>
        <Button size="compact-sm" variant="subtle" color="gray" onClick={onClear}>Clear</Button>
      </Group>
      {assigning && (
        <AssignModal incidents={ticked} onClose={() => setAssigning(false)}
          onDone={(items, to) => {
            onOutcome({ text: to ? `Assigned ${items.length} incident${items.length === 1 ? '' : 's'} to ${to.displayName}.` : `Unassigned ${label}.` });
            onClear();
          }} />
      )}
    </Paper>
  );
}

export function IncidentListPage() {
  const me = useMe();
  const canDeclare = hasPermission(me, 'incident.create');
  const canAssign = canDeclare;
  const search = useSearch();
  const filters = useMemo(() => parseFilters(search), [search]);
  // The filters live in the URL: each change replaces it (reload, back and a shared link keep them).
  const setFilters = (next: Filters | ((f: Filters) => Filters)) => {
    const current = parseFilters(window.location.search);
    navigate(`/incidents${filtersSearch(typeof next === 'function' ? next(current) : next)}`, { replace: true, keepScroll: true });
  };
  const [declaring, setDeclaring] = useState(false);
  const [ticked, setTicked] = useState<Set<string>>(new Set());
  const [outcome, setOutcome] = useState<{ text: string } | { error: unknown } | null>(null);
  const { label, classes } = useRsit();
  const set = <K extends keyof Filters>(key: K, value: Filters[K]) => setFilters((f) => ({ ...f, [key]: value }));
  const [q, setQ, flushQ] = useDraft(filters.q, (v) => set('q', v));
  const [constituent, setConstituent, flushConstituent] = useDraft(filters.constituent, (v) => set('constituent', v));
  const constituents = useQuery({
    queryKey: ['constituents', 'names', constituent.trim()],
    queryFn: () => api.get<ConstituentSummary[]>(`/constituents${qs({ q: constituent.trim(), limit: 20 })}`),
    enabled: constituent.trim().length > 0,
    staleTime: 60_000,
    retry: false,
  });
  const constituentNames = [...new Set((constituents.data ?? []).map((c) => c.name))];
  const classOptions = classes.map((c) => ({ value: c.value, label: c.label }));
  const typeOptions = (classes.find((c) => c.value === filters.cls)?.types ?? []).map((t) => ({ value: t.value, label: t.label }));

  const query = useInfiniteQuery({
    queryKey: ['incidents', 'list', filters],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      api.get<Answer<'incidents.list'>>(`/incidents${qs({
        q: filters.q.trim() || undefined,
        open: filters.open ? 'true' : undefined,
        class: filters.cls || undefined,
        type: filters.type || undefined,
        constituent: filters.constituent.trim() || undefined,
        status: filters.status.join(','),
        priority: filters.priority.join(','),
        tlp: filters.tlp.join(','),
        roleHolder: filters.mine ? 'me' : undefined,
        exercise: filters.exercise === 'any' ? undefined : filters.exercise,
        assignee: filters.assignee === 'any' ? undefined : filters.assignee,
        createdFrom: dayStart(filters.createdFrom),
        createdTo: dayStart(filters.createdTo, true),
        sort: filters.sort === 'newest' ? undefined : filters.sort,
        limit: PAGE_SIZE,
        cursor: pageParam,
      })}`),
    getNextPageParam: (last) => last.nextCursor,
  });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  const tickedItems = items.filter((i) => ticked.has(i.id));
  const allTicked = items.length > 0 && tickedItems.length === items.length;
  const statusOptions = (filters.open ? OPEN_STATUSES : STATUSES).map((s) => ({ value: s, label: humanize(s) }));
  const cols = canAssign ? 11 : 10;
  const toggle = (id: string) => setTicked((t) => {
    const n = new Set(t);
    if (n.has(id)) n.delete(id);
    else n.add(id);
    return n;
  });
  const sortLabel = SORTS.find((s) => s.value === filters.sort)?.label.toLowerCase() ?? 'newest first';

  return (
    <Stack gap="md">
      <PageHeader
        title="Incidents"
        description={`Incidents shared with you, ${sortLabel}.`}
        actions={canDeclare && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setDeclaring(true)} data-testid="incident-declare">Declare incident</Button>
        )}
      />
      <Paper withBorder p="md">
        <form role="search" aria-label="Search incidents" onSubmit={(e) => { e.preventDefault(); flushQ(); }}>
          <TextInput label="Search" placeholder="Words in titles, summaries, notes and reports" leftSection={<IconSearch size={16} aria-hidden />}
            value={q} onChange={(e) => setQ(e.currentTarget.value)} onBlur={flushQ} type="search" maxLength={500} mb="sm" data-testid="filter-q" />
        </form>
        <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} spacing="sm" verticalSpacing="sm">
          <Stack gap={6} mt={4} justify="center">
            <Switch label="Open only" checked={filters.open} data-testid="filter-open"
              onChange={(e) => { const openOnly = e.currentTarget.checked; setFilters((f) => ({ ...f, open: openOnly, status: openOnly ? f.status.filter((s) => s !== 'closed') : f.status })); }} />
            <Switch label="My roles" checked={filters.mine} onChange={(e) => set('mine', e.currentTarget.checked)} data-testid="filter-mine"
              title="Incidents where I hold a role" />
          </Stack>
          <MultiSelect label="Status" placeholder={filters.status.length ? undefined : 'Any'} data={statusOptions} value={filters.status}
            onChange={(v) => set('status', v)} clearable data-testid="filter-status" comboboxProps={{ withinPortal: true }} />
          <MultiSelect label="Priority" placeholder={filters.priority.length ? undefined : 'Any'} data={[...PRIORITIES]} value={filters.priority}
            onChange={(v) => set('priority', v)} clearable data-testid="filter-priority" comboboxProps={{ withinPortal: true }} />
          <MultiSelect label="TLP" placeholder={filters.tlp.length ? undefined : 'Any'} data={TLPS.map((t) => ({ value: t, label: `TLP:${t}` }))}
            value={filters.tlp} onChange={(v) => set('tlp', v)} clearable data-testid="filter-tlp" comboboxProps={{ withinPortal: true }} />
          <Select label="Class" placeholder="Any" data={classOptions} value={filters.cls || null} clearable searchable
            onChange={(v) => setFilters((f) => ({ ...f, cls: v ?? '', type: '' }))} data-testid="filter-class" comboboxProps={{ withinPortal: true }} />
          <Select label="Type" placeholder="Any" data={typeOptions} value={filters.type || null} clearable searchable disabled={!filters.cls}
            onChange={(v) => set('type', v ?? '')} data-testid="filter-type" comboboxProps={{ withinPortal: true }} />
          <Autocomplete label="Constituent" placeholder="Any" data={constituentNames} value={constituent} onChange={setConstituent}
            onOptionSubmit={(v) => { setConstituent(v); set('constituent', v); }} onBlur={flushConstituent} maxLength={200}
            data-testid="filter-constituent" comboboxProps={{ withinPortal: true }} />
          <Select label="Exercise" allowDeselect={false} value={filters.exercise} onChange={(v) => set('exercise', (v ?? 'any') as Filters['exercise'])}
            data={[{ value: 'any', label: 'Real and exercises' }, { value: 'false', label: 'Real only' }, { value: 'true', label: 'Exercises only' }]}
            data-testid="filter-exercise" comboboxProps={{ withinPortal: true }} />
          <Select label="Assignee" allowDeselect={false} value={filters.assignee} onChange={(v) => set('assignee', (v ?? 'any') as Filters['assignee'])}
            data={[{ value: 'any', label: 'Anyone' }, { value: 'me', label: 'Assigned to me' }, { value: 'none', label: 'Unassigned' }]}
            data-testid="filter-assignee" comboboxProps={{ withinPortal: true }} />
          <TextInput label="Created from" type="date" value={filters.createdFrom} onChange={(e) => set('createdFrom', e.currentTarget.value)}
            data-testid="filter-created-from" />
          <TextInput label="Created to" type="date" value={filters.createdTo} onChange={(e) => set('createdTo', e.currentTarget.value)}
            data-testid="filter-created-to" />
          <Select label="Sort" allowDeselect={false} value={filters.sort} onChange={(v) => set('sort', (v ?? 'newest') as Filters['sort'])}
            data={SORTS} data-testid="filter-sort" comboboxProps={{ withinPortal: true }} />
          <Group mt={24} justify="flex-end">
            <Button variant="subtle" color="gray" size="compact-sm" onClick={() => setFilters(DEFAULTS)}
              disabled={filtersSearch(filters) === ''} data-testid="filter-reset">Reset filters</Button>
          </Group>
        </SimpleGrid>
      </Paper>

      {canAssign && tickedItems.length > 0 && (
        <BulkBar ticked={tickedItems} onClear={() => setTicked(new Set())} onOutcome={setOutcome} />
      )}
      {outcome && ('error' in outcome ? <ErrorAlert error={outcome.error} title="Nothing was assigned" /> : (
        <Alert color="teal" variant="light" p="xs" withCloseButton onClose={() => setOutcome(null)} data-testid="assign-outcome">
          <Text size="sm">{outcome.text}</Text>
        </Alert>
      ))}
      <ErrorAlert error={query.error} />
      <Table.ScrollContainer minWidth={1140}>
        <Table highlightOnHover withTableBorder horizontalSpacing="xs" className="vigil-table">
          <Table.Thead>
            <Table.Tr>
              {canAssign && (
                <Table.Th w={36}>
                  <Checkbox size="xs" aria-label="Tick all incidents on the page" checked={allTicked} data-testid="incidents-tick-all"
                    indeterminate={tickedItems.length > 0 && !allTicked}
                    onChange={() => setTicked(allTicked ? new Set() : new Set(items.map((i) => i.id)))} />
                </Table.Th>
              )}
              <Table.Th>Reference</Table.Th>
              <Table.Th>Title</Table.Th>
              <Table.Th miw={120}>Status</Table.Th>
              <Table.Th>Priority</Table.Th>
              <Table.Th>TLP</Table.Th>
              <Table.Th>Classification</Table.Th>
              <Table.Th>Assignee</Table.Th>
              <Table.Th>Coordinator</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Updated</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody data-testid="incidents-table">
            {items.length === 0 && <EmptyRow colSpan={cols}>{query.isLoading ? 'Loading…' : 'No incidents match.'}</EmptyRow>}
            {items.map((inc) => {
              const primary = inc.classifications.find((c) => c.primary) ?? inc.classifications[0];
              const open = () => navigate(incidentPath(inc.reference));
              return (
                <Table.Tr key={inc.id} onClick={open} style={{ cursor: 'pointer' }} data-reference={inc.reference} data-status={inc.status}
                  tabIndex={0} onKeyDown={(e) => e.key === 'Enter' && e.target === e.currentTarget && open()} aria-label={`${inc.reference} ${inc.title}`}
                  bg={ticked.has(inc.id) ? 'var(--mantine-color-signal-light)' : undefined}>
                  {canAssign && (
                    <Table.Td onClick={(e) => e.stopPropagation()}>
                      <Checkbox size="xs" checked={ticked.has(inc.id)} onChange={() => toggle(inc.id)} aria-label={`Tick ${inc.reference}`}
                        data-testid="incident-tick" />
                    </Table.Td>
                  )}
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
                  <Table.Td maw={160}>
                    <Text size="sm" truncate title={primary ? label(primary) : undefined}>{primary ? label(primary) : '—'}</Text>
                  </Table.Td>
                  <Table.Td data-testid="incident-assignee">
                    {inc.assignee
                      ? <Text size="sm" style={{ whiteSpace: 'nowrap' }} title={inc.assignee.username}>{inc.assignee.displayName}</Text>
                      : <Text span size="sm" c="dimmed">—</Text>}
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
