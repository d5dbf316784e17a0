// The external contact directory: forensic firms, insurers, law enforcement, partner CSIRTs and
// ISACs, legal counsel, vendors. Filter by kind, search, open one to see how to reach it at any hour.
import { useState } from 'react';
import { Anchor, Badge, Button, Group, SegmentedControl, Stack, Switch, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { IconPlus, IconSearch } from '@tabler/icons-react';
import { api } from '../../api/client';
import { useMe } from '../../auth/session';
import { hasPermission } from '../../auth/permissions';
import { EmptyRow, PageHeader } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { TlpBadge } from '../../components/incidentBadges';
import { ContactDrawer } from './ContactDrawer';
import { ContactFormModal } from './ContactFormModal';
import { CONTACT_KINDS, CONTACTS_KEY, KIND_COLORS, KIND_LABELS, telHref, type Contact, type ContactKind, type ContactList } from './directoryApi';

export function ContactsPage() {
  const me = useMe();
  const canManage = hasPermission(me, 'directory.manage');
  const [kind, setKind] = useState<ContactKind | 'all'>('all');
  const [text, setText] = useState('');
  const [q] = useDebouncedValue(text.trim(), 250);
  const [withInactive, setWithInactive] = useState(false);
  const [open, setOpen] = useState<Contact | null>(null);
  const [editing, setEditing] = useState<Contact | 'new' | null>(null);
  const params = new URLSearchParams({ limit: '200' });
  if (kind !== 'all') params.set('kind', kind);
  if (q) params.set('q', q);
  if (withInactive) params.set('includeInactive', 'true');
  const query = params.toString();
  const list = useQuery({ queryKey: [...CONTACTS_KEY, query], queryFn: () => api.get<ContactList>(`/contacts?${query}`) });
  const items = list.data?.items ?? [];

  return (
    <Stack gap="md">
      <PageHeader title="Contact directory"
        description="Who to call outside the team, and how to reach them at any hour. Every change is written to the audit trail."
        actions={canManage && <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')} data-testid="contact-create">New contact</Button>} />
      <SegmentedControl size="xs" value={kind} onChange={(v) => setKind(v as ContactKind | 'all')} data-testid="contact-kind-filter"
        data={[{ value: 'all', label: 'All' }, ...CONTACT_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))]} />
      <Group gap="sm" align="center">
        <TextInput placeholder="Search name, organisation, purpose, contract, e-mail, notes" leftSection={<IconSearch size={16} />} w={420} maxLength={100}
          value={text} onChange={(e) => setText(e.currentTarget.value)} aria-label="Search contacts" data-testid="contact-search" />
        <Switch label="Show inactive" checked={withInactive} onChange={(e) => setWithInactive(e.currentTarget.checked)} />
        <Text size="sm" c="dimmed">{list.data ? `${list.data.total} contact${list.data.total === 1 ? '' : 's'}` : ''}</Text>
      </Group>
      <ErrorAlert error={list.error} />
      <Table withTableBorder highlightOnHover className="vigil-table" data-testid="contacts-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Kind</Table.Th>
            <Table.Th>What for</Table.Th>
            <Table.Th>Reach at any hour</Table.Th>
            <Table.Th>TLP</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {!list.isLoading && items.length === 0 && <EmptyRow colSpan={5}>{q || kind !== 'all' ? 'No contact matches.' : 'The directory is empty.'}</EmptyRow>}
          {items.map((c) => (
            <Table.Tr key={c.id} style={{ cursor: 'pointer', opacity: c.active ? 1 : 0.55 }} onClick={() => setOpen(c)} data-testid={`contact-row-${c.id}`}>
              <Table.Td>
                <Anchor component="button" type="button" fw={500} size="sm" onClick={() => setOpen(c)}>{c.name}</Anchor>
                <Text size="xs" c="dimmed">{c.organisation}{c.active ? '' : ' · inactive'}</Text>
              </Table.Td>
              <Table.Td><Badge size="sm" variant="light" color={KIND_COLORS[c.kind]}>{KIND_LABELS[c.kind]}</Badge></Table.Td>
              <Table.Td><Text size="sm" lineClamp={2} maw={320}>{c.purpose || '—'}</Text></Table.Td>
              <Table.Td onClick={(e) => e.stopPropagation()}>
                {c.emergencyPhone && <Text size="sm" fw={600}>24/7 <Anchor href={telHref(c.emergencyPhone)}>{c.emergencyPhone}</Anchor></Text>}
                {!c.emergencyPhone && c.phone && <Text size="sm"><Anchor href={telHref(c.phone)}>{c.phone}</Anchor>{c.hours ? <Text span size="xs" c="dimmed"> ({c.hours})</Text> : null}</Text>}
                {c.email && <Anchor href={`mailto:${c.email}`} size="xs">{c.email}</Anchor>}
              </Table.Td>
              <Table.Td><TlpBadge tlp={c.tlp} /></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <ContactDrawer contact={open} onClose={() => setOpen(null)} onEdit={canManage ? (c) => setEditing(c) : undefined} />
      <ContactFormModal editing={editing} onClose={() => setEditing(null)} onSaved={(c) => { setEditing(null); setOpen(c); }} />
    </Stack>
  );
}
