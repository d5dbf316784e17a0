// External contacts holding roles in an incident (outside counsel as legal, the forensic firm as
// analyst), beside the team members in the incident's Roles tab, with how to reach each one.
import { useState, type FormEvent } from 'react';
import { ActionIcon, Anchor, Badge, Button, Group, Paper, Select, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { IconAddressBook, IconTrash } from '@tabler/icons-react';
import { api } from '../../api/client';
import { humanize, INCIDENT_ROLES, timelineKey, type Incident, type IncidentRole } from '../../api/incidents';
import { DateText, EmptyRow } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { useAction } from '../../components/useAction';
import { CONTACTS_KEY, incidentContactsKey, KIND_LABELS, telHref, type ContactList, type IncidentContactRole } from './directoryApi';

function AddContactRole({ incident, held, onChange }: { incident: Incident; held: IncidentContactRole[]; onChange: (rows: IncidentContactRole[]) => void }) {
  const [role, setRole] = useState<IncidentRole | null>(null);
  const [contactId, setContactId] = useState<string | null>(null);
  const action = useAction();
  const contacts = useQuery({ queryKey: [...CONTACTS_KEY, 'picker'], queryFn: () => api.get<ContactList>('/contacts?limit=200'), staleTime: 60_000 });
  const options = (contacts.data?.items ?? []).map((c) => ({ value: c.id, label: `${c.name}${c.organisation ? ` (${c.organisation})` : ''} · ${KIND_LABELS[c.kind]}` }));
  const valid = role && contactId && !held.some((h) => h.role === role && h.contactId === contactId);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    void action.run(async () => {
      onChange(await api.post<IncidentContactRole[]>(`/incidents/${encodeURIComponent(incident.id)}/contacts`, { role, contactId }));
      setContactId(null);
    });
  };

  return (
    <Paper withBorder p="md" component="form" onSubmit={submit} aria-label="Give an external contact a role">
      <Stack gap="sm">
        <ErrorAlert error={action.error ?? contacts.error} />
        <Group align="flex-end" gap="sm">
          <Select label="Role" w={220} placeholder="Choose a role" data={INCIDENT_ROLES.map((r) => ({ value: r, label: humanize(r) }))} value={role}
            onChange={(v) => setRole(v as IncidentRole | null)} data-testid="contact-role-select" comboboxProps={{ withinPortal: true }} />
          <Select label="External contact" w={380} searchable placeholder="Choose from the directory" data={options} value={contactId} onChange={setContactId}
            nothingFoundMessage="No active contact matches" data-testid="contact-role-contact" comboboxProps={{ withinPortal: true }} />
          <Button type="submit" leftSection={<IconAddressBook size={16} />} loading={action.busy} disabled={!valid} data-testid="contact-role-add">Add contact</Button>
        </Group>
      </Stack>
    </Paper>
  );
}

export function IncidentContactRoles({ incident, canWrite }: { incident: Incident; canWrite: boolean }) {
  const client = useQueryClient();
  const key = incidentContactsKey(incident.id);
  const rows = useQuery({ queryKey: key, queryFn: () => api.get<IncidentContactRole[]>(`/incidents/${encodeURIComponent(incident.id)}/contacts`) });
  const remove = useAction();
  const held = rows.data ?? [];
  const changed = (next: IncidentContactRole[]) => {
    client.setQueryData(key, next);
    void client.invalidateQueries({ queryKey: timelineKey(incident.id) });
  };
  const order = (r: IncidentRole) => INCIDENT_ROLES.indexOf(r);
  const sorted = [...held].sort((a, b) => order(a.role) - order(b.role) || a.name.localeCompare(b.name));
  const cols = canWrite ? 5 : 4;

  return (
    <Stack gap="sm">
      <Title order={5}>External contacts</Title>
      <ErrorAlert error={rows.error ?? remove.error} />
      <Table withTableBorder className="vigil-table" data-testid="contact-roles-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Role</Table.Th>
            <Table.Th>Contact</Table.Th>
            <Table.Th>How to reach</Table.Th>
            <Table.Th>Since</Table.Th>
            {canWrite && <Table.Th w={44} />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {!rows.isLoading && sorted.length === 0 && <EmptyRow colSpan={cols}>No external contact holds a role in this incident.</EmptyRow>}
          {sorted.map((r) => (
            <Table.Tr key={`${r.role}/${r.contactId}`}>
              <Table.Td fw={500}>{humanize(r.role)}</Table.Td>
              <Table.Td>
                <Text size="sm">{r.name} {!r.active && <Badge size="xs" color="gray" variant="outline">inactive</Badge>}</Text>
                <Text size="xs" c="dimmed">{[r.organisation, KIND_LABELS[r.kind]].filter(Boolean).join(' · ')}</Text>
              </Table.Td>
              <Table.Td>
                {r.emergencyPhone && <Text size="sm" fw={600}>24/7 <Anchor href={telHref(r.emergencyPhone)}>{r.emergencyPhone}</Anchor></Text>}
                {r.phone && <Text size="sm"><Anchor href={telHref(r.phone)}>{r.phone}</Anchor></Text>}
                {r.email && <Anchor href={`mailto:${r.email}`} size="sm">{r.email}</Anchor>}
                {r.hours && <Text size="xs" c="dimmed">{r.hours}{r.timeZone ? ` (${r.timeZone})` : ''}</Text>}
              </Table.Td>
              <Table.Td><DateText value={r.assignedAt} /></Table.Td>
              {canWrite && (
                <Table.Td>
                  <Tooltip label="Remove">
                    <ActionIcon variant="subtle" color="red" aria-label={`Remove ${r.name} as ${humanize(r.role).toLowerCase()}`} loading={remove.busy}
                      onClick={() => void remove.run(async () => changed(await api.del<IncidentContactRole[]>(
                        `/incidents/${encodeURIComponent(incident.id)}/contacts/${r.role}/${r.contactId}`)))}>
                      <IconTrash size={16} />
                    </ActionIcon>
                  </Tooltip>
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {canWrite && <AddContactRole incident={incident} held={held} onChange={changed} />}
    </Stack>
  );
}
