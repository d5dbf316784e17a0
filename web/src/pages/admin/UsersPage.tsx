import { useMemo, useState } from 'react';
import { ActionIcon, Badge, Button, Group, Menu, Stack, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { IconDots, IconKey, IconPencil, IconPlus, IconSearch, IconShieldOff, IconUserCheck, IconUserOff } from '@tabler/icons-react';
import { api } from '../../api/client';
import type { Answer, Schema } from '../../api/schema';
import { CONSTITUENTS_KEY, type ConstituentSummary } from '../constituents/constituentsApi';
import { ME_KEY, useMe } from '../../auth/session';
import { DateText, EmptyRow, PageHeader, RoleBadges } from '../../components/common';
import { useConfirm } from '../../components/confirm';
import { ErrorAlert } from '../../components/errors';
import { TemporaryPasswordModal, UserFormModal } from './UserModals';

/** An account as administrators see it, with the constituents it is limited to (or, a reporter, belongs to). */
type User = Schema<'UserAdminView'>;

const USERS_KEY = ['admin', 'users'] as const;

export function UsersPage() {
  const me = useMe();
  const client = useQueryClient();
  const users = useQuery({ queryKey: USERS_KEY, queryFn: () => api.get<Answer<'users.list'>>('/users') });
  // Names of the constituents accounts are limited to (shown beside their roles).
  const constituents = useQuery({ queryKey: [...CONSTITUENTS_KEY, 'list', ''], queryFn: () => api.get<ConstituentSummary[]>('/constituents?limit=1000') });
  const constituentName = new Map((constituents.data ?? []).map((c) => [c.id, c.name]));
  const [filter, setFilter] = useState('');
  const [editing, setEditing] = useState<User | null | 'new'>(null);
  const [temp, setTemp] = useState<{ username: string; password: string | null } | null>(null);
  const [confirmModal, confirm] = useConfirm();

  const refresh = async (changed?: User) => {
    await client.invalidateQueries({ queryKey: USERS_KEY });
    if (changed?.id === me.user.id) await client.invalidateQueries({ queryKey: ME_KEY });
  };

  const rows = useMemo(() => {
    const q = filter.trim().toLowerCase();
    const all = users.data?.items ?? [];
    if (!q) return all;
    return all.filter((u) => [u.username, u.displayName, u.email ?? '', ...u.roles].some((v) => v.toLowerCase().includes(q)));
  }, [users.data, filter]);

  const action = (u: User, kind: 'disable' | 'enable' | 'reset-password' | 'reset-mfa') => {
    const path = `/users/${encodeURIComponent(u.id)}/${kind}`;
    const who = <strong>{u.displayName} ({u.username})</strong>;
    const specs = {
      disable: {
        title: 'Disable user', confirmLabel: 'Disable', message: <>{who} will be signed out everywhere and cannot sign in or use API tokens until enabled again.</>,
        done: 'User disabled.',
      },
      enable: { title: 'Enable user', confirmLabel: 'Enable', message: <>{who} will be able to sign in again.</>, done: 'User enabled.' },
      'reset-password': {
        title: 'Reset password', confirmLabel: 'Reset password',
        message: <>{who} gets a new temporary password, shown to you once, and must change it at the next sign-in. Their current password stops working.</>,
        done: '',
      },
      'reset-mfa': {
        title: 'Reset two-step verification', confirmLabel: 'Reset MFA',
        message: <>Two-step verification is turned off for {who} and their recovery codes stop working. Do this only after checking who is asking.</>,
        done: 'Two-step verification reset.',
      },
    } as const;
    const spec = specs[kind];
    confirm({
      title: spec.title,
      message: spec.message,
      confirmLabel: spec.confirmLabel,
      danger: kind !== 'enable',
      onConfirm: async () => {
        if (kind === 'reset-password') {
          const res = await api.post<Answer<'users.reset_password'>>(path);
          setTemp({ username: u.username, password: res.temporaryPassword });
        } else {
          await api.post(path);
          notifications.show({ color: 'teal', message: spec.done });
        }
        await refresh(u);
      },
    });
  };

  return (
    <Stack gap="md">
      <PageHeader
        title="Users"
        description="Accounts of your team. Every change here is written to the audit trail."
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')} data-testid="user-create">
            New user
          </Button>
        }
      />
      <Group>
        <TextInput placeholder="Filter by name, e-mail or role" leftSection={<IconSearch size={16} />} value={filter}
          onChange={(e) => setFilter(e.currentTarget.value)} w={320} aria-label="Filter users" />
        {users.data && <Text size="sm" c="dimmed">{rows.length} of {users.data.items.length}</Text>}
      </Group>
      <ErrorAlert error={users.error} />
      <Table.ScrollContainer minWidth={900}>
        <Table highlightOnHover withTableBorder stickyHeader className="vigil-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Username</Table.Th>
              <Table.Th>Display name</Table.Th>
              <Table.Th>E-mail</Table.Th>
              <Table.Th>Roles</Table.Th>
              <Table.Th>MFA</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Last sign-in</Table.Th>
              <Table.Th w={44} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody data-testid="users-table">
            {rows.length === 0 && <EmptyRow colSpan={8}>{users.isLoading ? 'Loading…' : 'No users match.'}</EmptyRow>}
            {rows.map((u) => (
              <Table.Tr key={u.id} opacity={u.disabled ? 0.6 : 1} data-username={u.username}>
                <Table.Td ff="monospace" fz="sm">
                  {u.username}
                  {u.id === me.user.id && <Badge ml={6} size="xs" variant="outline" color="gray">you</Badge>}
                </Table.Td>
                <Table.Td>{u.displayName}</Table.Td>
                <Table.Td c={u.email ? undefined : 'dimmed'}>{u.email ?? '—'}</Table.Td>
                <Table.Td>
                  <RoleBadges roles={u.roles} />
                  {u.constituentIds.length > 0 && (
                    <Group gap={4} mt={4} data-testid="user-scope">
                      {u.constituentIds.map((id) => (
                        <Badge key={id} size="xs" variant="outline" color="grape">{constituentName.get(id) ?? 'constituent'}</Badge>
                      ))}
                    </Group>
                  )}
                </Table.Td>
                <Table.Td>
                  <Badge size="sm" variant="light" color={u.mfaEnabled ? 'teal' : 'gray'}>{u.mfaEnabled ? 'on' : 'off'}</Badge>
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Badge size="sm" variant="dot" color={u.disabled ? 'gray' : 'teal'}>{u.disabled ? 'disabled' : 'active'}</Badge>
                    {u.mustChangePassword && (
                      <Tooltip label="Must choose a new password at next sign-in">
                        <Badge size="sm" variant="light" color="yellow">temp. password</Badge>
                      </Tooltip>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td><DateText value={u.lastLoginAt} empty="never" /></Table.Td>
                <Table.Td>
                  <Menu position="bottom-end" withinPortal>
                    <Menu.Target>
                      <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${u.username}`} data-testid={`user-actions-${u.username}`}>
                        <IconDots size={16} />
                      </ActionIcon>
                    </Menu.Target>
                    <Menu.Dropdown>
                      <Menu.Item leftSection={<IconPencil size={16} />} onClick={() => setEditing(u)}>Edit</Menu.Item>
                      <Menu.Item leftSection={<IconKey size={16} />} onClick={() => action(u, 'reset-password')}>Reset password</Menu.Item>
                      <Menu.Item leftSection={<IconShieldOff size={16} />} disabled={!u.mfaEnabled} onClick={() => action(u, 'reset-mfa')}>
                        Reset MFA
                      </Menu.Item>
                      <Menu.Divider />
                      {u.disabled ? (
                        <Menu.Item leftSection={<IconUserCheck size={16} />} onClick={() => action(u, 'enable')}>Enable</Menu.Item>
                      ) : (
                        <Menu.Item color="red" leftSection={<IconUserOff size={16} />} disabled={u.id === me.user.id} onClick={() => action(u, 'disable')}>
                          Disable
                        </Menu.Item>
                      )}
                    </Menu.Dropdown>
                  </Menu>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>

      <UserFormModal
        opened={editing !== null}
        user={editing === 'new' ? null : editing}
        onClose={() => setEditing(null)}
        onCreated={(res) => {
          setEditing(null);
          setTemp({ username: res.user.username, password: res.temporaryPassword });
          void refresh();
        }}
        onUpdated={(u) => {
          setEditing(null);
          notifications.show({ color: 'teal', message: `Saved ${u.username}.` });
          void refresh(u);
        }}
      />
      <TemporaryPasswordModal value={temp} onClose={() => setTemp(null)} />
      {confirmModal}
    </Stack>
  );
}
