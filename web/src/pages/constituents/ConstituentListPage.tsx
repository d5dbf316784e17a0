// Constituents: the organisations and units the team serves. Search, route an address or domain,
// import and export CSV, create one (admins and managers).
import { useState } from 'react';
import { Anchor, Badge, Button, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { IconDownload, IconPlus, IconSearch, IconUpload } from '@tabler/icons-react';
import { api } from '../../api/client';
import { useMe } from '../../auth/session';
import { hasPermission } from '../../auth/permissions';
import { DateText, EmptyRow, PageHeader } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { Link, navigate } from '../../router';
import { ConstituentFormModal } from './ConstituentFormModal';
import { CONSTITUENTS_KEY, LEVEL_COLORS, type ConstituentSummary } from './constituentsApi';
import { ImportModal } from './ImportModal';
import { RouteBox } from './RouteBox';

export function ConstituentListPage() {
  const me = useMe();
  const canManage = hasPermission(me, 'constituent.manage');
  const [text, setText] = useState('');
  const [q] = useDebouncedValue(text.trim(), 250);
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  const list = useQuery({
    queryKey: [...CONSTITUENTS_KEY, 'list', q],
    queryFn: () => api.get<ConstituentSummary[]>(`/constituents?limit=500${q ? `&q=${encodeURIComponent(q)}` : ''}`),
  });
  const items = list.data ?? [];

  return (
    <Stack gap="md">
      <PageHeader title="Constituents"
        description="The organisations and business units the team serves, what they own on the network, whom to call there, and the agreements. Every change is written to the audit trail."
        actions={
          <Group gap="xs">
            <Button variant="default" component="a" href="/api/v1/constituents/export" download leftSection={<IconDownload size={16} />} data-testid="constituent-export">Export CSV</Button>
            {canManage && <Button variant="default" leftSection={<IconUpload size={16} />} onClick={() => setImporting(true)} data-testid="constituent-import">Import CSV</Button>}
            {canManage && <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="constituent-create">New constituent</Button>}
          </Group>
        } />
      <RouteBox />
      <TextInput placeholder="Search names, sectors and domains" leftSection={<IconSearch size={16} />} value={text}
        onChange={(e) => setText(e.currentTarget.value)} maw={420} data-testid="constituent-search" />
      <ErrorAlert error={list.error} />
      <Table.ScrollContainer minWidth={800}>
        <Table highlightOnHover withTableBorder className="vigil-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Part of</Table.Th>
              <Table.Th>Sector</Table.Th>
              <Table.Th>Criticality</Table.Th>
              <Table.Th ta="right">Netblocks</Table.Th>
              <Table.Th ta="right">Domains</Table.Th>
              <Table.Th ta="right">Contacts</Table.Th>
              <Table.Th>Changed</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody data-testid="constituents-table">
            {items.length === 0 && <EmptyRow colSpan={8}>{list.isLoading ? 'Loading…' : q ? 'No constituent matches.' : 'No constituents yet. Create one, or import a CSV file.'}</EmptyRow>}
            {items.map((c) => (
              <Table.Tr key={c.id} data-constituent={c.name}>
                <Table.Td><Anchor component={Link} href={`/constituents/${c.id}`} fw={500}>{c.name}</Anchor></Table.Td>
                <Table.Td><Text size="sm" c={c.parentName ? undefined : 'dimmed'}>{c.parentName ?? '—'}</Text></Table.Td>
                <Table.Td><Text size="sm">{c.sector || '—'}</Text></Table.Td>
                <Table.Td><Badge size="sm" variant="light" color={LEVEL_COLORS[c.criticality]}>{c.criticality}</Badge></Table.Td>
                <Table.Td ta="right">{c.netblockCount}</Table.Td>
                <Table.Td ta="right">{c.domainCount}</Table.Td>
                <Table.Td ta="right">{c.contactCount}</Table.Td>
                <Table.Td><DateText value={c.updatedAt} /></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {creating && <ConstituentFormModal editing={null} onClose={() => setCreating(false)} onSaved={(c) => navigate(`/constituents/${c.id}`)} />}
      <ImportModal opened={importing} onClose={() => setImporting(false)} />
    </Stack>
  );
}
