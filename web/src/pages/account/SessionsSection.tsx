import { ActionIcon, Badge, Button, Group, Stack, Table, Text, Tooltip } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { IconLogout, IconX } from '@tabler/icons-react';
import { api } from '../../api/client';
import type { Answer } from '../../api/schema';
import type { SessionInfo } from '../../api/types';
import { signOutLocally, useLogout } from '../../auth/session';
import { DateText, EmptyRow, Section } from '../../components/common';
import { useConfirm } from '../../components/confirm';
import { ErrorAlert } from '../../components/errors';

const SESSIONS_KEY = ['account', 'sessions'] as const;

/** "Firefox 128 on Linux" style summary of a user agent string; the full string is on hover. */
function describeAgent(ua: string | null): string {
  if (!ua) return 'Unknown client';
  const browser =
    /Edg\/(\d+)/.exec(ua)?.[1] ? `Edge ${/Edg\/(\d+)/.exec(ua)?.[1]}` :
    /Firefox\/(\d+)/.exec(ua) ? `Firefox ${/Firefox\/(\d+)/.exec(ua)?.[1]}` :
    /Chrom(?:e|ium)\/(\d+)/.exec(ua) ? `Chrome ${/Chrom(?:e|ium)\/(\d+)/.exec(ua)?.[1]}` :
    /Version\/(\d+).*Safari/.exec(ua) ? `Safari ${/Version\/(\d+)/.exec(ua)?.[1]}` :
    ua.split(/[\s/]/)[0] ?? ua;
  const os = /Windows/.test(ua) ? 'Windows' : /Mac OS X|Macintosh/.test(ua) ? 'macOS' : /Android/.test(ua) ? 'Android'
    : /iPhone|iPad/.test(ua) ? 'iOS' : /Linux/.test(ua) ? 'Linux' : '';
  return os ? `${browser} on ${os}` : browser;
}

export function SessionsSection() {
  const client = useQueryClient();
  const logout = useLogout();
  const sessions = useQuery({ queryKey: SESSIONS_KEY, queryFn: () => api.get<Answer<'account.sessions.list'>>('/account/sessions') });
  const [confirmModal, confirm] = useConfirm();

  const revoke = (s: SessionInfo) =>
    confirm({
      title: s.current ? 'Sign out this session' : 'Revoke session',
      message: s.current
        ? 'This is the session you are using now: you will be signed out.'
        : `The browser at ${s.ip ?? 'an unknown address'} (${describeAgent(s.userAgent)}) will be signed out.`,
      confirmLabel: s.current ? 'Sign out' : 'Revoke session',
      danger: true,
      onConfirm: async () => {
        await api.del(`/account/sessions/${encodeURIComponent(s.id)}`);
        if (s.current) signOutLocally(client);
        else await client.invalidateQueries({ queryKey: SESSIONS_KEY });
      },
    });

  const logoutAll = () =>
    confirm({
      title: 'Sign out everywhere',
      message: 'Every session of your account ends, including this one. API tokens keep working.',
      confirmLabel: 'Sign out everywhere',
      danger: true,
      onConfirm: () => logout(true),
    });

  const items = sessions.data?.items ?? [];
  return (
    <Section
      title="Sessions"
      description="Browsers signed in to your account."
      actions={
        <Button variant="light" color="red" leftSection={<IconLogout size={16} />} onClick={logoutAll} data-testid="logout-all">
          Sign out everywhere
        </Button>
      }
    >
      <Stack gap="sm">
        <ErrorAlert error={sessions.error} />
        <Table.ScrollContainer minWidth={720}>
          <Table highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Client</Table.Th>
                <Table.Th>Address</Table.Th>
                <Table.Th>Signed in</Table.Th>
                <Table.Th>Last seen</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th w={40} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody data-testid="sessions-table">
              {items.length === 0 && <EmptyRow colSpan={6}>{sessions.isLoading ? 'Loading…' : 'No sessions.'}</EmptyRow>}
              {items.map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <Text size="sm" title={s.userAgent ?? undefined}>{describeAgent(s.userAgent)}</Text>
                      {s.current && <Badge size="sm" variant="light" color="signal" data-testid="current-session">This session</Badge>}
                    </Group>
                  </Table.Td>
                  <Table.Td ff="monospace" fz="xs">{s.ip ?? '—'}</Table.Td>
                  <Table.Td><DateText value={s.createdAt} /></Table.Td>
                  <Table.Td><DateText value={s.lastSeenAt} /></Table.Td>
                  <Table.Td><DateText value={s.expiresAt} /></Table.Td>
                  <Table.Td>
                    <Tooltip label={s.current ? 'Sign out' : 'Revoke'}>
                      <ActionIcon variant="subtle" color="red" aria-label={`Revoke session ${s.id}`} onClick={() => revoke(s)}>
                        <IconX size={16} />
                      </ActionIcon>
                    </Tooltip>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Stack>
      {confirmModal}
    </Section>
  );
}
