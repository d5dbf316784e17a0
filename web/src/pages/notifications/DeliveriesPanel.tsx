import { useState } from 'react';
import { Button, Code, Group, Select, SegmentedControl, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { IconRefresh } from '@tabler/icons-react';
import { api, qs } from '../../api/client';
import { useMe } from '../../auth/session';
import { hasPermission } from '../../auth/permissions';
import { DateText, EmptyRow } from '../../components/common';
import { DeliveryDetails, DeliveryOutcomeCells, ExpandableRow, RelayOffAlert } from '../../components/deliveries';
import { ErrorAlert } from '../../components/errors';
import { LoadMore, usePagedList } from '../../components/pagedList';
import { EVENT_LABELS, type DeliveryDetail, type DeliveryPage, type DeliveryStatus, type NotificationEvent } from './api';

const MEDIUM_LABEL = { in_app: 'in-app', email: 'e-mail', webhook: 'webhook' } as const;
const KEY = ['admin', 'notifications', 'deliveries'];

/** Every delivery, newest first, filtered by status, event and recipient. */
export function DeliveriesPanel() {
  const client = useQueryClient();
  const me = useMe();
  const [status, setStatus] = useState<'all' | DeliveryStatus>('all');
  const [event, setEvent] = useState<string | null>(null);
  const [recipient, setRecipient] = useState('');
  const [who] = useDebouncedValue(recipient.trim(), 300);
  const [open, setOpen] = useState<string | null>(null);
  const list = usePagedList([...KEY, status, event, who],
    (cursor) => api.get<DeliveryPage>(`/notification-deliveries${qs({ status: status === 'all' ? undefined : status, event, recipient: who, limit: 50, cursor })}`));
  const { query, items } = list;
  return (
    <Stack gap="md">
      {list.first?.relayConfigured === false && (
        <RelayOffAlert>VIGIL_SMTP_RELAY_URL is not set: e-mail notifications stay queued (in-app and webhooks are delivered).</RelayOffAlert>
      )}
      <Group justify="space-between" align="flex-end">
        <Group align="flex-end">
          <SegmentedControl value={status} onChange={(v) => { setOpen(null); setStatus(v as typeof status); }} data-testid="notification-status-filter"
            data={[{ value: 'all', label: 'All' }, { value: 'queued', label: 'Queued' }, { value: 'sending', label: 'Sending' }, { value: 'sent', label: 'Sent' }, { value: 'failed', label: 'Failed' }]} />
          <Select placeholder="Any event" clearable value={event} onChange={setEvent} w={200} aria-label="Event"
            data={Object.entries(EVENT_LABELS).map(([value, label]) => ({ value, label }))} />
          <TextInput placeholder="Recipient contains…" value={recipient} onChange={(e) => setRecipient(e.currentTarget.value)} w={220} aria-label="Recipient" />
        </Group>
        <Button variant="default" size="xs" leftSection={<IconRefresh size={14} />} onClick={() => void query.refetch()}>Refresh</Button>
      </Group>
      <ErrorAlert error={query.error} />
      <Table.ScrollContainer minWidth={900}>
        <Table highlightOnHover withTableBorder className="vigil-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={36} /><Table.Th>Created</Table.Th><Table.Th>Event</Table.Th><Table.Th>Via</Table.Th><Table.Th>To</Table.Th>
              <Table.Th>Subject</Table.Th><Table.Th>Status</Table.Th><Table.Th>Attempts</Table.Th><Table.Th>Last error / next attempt</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody data-testid="notification-log">
            {items.length === 0 && <EmptyRow colSpan={9}>{query.isLoading ? 'Loading…' : 'No notifications.'}</EmptyRow>}
            {items.map((d) => (
              <ExpandableRow key={d.id} id={d.id} status={d.status} expanded={open === d.id} onToggle={() => setOpen(open === d.id ? null : d.id)} colSpan={9}
                cells={<>
                  <Table.Td><DateText value={d.createdAt} /></Table.Td>
                  <Table.Td fz="sm">{EVENT_LABELS[d.event as NotificationEvent] ?? d.event}</Table.Td>
                  <Table.Td fz="sm">{MEDIUM_LABEL[d.medium]}</Table.Td>
                  <Table.Td fz="sm" maw={220} style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={d.recipient}>{d.address ?? d.recipient}</Table.Td>
                  <Table.Td fz="sm" maw={280} style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={d.subject}>{d.subject}</Table.Td>
                  <DeliveryOutcomeCells d={d} />
                </>}
                details={() => (
                  <DeliveryDetails queryKey={['admin', 'notifications', 'delivery', d.id]} load={() => api.get<DeliveryDetail>(`/notification-deliveries/${d.id}`)}
                    attempts={{ empty: (x) => (x.medium === 'in_app' ? 'In the inbox: nothing to send.' : 'No attempt yet.'), testId: 'attempt-log' }}
                    retry={{
                      testId: 'notification-retry',
                      allowed: (x) => hasPermission(me, 'notification.manage') && x.medium !== 'in_app',
                      send: (x) => api.post(`/notification-deliveries/${x.id}/retry`),
                      message: (x) => `Queued to be sent now to ${x.address ?? x.recipient}.`,
                    }}
                    onRetried={() => void client.invalidateQueries({ queryKey: KEY })}>
                    {(x) => (
                      <>
                        <Text size="xs" c="dimmed">Key <Code>{x.dedupeKey}</Code></Text>
                        <Code block style={{ whiteSpace: 'pre-wrap', maxHeight: 240, overflow: 'auto' }}>{x.body}</Code>
                      </>
                    )}
                  </DeliveryDetails>
                )} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore query={query} />
    </Stack>
  );
}
