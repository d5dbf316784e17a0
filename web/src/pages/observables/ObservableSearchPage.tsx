// "Where has this been seen?": one observable value searched across every incident the user may
// see (GET /observables, the same access rule as incidents). The search is kept in the URL.
import { useEffect, useState, type FormEvent } from 'react';
import { Anchor, Badge, Button, Checkbox, Group, Paper, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconSearch } from '@tabler/icons-react';
import { api, qs } from '../../api/client';
import { incidentPath } from '../../api/incidents';
import type { Answer } from '../../api/schema';
import { OBSERVABLE_TYPES } from '../../api/work';
import { EmptyRow, formatDate, PageHeader } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { StatusBadge, TlpBadge } from '../../components/incidentBadges';
import { Link, navigate, useSearch } from '../../router';

/** An observable as the search finds it: its fields, and the incidents (visible to the caller) it is on. */
type Hits = Answer<'observables.search'>;

interface Search {
  value: string;
  type: string;
  suffix: boolean;
}

function parse(search: string): Search {
  const p = new URLSearchParams(search);
  const type = p.get('type') ?? '';
  return {
    value: (p.get('value') ?? '').slice(0, 4000),
    type: (OBSERVABLE_TYPES as readonly string[]).includes(type) ? type : '',
    suffix: p.get('suffix') === 'true',
  };
}

export function ObservableSearchPage() {
  const current = parse(useSearch());
  const [draft, setDraft] = useState<Search>(current);
  // Back, forward and links change the URL: show what it says.
  useEffect(() => setDraft(current), [current.value, current.type, current.suffix]); // eslint-disable-line react-hooks/exhaustive-deps
  const value = current.value.trim();
  const query = useQuery({
    queryKey: ['observables', 'search', value, current.type, current.suffix],
    queryFn: () => api.get<Hits>(`/observables${qs({ value, type: current.type || undefined, suffix: current.suffix ? 'true' : undefined })}`),
    enabled: value.length > 0,
    retry: false,
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const v = draft.value.trim();
    navigate(`/observables${qs({ value: v, type: draft.type || undefined, suffix: draft.suffix ? 'true' : undefined })}`);
  };
  const items = query.data?.items ?? [];

  return (
    <Stack gap="md">
      <PageHeader title="Observable search"
        description="Where has an address, domain, URL, e-mail address or hash been seen? Searches every incident shared with you." />
      <Paper withBorder p="md">
        <form role="search" aria-label="Search observables" onSubmit={submit}>
          <Group align="flex-end" gap="sm">
            <TextInput label="Value" placeholder="198.51.100.24, evil.example, a SHA-256…" value={draft.value} maxLength={4000} style={{ flex: 1, minWidth: 260 }}
              onChange={(e) => {
                const v = e.currentTarget.value;
                setDraft((d) => ({ ...d, value: v }));
              }} data-testid="observable-search-value" data-autofocus />
            <Select label="Type" placeholder="Any" w={170} clearable value={draft.type || null}
              data={OBSERVABLE_TYPES.map((t) => ({ value: t, label: t }))} onChange={(v) => setDraft((d) => ({ ...d, type: v ?? '' }))}
              data-testid="observable-search-type" comboboxProps={{ withinPortal: true }} />
            <Checkbox label="Subdomains too" checked={draft.suffix} mb={8}
              onChange={(e) => {
                const checked = e.currentTarget.checked;
                setDraft((d) => ({ ...d, suffix: checked }));
              }} data-testid="observable-search-suffix" />
            <Button type="submit" leftSection={<IconSearch size={16} aria-hidden />} disabled={!draft.value.trim()} data-testid="observable-search-submit">
              Search
            </Button>
          </Group>
          <Text size="xs" c="dimmed" mt={6}>
            Exact values; an IP address also finds the networks that contain it. Defanged forms (hxxp, [.]) are read as the real value.
          </Text>
        </form>
      </Paper>
      <ErrorAlert error={query.error} />
      {value && (
        <Table withTableBorder className="vigil-table" data-testid="observable-results">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Observable</Table.Th>
              <Table.Th>Type</Table.Th>
              <Table.Th>TLP</Table.Th>
              <Table.Th>Last seen</Table.Th>
              <Table.Th>Incidents</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.length === 0 && <EmptyRow colSpan={5}>{query.isFetching ? 'Searching…' : 'Not seen in any incident shared with you.'}</EmptyRow>}
            {items.map((o) => (
              <Table.Tr key={o.id} data-testid="observable-hit" data-value={o.value}>
                <Table.Td ff="monospace" fz="sm" style={{ overflowWrap: 'anywhere' }}>
                  {o.value}
                  {o.ioc && <Badge size="xs" ml={6} variant="outline" color="red.3">IOC</Badge>}
                </Table.Td>
                <Table.Td>{o.type}</Table.Td>
                <Table.Td><TlpBadge tlp={o.tlp} /></Table.Td>
                <Table.Td><Text size="sm" style={{ whiteSpace: 'nowrap' }}>{formatDate(o.lastSeen)}</Text></Table.Td>
                <Table.Td>
                  <Stack gap={4}>
                    {o.incidents.map((i) => (
                      <Group key={i.id} gap={6} wrap="nowrap">
                        <Anchor component={Link} href={incidentPath(i.reference)} ff="monospace" size="sm" data-testid="observable-hit-incident">{i.reference}</Anchor>
                        <Text size="sm" truncate maw={280} title={i.title}>{i.title}</Text>
                        <StatusBadge status={i.status} />
                      </Group>
                    ))}
                  </Stack>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
