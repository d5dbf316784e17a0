import { Fragment, useState } from 'react';
import { ActionIcon, Alert, Button, Code, Group, Select, SegmentedControl, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { IconChevronDown, IconChevronRight, IconInfoCircle, IconRefresh } from '@tabler/icons-react';
import { api, qs } from '../../api/client';
import { useMe } from '../../auth/session';
import { hasPermission } from '../../auth/permissions';
import { DateText, EmptyRow } from '../../components/common';
import { AttemptLog, DeliveryOutcomeCells } from '../../components/deliveries';
import { ErrorAlert } from '../../components/errors';
import { useAction } from '../../components/useAction';
import { EVENT_LABELS, type DeliveryDetail, type DeliveryPage, type DeliveryStatus, type NotificationEvent } from './api';

const MEDIUM_LABEL = { in_app: 'in-app', email: 'e-mail', webhook: 'webhook' } as const;
const KEY = ['admin', 'notifications', 'deliveries'];

function Details({ id, onRetried }: { id: string; onRetried: () => void }) {
  const me = useMe();
  const detail = useQuery({ queryKey: ['admin', 'notifications', 'delivery', id], queryFn: () => api.get<DeliveryDetail>(`/notification-deliveries/${id}`) });
  const retry = useAction();
  const d = detail.data;
  if (detail.error) return <ErrorAlert error={detail.error} />;
  if (!d) return <Text size="sm" c="dimmed">Loading…</Text>;
  const canRetry = hasPermission(me, 'notification.manage') && d.medium !== 'in_app' && (d.status === 'failed' || d.status === 'queued');
  return (
    <Stack gap="sm" p="xs">
      <Text size="xs" c="dimmed">Key <Code>{d.dedupeKey}</Code></Text>
      <Code block style={{ whiteSpace: 'pre-wrap', maxHeight: 240, overflow: 'auto' }}>{d.body}</Code>
      <AttemptLog attempts={d.attemptLog} testId="attempt-log" empty={d.medium === 'in_app' ? 'In the inbox: nothing to send.' : 'No attempt yet.'} />
      <ErrorAlert error={retry.error} />
      {canRetry && (
        <Group>
          <Button size="xs" variant="light" leftSection={<IconRefresh size={14} />} loading={retry.busy} data-testid="notification-retry"
            onClick={() => void retry.run(async () => {
              await api.post(`/notification-deliveries/${d.id}/retry`);
              notifications.show({ color: 'teal', message: `Queued to be sent now to ${d.address ?? d.recipient}.` });
              await detail.refetch();
              onRetried();
            })}>
            {d.status === 'failed' ? 'Retry' : 'Send now'}
          </Button>
        </Group>
      )}
    </Stack>
  );
}

/** Every delivery, newest first, filtered by status, event and recipient. */
export function DeliveriesPanel() {
  const client = useQueryClient();
  const [status, setStatus] = useState<'all' | DeliveryStatus>('all');
  const [event, setEvent] = useState<string | null>(null);
  const [recipient, setRecipient] = useState('');
  const [who] = useDebouncedValue(recipient.trim(), 300);
  const [open, setOpen] = useState<string | null>(null);
  const query = useInfiniteQuery({
    queryKey: [...KEY, status, event, who],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => api.get<DeliveryPage>(`/notification-deliveries${qs({ status: status === 'all' ? undefined : status, event, recipient: who, limit: 50, cursor: pageParam })}`),
    getNextPageParam: (last) => last.nextCursor,
  });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  const relayOff = query.data?.pages[0]?.relayConfigured === false;
  return (
    <Stack gap="md">
      {relayOff && (
        <Alert color="yellow" variant="light" icon={<IconInfoCircle size={18} />} title="No relay configured">
          VIGIL_SMTP_RELAY_URL is not set: e-mail notifications stay queued (in-app and webhooks are delivered).
        </Alert>
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
            {items.map((d) => {
              const expanded = open === d.id;
              return (
                <Fragment key={d.id}>
                  <Table.Tr onClick={() => setOpen(expanded ? null : d.id)} style={{ cursor: 'pointer' }} aria-expanded={expanded} data-delivery={d.id} data-status={d.status}>
                    <Table.Td>
                      <ActionIcon variant="subtle" color="gray" size="sm" aria-label={expanded ? 'Collapse' : 'Expand'}>
                        {expanded ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
                      </ActionIcon>
                    </Table.Td>
                    <Table.Td><DateText value={d.createdAt} /></Table.Td>
                    <Table.Td fz="sm">{EVENT_LABELS[d.event as NotificationEvent] ?? d.event}</Table.Td>
                    <Table.Td fz="sm">{MEDIUM_LABEL[d.medium]}</Table.Td>
                    <Table.Td fz="sm" maw={220} style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={d.recipient}>{d.address ?? d.recipient}</Table.Td>
                    <Table.Td fz="sm" maw={280} style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={d.subject}>{d.subject}</Table.Td>
                    <DeliveryOutcomeCells d={d} />
                  </Table.Tr>
                  {expanded && (
                    <Table.Tr className="vigil-expanded-row">
                      <Table.Td colSpan={9}><Details id={d.id} onRetried={() => void client.invalidateQueries({ queryKey: KEY })} /></Table.Td>
                    </Table.Tr>
                  )}
                </Fragment>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="center">
        {query.hasNextPage && <Button variant="default" loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>Load more</Button>}
      </Group>
    </Stack>
  );
}
