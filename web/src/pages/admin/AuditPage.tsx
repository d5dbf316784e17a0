import { Fragment, useState, type ChangeEvent, type FormEvent } from 'react';
import { ActionIcon, Alert, Autocomplete, Button, Group, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { IconChevronDown, IconChevronRight, IconCircleCheck, IconFilter, IconLinkOff, IconShieldCheck, IconX } from '@tabler/icons-react';
import { api, qs } from '../../api/client';
import type { Answer } from '../../api/schema';
import type { AuditPage as AuditPageData, AuditVerify } from '../../api/types';
import { DateText, EmptyRow, PageHeader } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { AuditDetails } from './AuditDetails';

const PAGE_SIZE = 50;

interface Filters {
  actor: string;
  action: string;
  entity: string;
  entityId: string;
  from: string;
  to: string;
}

const EMPTY: Filters = { actor: '', action: '', entity: '', entityId: '', from: '', to: '' };

/** A yyyy-mm-dd from a date input to an ISO instant at the start (or end) of that local day. */
function dayBound(day: string, end: boolean): string | undefined {
  if (!day) return undefined;
  const d = new Date(`${day}T00:00:00`);
  if (Number.isNaN(d.getTime())) return undefined;
  if (end) d.setDate(d.getDate() + 1);
  return new Date(d.getTime() - (end ? 1 : 0)).toISOString();
}

/** The "Verify chain" button and, once run, its result. */
function useVerifyChain() {
  const verify = useMutation({ mutationFn: () => api.get<AuditVerify>('/audit/verify') });
  const res = verify.data;
  const button = (
    <Button variant="light" leftSection={<IconShieldCheck size={16} />} loading={verify.isPending} onClick={() => verify.mutate()} data-testid="audit-verify">
      Verify chain
    </Button>
  );
  const result = verify.error ? (
    <ErrorAlert error={verify.error} />
  ) : res ? (
    <Alert
      data-testid="audit-verify-result"
      color={res.ok ? 'teal' : 'red'}
      variant="light"
      icon={res.ok ? <IconCircleCheck size={18} /> : <IconLinkOff size={18} />}
      title={res.ok ? 'Chain intact' : 'Chain broken'}
      withCloseButton
      onClose={() => verify.reset()}
    >
      {res.ok
        ? `All ${res.checked.toLocaleString()} records check out: none was changed or removed.`
        : `Checked ${res.checked.toLocaleString()} records. First broken record: #${res.firstBroken?.seq ?? '?'} (${res.firstBroken?.reason ?? 'no reason given'}).`}
    </Alert>
  ) : null;
  return { button, result };
}

export function AuditPage() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [open, setOpen] = useState<Set<number>>(new Set());
  const verify = useVerifyChain();

  const query = useInfiniteQuery({
    queryKey: ['admin', 'audit', filters],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      api.get<AuditPageData>(
        `/audit${qs({
          actor: filters.actor.trim(),
          action: filters.action.trim(),
          entity: filters.entity.trim(),
          entityId: filters.entityId.trim(),
          from: dayBound(filters.from, false),
          to: dayBound(filters.to, true),
          limit: PAGE_SIZE,
          cursor: pageParam,
        })}`,
      ),
    getNextPageParam: (last) => last.nextCursor,
  });

  // The actor filter takes a user id; offer the accounts by name.
  const users = useQuery({ queryKey: ['admin', 'users'], queryFn: () => api.get<Answer<'users.list'>>('/users') });
  const actorOptions = (users.data?.items ?? []).map((u) => ({ value: u.id, label: `${u.displayName} (${u.username})` }));

  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  // Filters match exactly; suggest the values seen so far (they accumulate as pages load).
  const [seen, setSeen] = useState<{ actions: Set<string>; entities: Set<string> }>({ actions: new Set(), entities: new Set() });
  const unseen = items.some((r) => !seen.actions.has(r.action) || !seen.entities.has(r.entity));
  if (unseen) {
    setSeen({
      actions: new Set([...seen.actions, ...items.map((r) => r.action)]),
      entities: new Set([...seen.entities, ...items.map((r) => r.entity)]),
    });
  }
  const set = (key: keyof Filters) => (e: ChangeEvent<HTMLInputElement>) => setDraft({ ...draft, [key]: e.currentTarget.value });
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setOpen(new Set());
    setFilters({ ...draft });
  };
  const toggle = (seq: number) => {
    const next = new Set(open);
    if (next.has(seq)) next.delete(seq);
    else next.add(seq);
    setOpen(next);
  };
  const filtered = Object.values(filters).some(Boolean);

  return (
    <Stack gap="md">
      <PageHeader
        title="Audit trail"
        description="Every change in Vigil, newest first. Records are hash-chained: any edit or deletion breaks the chain."
        actions={verify.button}
      />
      {verify.result}

      <Paper withBorder p="md">
        <form onSubmit={apply} aria-label="Audit filters">
          <SimpleGrid cols={{ base: 2, md: 3, xl: 6 }} spacing="sm">
            <Select label="Actor" placeholder="Anyone" data={actorOptions} value={draft.actor || null} searchable clearable
              onChange={(v) => setDraft({ ...draft, actor: v ?? '' })} data-testid="audit-actor" />
            <Autocomplete label="Action" placeholder="e.g. user.created" data={[...seen.actions].sort()} value={draft.action}
              onChange={(v) => setDraft({ ...draft, action: v })} data-testid="audit-action" />
            <Autocomplete label="Entity" placeholder="e.g. user" data={[...seen.entities].sort()} value={draft.entity}
              onChange={(v) => setDraft({ ...draft, entity: v })} data-testid="audit-entity" />
            <TextInput label="Entity id" value={draft.entityId} onChange={set('entityId')} data-testid="audit-entity-id" />
            <TextInput label="From" type="date" value={draft.from} onChange={set('from')} data-testid="audit-from" />
            <TextInput label="To" type="date" value={draft.to} onChange={set('to')} data-testid="audit-to" />
          </SimpleGrid>
          <Group mt="sm" gap="sm">
            <Button type="submit" size="xs" leftSection={<IconFilter size={14} />} data-testid="audit-apply">Apply filters</Button>
            {filtered && (
              <Button size="xs" variant="subtle" color="gray" leftSection={<IconX size={14} />}
                onClick={() => { setDraft(EMPTY); setFilters(EMPTY); setOpen(new Set()); }}>
                Clear
              </Button>
            )}
          </Group>
        </form>
      </Paper>

      <ErrorAlert error={query.error} />
      <Table.ScrollContainer minWidth={900}>
        <Table highlightOnHover withTableBorder className="vigil-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={36} />
              <Table.Th w={80}>#</Table.Th>
              <Table.Th>When</Table.Th>
              <Table.Th>Actor</Table.Th>
              <Table.Th>Action</Table.Th>
              <Table.Th>Entity</Table.Th>
              <Table.Th>Entity id</Table.Th>
              <Table.Th>Address</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody data-testid="audit-table">
            {items.length === 0 && <EmptyRow colSpan={8}>{query.isLoading ? 'Loading…' : 'No audit records match.'}</EmptyRow>}
            {items.map((r) => {
              const expanded = open.has(r.seq);
              return (
                <Fragment key={r.seq}>
                  <Table.Tr onClick={() => toggle(r.seq)} style={{ cursor: 'pointer' }} aria-expanded={expanded} data-seq={r.seq}>
                    <Table.Td>
                      <ActionIcon variant="subtle" color="gray" size="sm" aria-label={expanded ? `Collapse record ${r.seq}` : `Expand record ${r.seq}`}>
                        {expanded ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
                      </ActionIcon>
                    </Table.Td>
                    <Table.Td ff="monospace" fz="xs" c="dimmed">{r.seq}</Table.Td>
                    <Table.Td><DateText value={r.at} seconds /></Table.Td>
                    <Table.Td>{r.actorName ?? <Text span size="sm" c="dimmed">system</Text>}</Table.Td>
                    <Table.Td ff="monospace" fz="xs">{r.action}</Table.Td>
                    <Table.Td>{r.entity}</Table.Td>
                    <Table.Td ff="monospace" fz="xs" maw={220} style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={r.entityId ?? undefined}>
                      {r.entityId ?? '—'}
                    </Table.Td>
                    <Table.Td ff="monospace" fz="xs">{r.ip ?? '—'}</Table.Td>
                  </Table.Tr>
                  {expanded && (
                    <Table.Tr className="vigil-expanded-row">
                      <Table.Td colSpan={8}><AuditDetails entry={r} /></Table.Td>
                    </Table.Tr>
                  )}
                </Fragment>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="center">
        {query.hasNextPage ? (
          <Button variant="default" loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()} data-testid="audit-load-more">
            Load more
          </Button>
        ) : (
          items.length > 0 && <Text size="xs" c="dimmed">End of the audit trail · {items.length} records shown</Text>
        )}
      </Group>
    </Stack>
  );
}
