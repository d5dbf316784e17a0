// The team: who holds which seat (duty officer, senior handler…), their skills, and how to reach
// each member. Admins and managers edit a member's seats, skills and contact details.
import { useState } from 'react';
import { ActionIcon, Anchor, Badge, Group, Select, Stack, Switch, Table, Text, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconPencil } from '@tabler/icons-react';
import { api } from '../../api/client';
import { useMe } from '../../auth/session';
import { hasPermission } from '../../auth/permissions';
import { EmptyRow, PageHeader } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { localTime, SEAT_LABELS, SEATS, TEAM_KEY, telHref, type Member, type MemberList, type Seat } from './directoryApi';
import { MemberEditModal } from './MemberEditModal';

function Reach({ m }: { m: Member }) {
  const time = localTime(m.timeZone);
  return (
    <Stack gap={0}>
      {m.phone && <Anchor href={telHref(m.phone)} size="sm">{m.phone}</Anchor>}
      {m.email && <Anchor href={`mailto:${m.email}`} size="sm">{m.email}</Anchor>}
      {m.timeZone && <Text size="xs" c="dimmed">{m.timeZone}{time ? ` · now ${time}` : ''}</Text>}
      {!m.phone && !m.email && <Text size="sm" c="dimmed">—</Text>}
    </Stack>
  );
}

export function TeamPage() {
  const me = useMe();
  const canManage = hasPermission(me, 'directory.manage');
  const [seat, setSeat] = useState<Seat | null>(null);
  const [skill, setSkill] = useState<string | null>(null);
  const [withDisabled, setWithDisabled] = useState(false);
  const [editing, setEditing] = useState<Member | null>(null);
  const params = new URLSearchParams();
  if (seat) params.set('seat', seat);
  if (skill) params.set('skill', skill);
  if (withDisabled) params.set('includeDisabled', 'true');
  const query = params.toString();
  const team = useQuery({ queryKey: [...TEAM_KEY, query], queryFn: () => api.get<MemberList>(`/team/members${query ? `?${query}` : ''}`) });
  const items = team.data?.items ?? [];
  const cols = canManage ? 6 : 5;

  return (
    <Stack gap="md">
      <PageHeader title="Team" description="Who holds which seat, what each member is good at, and how to reach them. Seats feed escalation and paging." />
      <Group gap="sm" align="flex-end">
        <Select label="Seat" placeholder="Any seat" w={220} clearable data={SEATS.map((s) => ({ value: s, label: SEAT_LABELS[s] }))} value={seat}
          onChange={(v) => setSeat(v as Seat | null)} data-testid="team-seat-filter" comboboxProps={{ withinPortal: true }} />
        <Select label="Skill" placeholder="Any skill" w={220} clearable searchable value={skill} onChange={setSkill} data-testid="team-skill-filter"
          data={(team.data?.skills ?? []).map((s) => ({ value: s.skill, label: `${s.skill} (${s.members})` }))} comboboxProps={{ withinPortal: true }} />
        <Switch label="Show disabled accounts" checked={withDisabled} onChange={(e) => setWithDisabled(e.currentTarget.checked)} mb={8} />
      </Group>
      <ErrorAlert error={team.error} />
      <Table withTableBorder className="vigil-table" data-testid="team-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Member</Table.Th>
            <Table.Th>Seats</Table.Th>
            <Table.Th>Skills</Table.Th>
            <Table.Th>How to reach</Table.Th>
            <Table.Th>Languages</Table.Th>
            {canManage && <Table.Th w={44} />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {!team.isLoading && items.length === 0 && <EmptyRow colSpan={cols}>{seat || skill ? 'Nobody matches these filters.' : 'No team members yet.'}</EmptyRow>}
          {items.map((m) => (
            <Table.Tr key={m.userId} data-testid={`member-${m.username}`} style={m.disabled ? { opacity: 0.55 } : undefined}>
              <Table.Td>
                <Text fw={500} size="sm">{m.displayName}</Text>
                <Group gap={4}>
                  <Text size="xs" c="dimmed" ff="monospace">{m.username}</Text>
                  {m.disabled && <Badge size="xs" color="gray" variant="outline">disabled</Badge>}
                </Group>
                {m.notes && <Text size="xs" c="dimmed" lineClamp={2} maw={260}>{m.notes}</Text>}
              </Table.Td>
              <Table.Td>
                <Group gap={4} maw={260}>
                  {m.seats.length === 0 && <Text size="sm" c="dimmed">—</Text>}
                  {m.seats.map((s) => <Badge key={s} size="sm" variant="light" color={s === 'duty_officer' ? 'red' : 'blue'}>{SEAT_LABELS[s]}</Badge>)}
                </Group>
              </Table.Td>
              <Table.Td>
                <Group gap={4} maw={280}>
                  {m.skills.length === 0 && <Text size="sm" c="dimmed">—</Text>}
                  {m.skills.map((s) => (
                    <Badge key={s} size="sm" variant="outline" color="gray" style={{ cursor: 'pointer', textTransform: 'none' }} onClick={() => setSkill(s)}>{s}</Badge>
                  ))}
                </Group>
              </Table.Td>
              <Table.Td><Reach m={m} /></Table.Td>
              <Table.Td><Text size="sm">{m.languages.join(', ') || '—'}</Text></Table.Td>
              {canManage && (
                <Table.Td>
                  <Tooltip label="Edit seats and skills">
                    <ActionIcon variant="subtle" aria-label={`Edit ${m.displayName}`} onClick={() => setEditing(m)} data-testid={`member-edit-${m.username}`}>
                      <IconPencil size={16} />
                    </ActionIcon>
                  </Tooltip>
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <MemberEditModal member={editing} skills={(team.data?.skills ?? []).map((s) => s.skill)} onClose={() => setEditing(null)} />
    </Stack>
  );
}
