import { Fragment, useState } from 'react';
import { ActionIcon, Alert, Button, Code, Group, SegmentedControl, Stack, Table, Tabs, Text } from '@mantine/core';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { IconChevronDown, IconChevronRight, IconInfoCircle, IconMail, IconRefresh, IconTemplate } from '@tabler/icons-react';
import { api, qs } from '../../api/client';
import type { Answer, Schema } from '../../api/schema';
import { DateText, EmptyRow, PageHeader } from '../../components/common';
import { AttemptLog, DeliveryOutcomeCells } from '../../components/deliveries';
import { ErrorAlert } from '../../components/errors';
import { useAction } from '../../components/useAction';
import { MailTemplatesPanel } from './MailTemplates';

type Delivery = Schema<'MailDelivery'>;
type DeliveryDetail = Schema<'MailDeliveryDetail'>;
type DeliveryPage = Answer<'mailDeliveries.list'>;
type MailStatus = Delivery['status'];

const PAGE_SIZE = 50;

/** The body and the attempt log of one delivery, loaded when its row is opened. */
function DeliveryDetails({ id, onRetried }: { id: string; onRetried: () => void }) {
  const detail = useQuery({ queryKey: ['admin', 'mail', 'delivery', id], queryFn: () => api.get<DeliveryDetail>(`/mail/deliveries/${id}`) });
  const retry = useAction();
  const d = detail.data;
  if (detail.error) return <ErrorAlert error={detail.error} />;
  if (!d) return <Text size="sm" c="dimmed">Loading…</Text>;
  return (
    <Stack gap="sm" p="xs">
      <Group gap="lg">
        <Text size="xs" c="dimmed">Message-ID <Code>{d.messageId}</Code></Text>
        {d.inReplyTo && <Text size="xs" c="dimmed">In reply to <Code>{d.inReplyTo}</Code></Text>}
      </Group>
      <Code block style={{ whiteSpace: 'pre-wrap', maxHeight: 280, overflow: 'auto' }} data-testid="mail-body">{d.body}</Code>
      <AttemptLog attempts={d.attemptLog} answer="Relay answer" empty="No attempt yet." />
      <ErrorAlert error={retry.error} />
      {(d.status === 'failed' || d.status === 'queued') && (
        <Group>
          <Button size="xs" variant="light" leftSection={<IconRefresh size={14} />} loading={retry.busy} data-testid="mail-retry"
            onClick={() => void retry.run(async () => {
              await api.post(`/mail/deliveries/${d.id}/retry`);
              notifications.show({ color: 'teal', message: `The ${d.kind} to ${d.recipient} is queued to be sent now.` });
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

function DeliveriesPanel() {
  const client = useQueryClient();
  const [status, setStatus] = useState<'all' | MailStatus>('all');
  const [open, setOpen] = useState<string | null>(null);
  const query = useInfiniteQuery({
    queryKey: ['admin', 'mail', 'deliveries', status],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => api.get<DeliveryPage>(`/mail/deliveries${qs({ status: status === 'all' ? undefined : status, limit: PAGE_SIZE, cursor: pageParam })}`),
    getNextPageParam: (last) => last.nextCursor,
  });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  const relayOff = query.data?.pages[0]?.relayConfigured === false;

  return (
    <Stack gap="md">
      {relayOff && (
        <Alert color="yellow" variant="light" icon={<IconInfoCircle size={18} />} title="No relay configured">
          VIGIL_SMTP_RELAY_URL is not set: receipts and updates are kept in the queue and sent once a relay is configured.
        </Alert>
      )}
      <Group justify="space-between">
        <SegmentedControl value={status} onChange={(v) => { setOpen(null); setStatus(v as typeof status); }} data-testid="mail-status-filter"
          data={[{ value: 'all', label: 'All' }, { value: 'queued', label: 'Queued' }, { value: 'sending', label: 'Sending' }, { value: 'sent', label: 'Sent' }, { value: 'failed', label: 'Failed' }]} />
        <Button variant="default" size="xs" leftSection={<IconRefresh size={14} />} onClick={() => void query.refetch()}>Refresh</Button>
      </Group>
      <ErrorAlert error={query.error} />
      <Table.ScrollContainer minWidth={900}>
        <Table highlightOnHover withTableBorder className="vigil-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={36} />
              <Table.Th>Created</Table.Th>
              <Table.Th>Kind</Table.Th>
              <Table.Th>Report</Table.Th>
              <Table.Th>To</Table.Th>
              <Table.Th>Subject</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Attempts</Table.Th>
              <Table.Th>Last error / next attempt</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody data-testid="mail-table">
            {items.length === 0 && <EmptyRow colSpan={9}>{query.isLoading ? 'Loading…' : 'No outgoing mail.'}</EmptyRow>}
            {items.map((d) => {
              const expanded = open === d.id;
              return (
                <Fragment key={d.id}>
                  <Table.Tr onClick={() => setOpen(expanded ? null : d.id)} style={{ cursor: 'pointer' }} aria-expanded={expanded} data-delivery={d.id}>
                    <Table.Td>
                      <ActionIcon variant="subtle" color="gray" size="sm" aria-label={expanded ? 'Collapse' : 'Expand'}>
                        {expanded ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
                      </ActionIcon>
                    </Table.Td>
                    <Table.Td><DateText value={d.createdAt} /></Table.Td>
                    <Table.Td>{d.kind}</Table.Td>
                    <Table.Td ff="monospace" fz="xs">{d.reportReference}</Table.Td>
                    <Table.Td fz="sm">{d.recipient}</Table.Td>
                    <Table.Td fz="sm" maw={280} style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={d.subject}>{d.subject}</Table.Td>
                    <DeliveryOutcomeCells d={d} />
                  </Table.Tr>
                  {expanded && (
                    <Table.Tr className="vigil-expanded-row">
                      <Table.Td colSpan={9}>
                        <DeliveryDetails id={d.id} onRetried={() => void client.invalidateQueries({ queryKey: ['admin', 'mail', 'deliveries'] })} />
                      </Table.Td>
                    </Table.Tr>
                  )}
                </Fragment>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="center">
        {query.hasNextPage && (
          <Button variant="default" loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()} data-testid="mail-load-more">Load more</Button>
        )}
      </Group>
    </Stack>
  );
}

/** Outgoing mail to reporters: the delivery log with retries, and the receipt and update templates. */
export function MailPage() {
  const [tab, setTab] = useState<'deliveries' | 'templates'>('deliveries');
  return (
    <Stack gap="md">
      <PageHeader title="Outgoing mail" description="Receipts and status updates sent to reporters through the SMTP relay, each attempt logged and retried." />
      <Tabs value={tab} onChange={(v) => v && setTab(v as typeof tab)} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="deliveries" leftSection={<IconMail size={16} />} data-testid="tab-deliveries">Deliveries</Tabs.Tab>
          <Tabs.Tab value="templates" leftSection={<IconTemplate size={16} />} data-testid="tab-templates">Templates</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="deliveries"><DeliveriesPanel /></Tabs.Panel>
        <Tabs.Panel value="templates"><MailTemplatesPanel /></Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
