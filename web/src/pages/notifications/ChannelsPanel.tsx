import { useState } from 'react';
import { Badge, Button, Group, Modal, MultiSelect, PasswordInput, Select, Stack, Switch, Table, Text, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { IconPlus, IconSend } from '@tabler/icons-react';
import { api } from '../../api/client';
import type { Answer } from '../../api/schema';
import { EmptyRow } from '../../components/common';
import { ErrorAlert, fieldErrors } from '../../components/errors';
import { useAction } from '../../components/useAction';
import { EVENT_LABELS, KIND_LABELS, type Channel, type ChannelKind } from './api';

const KEY = ['admin', 'notifications', 'channels'];
const EVENT_OPTIONS = Object.entries(EVENT_LABELS).filter(([v]) => v !== 'test').map(([value, label]) => ({ value, label }));

function ChannelForm({ channel, onClose }: { channel: Channel | null; onClose: () => void }) {
  const client = useQueryClient();
  const save = useAction();
  const [name, setName] = useState(channel?.name ?? '');
  const [kind, setKind] = useState<ChannelKind>(channel?.kind ?? 'webhook');
  const [url, setUrl] = useState(channel && channel.kind !== 'slack' && channel.kind !== 'mattermost' ? channel.url : '');
  const [roomId, setRoomId] = useState(channel?.roomId ?? '');
  const [secret, setSecret] = useState('');
  const [events, setEvents] = useState<string[]>(channel?.events ?? ['incident.declared']);
  const [enabled, setEnabled] = useState(channel?.enabled ?? true);
  const errors = fieldErrors(save.error);
  const hiddenUrl = channel && (channel.kind === 'slack' || channel.kind === 'mattermost');
  const secretLabel = kind === 'matrix' ? 'Access token' : 'Signing secret (HMAC-SHA256)';

  const submit = () => void save.run(async () => {
    const body: Record<string, unknown> = { name, kind, events, enabled };
    if (url.trim()) body.url = url.trim();
    if (kind === 'matrix') body.roomId = roomId.trim() || null;
    if (secret) body.secret = secret;
    if (channel) await api.patch(`/notification-channels/${channel.id}`, { ...body, version: channel.version });
    else await api.post('/notification-channels', body);
    notifications.show({ color: 'teal', message: channel ? `Channel ${name} saved.` : `Channel ${name} added.` });
    await client.invalidateQueries({ queryKey: KEY });
    onClose();
  });

  return (
    <Stack gap="sm">
      <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} maxLength={100} data-testid="channel-name" />
      <Select label="Kind" value={kind} onChange={(v) => v && setKind(v as ChannelKind)} allowDeselect={false}
        data={Object.entries(KIND_LABELS).map(([value, label]) => ({ value, label }))} data-testid="channel-kind" />
      <TextInput label={kind === 'matrix' ? 'Homeserver URL' : 'Webhook URL'} required={!channel} value={url} onChange={(e) => setUrl(e.currentTarget.value)}
        placeholder={hiddenUrl ? `${channel.url} (hidden: leave empty to keep)` : 'https://…'} error={errors.url} data-testid="channel-url"
        description={kind === 'slack' || kind === 'mattermost' ? 'The incoming-webhook URL carries its token: it is never shown again.' : undefined} />
      {kind === 'matrix' && <TextInput label="Room id" required value={roomId} onChange={(e) => setRoomId(e.currentTarget.value)} placeholder="!abcdef:matrix.example.org" error={errors.roomId} />}
      {(kind === 'webhook' || kind === 'matrix') && (
        <PasswordInput label={secretLabel} value={secret} onChange={(e) => setSecret(e.currentTarget.value)} error={errors.secret}
          placeholder={channel?.hasSecret ? 'set: leave empty to keep' : kind === 'matrix' ? 'required' : 'optional'} data-testid="channel-secret" />
      )}
      <MultiSelect label="Events sent to this channel" data={EVENT_OPTIONS} value={events} onChange={setEvents} clearable
        description="Escalation policies may also address the channel directly." />
      <Switch label="Enabled" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
      <ErrorAlert error={save.error} />
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>Cancel</Button>
        <Button onClick={submit} loading={save.busy} data-testid="channel-save">Save</Button>
      </Group>
    </Stack>
  );
}

/** Webhook, Slack, Mattermost and Matrix destinations, each with a test send. */
export function ChannelsPanel() {
  const query = useQuery({ queryKey: KEY, queryFn: () => api.get<Answer<'notificationChannels.list'>>('/notification-channels') });
  const [editing, setEditing] = useState<Channel | 'new' | null>(null);
  const test = useAction();
  const items = query.data?.items ?? [];
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">Secrets are stored sealed and never shown again. A test message goes through the queue: its outcome appears in the delivery log.</Text>
        <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')} data-testid="channel-add">Add channel</Button>
      </Group>
      <ErrorAlert error={query.error ?? test.error} />
      <Table withTableBorder highlightOnHover className="vigil-table">
        <Table.Thead>
          <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Kind</Table.Th><Table.Th>URL</Table.Th><Table.Th>Events</Table.Th><Table.Th>State</Table.Th><Table.Th /></Table.Tr>
        </Table.Thead>
        <Table.Tbody data-testid="channel-table">
          {items.length === 0 && <EmptyRow colSpan={6}>{query.isLoading ? 'Loading…' : 'No channels yet.'}</EmptyRow>}
          {items.map((c) => (
            <Table.Tr key={c.id} data-channel={c.name}>
              <Table.Td fw={500}>{c.name}</Table.Td>
              <Table.Td fz="sm">{KIND_LABELS[c.kind]}</Table.Td>
              <Table.Td fz="xs" ff="monospace" maw={260} style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{c.url}{c.roomId ? ` · ${c.roomId}` : ''}</Table.Td>
              <Table.Td><Group gap={4}>{c.events.map((e) => <Badge key={e} size="xs" variant="light">{EVENT_LABELS[e as keyof typeof EVENT_LABELS] ?? e}</Badge>)}</Group></Table.Td>
              <Table.Td><Badge size="sm" variant="light" color={c.enabled ? 'teal' : 'gray'}>{c.enabled ? 'enabled' : 'disabled'}</Badge></Table.Td>
              <Table.Td>
                <Group gap="xs" justify="flex-end" wrap="nowrap">
                  <Button size="xs" variant="light" leftSection={<IconSend size={14} />} disabled={!c.enabled} loading={test.busy} data-testid="channel-test"
                    onClick={() => void test.run(async () => {
                      await api.post(`/notification-channels/${c.id}/test`);
                      notifications.show({ color: 'teal', message: `A test message to ${c.name} is queued; see the delivery log.` });
                    })}>Send test</Button>
                  <Button size="xs" variant="default" onClick={() => setEditing(c)}>Edit</Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'Add a channel' : 'Edit channel'} size="lg">
        {editing !== null && <ChannelForm channel={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
      </Modal>
    </Stack>
  );
}
