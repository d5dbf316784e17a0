// Monitoring sources (SIEM, EDR, IDS, scripts) that post alerts with their own token: create one,
// see its token once, rotate it, turn a source off, change its mapping with a preview.
import { useState } from 'react';
import { ActionIcon, Alert, Badge, Button, Code, Group, Menu, Modal, Stack, Table, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconDots, IconKey, IconPencil, IconPlayerPause, IconPlayerPlay, IconPlus } from '@tabler/icons-react';
import { api, ApiError } from '../../api/client';
import { SOURCES_KEY, sourceApi, windowText, type Source, type SourceWithToken } from '../../api/triage';
import { DateText, EmptyRow, PageHeader, SecretValue } from '../../components/common';
import { useConfirm } from '../../components/confirm';
import { ErrorAlert } from '../../components/errors';
import { TlpBadge } from '../../components/incidentBadges';
import { SourceFormModal } from '../triage/SourceFormModal';

/** The token of a new or rotated source: shown this once, with how to use it. */
function TokenModal({ value, onClose }: { value: SourceWithToken | null; onClose: () => void }) {
  const example = value ? `curl -H "Authorization: Bearer ${value.token}" -H 'content-type: application/json' \\\n  -d '{"…": "…"}' ${window.location.origin}/api/v1/intake/alerts` : '';
  return (
    <Modal opened={value !== null} onClose={onClose} title={<Text fw={600}>Token of {value?.source.name}</Text>} size="lg" closeOnClickOutside={false}>
      {value && (
        <Stack gap="sm">
          <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} title="Copy it now: it is shown only this once" data-testid="token-warning">
            <Text size="sm">Vigil keeps only a hash of it. If it is lost, rotate the token and configure the source again.</Text>
          </Alert>
          <SecretValue value={value.token} label="Source token" testId="source-token" />
          <Text size="sm" c="dimmed">The source posts its alerts like this (one JSON object, or an array of them):</Text>
          <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{example}</Code>
          <Group justify="flex-end">
            <Button onClick={onClose} data-testid="token-done">I have copied it</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

export function SourcesPage() {
  const client = useQueryClient();
  const sources = useQuery({ queryKey: SOURCES_KEY, queryFn: () => api.get<Source[]>('/intake/sources') });
  const [editing, setEditing] = useState<Source | 'new' | null>(null);
  const [token, setToken] = useState<SourceWithToken | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [confirmModal, confirm] = useConfirm();
  const refresh = () => client.invalidateQueries({ queryKey: SOURCES_KEY });

  const rotate = (s: Source) => confirm({
    title: 'Rotate token', confirmLabel: 'Rotate token', danger: true,
    message: <>A new token is made for <strong>{s.name}</strong>. The current one (<Code>{s.tokenHint}</Code>) stops working at once: the source must be given the new one.</>,
    onConfirm: async () => {
      setToken(await api.post<SourceWithToken>(sourceApi(s.id, 'token')));
      await refresh();
    },
  });

  const setEnabled = async (s: Source, enabled: boolean) => {
    setError(null);
    try {
      await api.patch<Source>(sourceApi(s.id), { enabled, version: s.version });
      notifications.show({ color: 'teal', message: `${s.name} is ${enabled ? 'on' : 'off'}.` });
    } catch (e) {
      setError(e);
    } finally {
      await refresh();
    }
  };
  const switchOff = (s: Source) => confirm({
    title: 'Turn the source off', confirmLabel: 'Turn off', danger: true,
    message: <>Alerts posted by <strong>{s.name}</strong> are refused (401) while it is off. Alerts already received stay.</>,
    onConfirm: () => setEnabled(s, false),
  });

  const list = sources.data ?? [];
  return (
    <Stack gap="md">
      <PageHeader title="Monitoring sources"
        description="Systems that post alerts to Vigil, each with its own token and field mapping. Every change is written to the audit trail."
        actions={<Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')} data-testid="source-create">New source</Button>} />
      <ErrorAlert error={sources.error ?? error} />
      {error instanceof ApiError && error.code === 'VIG_SOURCE_VERSION_CONFLICT' && <Text size="sm" c="yellow">Someone changed it meanwhile; the list now shows their version.</Text>}
      <Table.ScrollContainer minWidth={900}>
        <Table highlightOnHover withTableBorder className="vigil-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Description</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>TLP</Table.Th>
              <Table.Th>Dedup window</Table.Th>
              <Table.Th>Token</Table.Th>
              <Table.Th>Changed</Table.Th>
              <Table.Th w={44} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody data-testid="sources-table">
            {list.length === 0 && <EmptyRow colSpan={8}>{sources.isLoading ? 'Loading…' : 'No sources yet. Create one for each system that should post alerts.'}</EmptyRow>}
            {list.map((s) => (
              <Table.Tr key={s.id} data-source={s.name} opacity={s.enabled ? 1 : 0.6}>
                <Table.Td ff="monospace" fz="sm">{s.name}</Table.Td>
                <Table.Td maw={320}><Text size="sm" truncate title={s.description}>{s.description || '—'}</Text></Table.Td>
                <Table.Td><Badge size="sm" variant="dot" color={s.enabled ? 'teal' : 'gray'} data-testid="source-state">{s.enabled ? 'on' : 'off'}</Badge></Table.Td>
                <Table.Td><TlpBadge tlp={s.tlp} /></Table.Td>
                <Table.Td><Text size="sm">{windowText(s.dedupWindowSeconds)}</Text></Table.Td>
                <Table.Td><Code>{s.tokenHint}</Code></Table.Td>
                <Table.Td><DateText value={s.updatedAt} /></Table.Td>
                <Table.Td>
                  <Menu position="bottom-end" withinPortal>
                    <Menu.Target>
                      <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${s.name}`} data-testid={`source-actions-${s.name}`}><IconDots size={16} /></ActionIcon>
                    </Menu.Target>
                    <Menu.Dropdown>
                      <Menu.Item leftSection={<IconPencil size={16} />} onClick={() => setEditing(s)} data-testid="source-edit">Edit mapping and preview</Menu.Item>
                      <Menu.Item leftSection={<IconKey size={16} />} onClick={() => rotate(s)} data-testid="source-rotate">Rotate token</Menu.Item>
                      <Menu.Divider />
                      {s.enabled
                        ? <Menu.Item color="red" leftSection={<IconPlayerPause size={16} />} onClick={() => switchOff(s)} data-testid="source-disable">Turn off</Menu.Item>
                        : <Menu.Item leftSection={<IconPlayerPlay size={16} />} onClick={() => void setEnabled(s, true)} data-testid="source-enable">Turn on</Menu.Item>}
                    </Menu.Dropdown>
                  </Menu>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {editing !== null && (
        <SourceFormModal source={editing === 'new' ? null : editing} onClose={() => setEditing(null)}
          onCreated={(r) => { setToken(r); void refresh(); }} />
      )}
      <TokenModal value={token} onClose={() => setToken(null)} />
      {confirmModal}
    </Stack>
  );
}
