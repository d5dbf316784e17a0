import { useState, type FormEvent } from 'react';
import { ActionIcon, Button, Group, Paper, Select, Stack, Table, Text, Tooltip } from '@mantine/core';
import { IconTrash, IconUserPlus } from '@tabler/icons-react';
import { api } from '../../api/client';
import { humanize, INCIDENT_ROLES, type Incident, type IncidentRole } from '../../api/incidents';
import { useMe } from '../../auth/session';
import { DateText, EmptyRow } from '../../components/common';
import { TeamMemberSelect, useTeamMembers } from '../../components/TeamMemberSelect';
import { useIncident, useIncidentWrite } from './useIncidentWrite';
import { IncidentContactRoles } from '../team/IncidentContactRoles';

/** The team's accounts (every team member may list them, for choosing a colleague). */
export function useTeam() {
  const { members } = useTeamMembers();
  return { users: members };
}

/** A person's name from a user id: the team list, the incident's roles, or the id. */
export function useUserNames(): (userId: string) => string {
  const { incident } = useIncident();
  const me = useMe();
  const { users } = useTeam();
  return (id) =>
    users.find((u) => u.id === id)?.displayName ??
    incident.roles.find((r) => r.userId === id)?.displayName ??
    (id === me.user.id ? me.user.displayName : `user ${id.slice(0, 8)}`);
}

function AddRole() {
  const { incident } = useIncident();
  const [role, setRole] = useState<IncidentRole | null>(null);
  const [userId, setUserId] = useState<string | null>(null);
  const write = useIncidentWrite(() => setUserId(null));
  const valid = role && userId && !incident.roles.some((r) => r.role === role && r.userId === userId);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    void write.run(incident.version, () => api.post<Incident>(`/incidents/${encodeURIComponent(incident.id)}/roles`, { role, userId }));
  };

  return (
    <Paper withBorder p="md" component="form" onSubmit={submit} aria-label="Assign a role">
      <Stack gap="sm">
        {write.alert}
        <Group align="flex-end" gap="sm">
          <Select label="Role" w={220} placeholder="Choose a role" data={INCIDENT_ROLES.map((r) => ({ value: r, label: humanize(r) }))} value={role}
            onChange={(v) => setRole(v as IncidentRole | null)} data-testid="role-select" comboboxProps={{ withinPortal: true }} />
          <TeamMemberSelect label="Person" w={300} value={userId} onChange={setUserId} data-testid="role-user" />
          <Button type="submit" leftSection={<IconUserPlus size={16} />} loading={write.busy} disabled={!valid} data-testid="role-add">Assign</Button>
        </Group>
      </Stack>
    </Paper>
  );
}

export function RolesTab() {
  const { incident, canWrite } = useIncident();
  const remove = useIncidentWrite();
  const order = (r: IncidentRole) => INCIDENT_ROLES.indexOf(r);
  const roles = [...incident.roles].sort((a, b) => order(a.role) - order(b.role) || a.displayName.localeCompare(b.displayName));

  return (
    <Stack gap="md">
      {remove.alert}
      <Table withTableBorder className="vigil-table" data-testid="roles-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Role</Table.Th>
            <Table.Th>Person</Table.Th>
            <Table.Th>Since</Table.Th>
            {canWrite && <Table.Th w={44} />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {roles.length === 0 && <EmptyRow colSpan={canWrite ? 4 : 3}>Nobody holds a role in this incident.</EmptyRow>}
          {roles.map((r) => (
            <Table.Tr key={`${r.role}/${r.userId}`}>
              <Table.Td fw={500}>{humanize(r.role)}</Table.Td>
              <Table.Td>{r.displayName} <Text span size="xs" c="dimmed" ff="monospace">{r.username}</Text></Table.Td>
              <Table.Td><DateText value={r.assignedAt} /></Table.Td>
              {canWrite && (
                <Table.Td>
                  <Tooltip label="Remove">
                    <ActionIcon variant="subtle" color="red" aria-label={`Remove ${r.displayName} as ${humanize(r.role).toLowerCase()}`}
                      loading={remove.busy}
                      onClick={() => void remove.run(incident.version, () =>
                        api.del<Incident>(`/incidents/${encodeURIComponent(incident.id)}/roles/${r.role}/${r.userId}`))}>
                      <IconTrash size={16} />
                    </ActionIcon>
                  </Tooltip>
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {canWrite && <AddRole />}
      <IncidentContactRoles incident={incident} canWrite={canWrite} />
    </Stack>
  );
}
