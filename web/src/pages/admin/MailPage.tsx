import { useState } from 'react';
import { Button, Code, Group, SegmentedControl, Stack, Table, Tabs, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { IconMail, IconRefresh, IconTemplate } from '@tabler/icons-react';
import { api, qs } from '../../api/client';
import type { Answer, Schema } from '../../api/schema';
import { DateText, EmptyRow, PageHeader } from '../../components/common';
import { DeliveryDetails, DeliveryOutcomeCells, ExpandableRow, RelayOffAlert } from '../../components/deliveries';
import { ErrorAlert } from '../../components/errors';
import { LoadMore, usePagedList } from '../../components/pagedList';
import { MailTemplatesPanel } from './MailTemplates';

type Delivery = Schema<'MailDelivery'>;
type DeliveryDetail = Schema<'MailDeliveryDetail'>;
type DeliveryPage = Answer<'mailDeliveries.list'>;
type MailStatus = Delivery['status'];

const PAGE_SIZE = 50;

function DeliveriesPanel() {
  const client = useQueryClient();
  const [status, setStatus] = useState<'all' | MailStatus>('all');
  const [open, setOpen] = useState<string | null>(null);
  const list = usePagedList(['admin', 'mail', 'deliveries', status],
    (cursor) => api.get<DeliveryPage>(`/mail/deliveries${qs({ status: status === 'all' ? undefined : status, limit: PAGE_SIZE, cursor })}`));
  const { query, items } = list;

  return (
    <Stack gap="md">
      {list.first?.relayConfigured === false && (
        <RelayOffAlert>VIGIL_SMTP_RELAY_URL is not set: receipts and updates are kept in the queue and sent once a relay is configured.</RelayOffAlert>
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
            {items.map((d) => (
              <ExpandableRow key={d.id} id={d.id} expanded={open === d.id} onToggle={() => setOpen(open === d.id ? null : d.id)} colSpan={9}
                cells={<>
                  <Table.Td><DateText value={d.createdAt} /></Table.Td>
                  <Table.Td>{d.kind}</Table.Td>
                  <Table.Td ff="monospace" fz="xs">{d.reportReference}</Table.Td>
                  <Table.Td fz="sm">{d.recipient}</Table.Td>
                  <Table.Td fz="sm" maw={280} style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={d.subject}>{d.subject}</Table.Td>
                  <DeliveryOutcomeCells d={d} />
                </>}
                details={() => (
                  <DeliveryDetails queryKey={['admin', 'mail', 'delivery', d.id]} load={() => api.get<DeliveryDetail>(`/mail/deliveries/${d.id}`)}
                    attempts={{ answer: 'Relay answer', empty: () => 'No attempt yet.' }}
                    retry={{ testId: 'mail-retry', send: (x) => api.post(`/mail/deliveries/${x.id}/retry`), message: (x) => `The ${x.kind} to ${x.recipient} is queued to be sent now.` }}
                    onRetried={() => void client.invalidateQueries({ queryKey: ['admin', 'mail', 'deliveries'] })}>
                    {(x) => (
                      <>
                        <Group gap="lg">
                          <Text size="xs" c="dimmed">Message-ID <Code>{x.messageId}</Code></Text>
                          {x.inReplyTo && <Text size="xs" c="dimmed">In reply to <Code>{x.inReplyTo}</Code></Text>}
                        </Group>
                        <Code block style={{ whiteSpace: 'pre-wrap', maxHeight: 280, overflow: 'auto' }} data-testid="mail-body">{x.body}</Code>
                      </>
                    )}
                  </DeliveryDetails>
                )} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore query={query} testId="mail-load-more" />
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
