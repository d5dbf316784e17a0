// One constituent: what it owns on the network (with overlap warnings), whom to call, the
// agreements, its units. Admins and managers edit it as a whole or delete it.
import { useState } from 'react';
import { Alert, Anchor, Badge, Button, Code, Grid, Group, Stack, Table, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconArrowLeft, IconPencil, IconTrash } from '@tabler/icons-react';
import { api } from '../../api/client';
import { useMe } from '../../auth/session';
import { hasPermission } from '../../auth/permissions';
import { EmptyRow, PageHeader, Section } from '../../components/common';
import { useConfirm } from '../../components/confirm';
import { ErrorAlert } from '../../components/errors';
import { Link, navigate } from '../../router';
import { ConstituentFormModal } from './ConstituentFormModal';
import { CONSTITUENTS_KEY, LEVEL_COLORS, type Constituent } from './constituentsApi';

function Chips({ values, empty, testId }: { values: string[]; empty: string; testId: string }) {
  return (
    <Group gap={6} data-testid={testId}>
      {values.length === 0 ? <Text size="sm" c="dimmed">{empty}</Text> : values.map((v) => <Code key={v}>{v}</Code>)}
    </Group>
  );
}

export function ConstituentPage({ id }: { id: string }) {
  const me = useMe();
  const canManage = hasPermission(me, 'constituent.manage');
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [confirmModal, confirm] = useConfirm();
  const q = useQuery({ queryKey: [...CONSTITUENTS_KEY, 'one', id], queryFn: () => api.get<Constituent>(`/constituents/${id}`) });
  const c = q.data;

  const remove = () => c && confirm({
    title: 'Delete constituent', confirmLabel: 'Delete', danger: true,
    message: <>Delete <strong>{c.name}</strong> with its netblocks, domains, contacts and agreements? Its units stay, without a parent. Incidents keep the name they were given.</>,
    onConfirm: async () => {
      await api.del(`/constituents/${c.id}?version=${c.version}`);
      await client.invalidateQueries({ queryKey: CONSTITUENTS_KEY });
      notifications.show({ color: 'teal', message: `${c.name} deleted.` });
      navigate('/constituents');
    },
  });

  if (!c) return <Stack><ErrorAlert error={q.error} />{q.isLoading && <Text c="dimmed">Loading…</Text>}</Stack>;
  return (
    <Stack gap="md">
      <Anchor component={Link} href="/constituents" size="sm"><Group gap={4}><IconArrowLeft size={14} />Constituents</Group></Anchor>
      <PageHeader title={c.name}
        description={<Group gap="xs">
          <Badge variant="light" color={LEVEL_COLORS[c.criticality]} data-testid="constituent-criticality">{c.criticality} criticality</Badge>
          {c.sector && <Text size="sm">{c.sector}</Text>}
          {c.parentId && <Text size="sm">Part of <Anchor component={Link} href={`/constituents/${c.parentId}`}>{c.parentName}</Anchor></Text>}
        </Group>}
        actions={canManage && (
          <Group gap="xs">
            <Button variant="default" leftSection={<IconPencil size={16} />} onClick={() => setEditing(true)} data-testid="constituent-edit">Edit</Button>
            <Button variant="default" color="red" leftSection={<IconTrash size={16} />} onClick={remove} data-testid="constituent-delete">Delete</Button>
          </Group>
        )} />
      {c.warnings.length > 0 && (
        <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} title="Overlapping netblocks" data-testid="overlap-warnings">
          <Text size="sm" mb={4}>Allowed: an address goes to the constituent with the longest matching prefix.</Text>
          {c.warnings.map((w) => (
            <Text size="sm" key={`${w.netblock}-${w.other}`}>
              <Code>{w.netblock}</Code> overlaps <Code>{w.other}</Code> of <Anchor component={Link} href={`/constituents/${w.ownerId}`}>{w.ownerName}</Anchor>
            </Text>
          ))}
        </Alert>
      )}
      {c.notes && <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{c.notes}</Text>}
      <Grid>
        <Grid.Col span={{ base: 12, md: 6 }}><Section title="Netblocks"><Chips values={c.netblocks} empty="None" testId="netblocks" /></Section></Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}><Section title="Domains" description="Each with its subdomains"><Chips values={c.domains} empty="None" testId="domains" /></Section></Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}><Section title="E-mail domains"><Chips values={c.emailDomains} empty="None" testId="email-domains" /></Section></Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}><Section title="AS numbers"><Chips values={c.asns.map((a) => `AS${a}`)} empty="None" testId="asns" /></Section></Grid.Col>
      </Grid>
      <Section title="Contacts">
        <Table.ScrollContainer minWidth={700}>
          <Table withTableBorder className="vigil-table">
            <Table.Thead><Table.Tr><Table.Th>Kind</Table.Th><Table.Th>Name</Table.Th><Table.Th>E-mail</Table.Th><Table.Th>Phone</Table.Th><Table.Th>PGP</Table.Th><Table.Th>Language</Table.Th><Table.Th>Hours</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody data-testid="contacts-table">
              {c.contacts.length === 0 && <EmptyRow colSpan={7}>No contacts yet.</EmptyRow>}
              {c.contacts.map((k, i) => (
                <Table.Tr key={i}>
                  <Table.Td><Badge size="sm" variant="outline">{k.kind}</Badge></Table.Td>
                  <Table.Td>{k.name || '—'}</Table.Td>
                  <Table.Td>{k.email ? <Anchor href={`mailto:${k.email}`} size="sm">{k.email}</Anchor> : '—'}</Table.Td>
                  <Table.Td>{k.phone ? <Anchor href={`tel:${k.phone.replace(/[^+\d]/g, '')}`} size="sm">{k.phone}</Anchor> : '—'}</Table.Td>
                  <Table.Td>{k.pgpFingerprint ? <Code title={k.pgpFingerprint}>{k.pgpFingerprint.slice(-16)}</Code> : '—'}</Table.Td>
                  <Table.Td>{k.language || '—'}</Table.Td>
                  <Table.Td>{k.hours || '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Section>
      <Section title="Agreements">
        <Table withTableBorder className="vigil-table">
          <Table.Thead><Table.Tr><Table.Th>Kind</Table.Th><Table.Th>Reference</Table.Th><Table.Th>From</Table.Th><Table.Th>Until</Table.Th><Table.Th>Notes</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody data-testid="agreements-table">
            {c.agreements.length === 0 && <EmptyRow colSpan={5}>No agreements yet.</EmptyRow>}
            {c.agreements.map((a, i) => (
              <Table.Tr key={i}>
                <Table.Td>{a.kind === 'mou' ? 'MoU' : 'SLA'}</Table.Td><Table.Td>{a.reference || '—'}</Table.Td><Table.Td>{a.startsOn ?? '—'}</Table.Td>
                <Table.Td>{a.endsOn ?? '—'}</Table.Td><Table.Td>{a.notes || '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Section>
      {c.units.length > 0 && (
        <Section title="Units">
          <Group gap="xs">{c.units.map((u) => <Anchor key={u.id} component={Link} href={`/constituents/${u.id}`} size="sm">{u.name}</Anchor>)}</Group>
        </Section>
      )}
      {editing && <ConstituentFormModal editing={c} onClose={() => setEditing(false)} onSaved={() => void q.refetch()} />}
      {confirmModal}
    </Stack>
  );
}
