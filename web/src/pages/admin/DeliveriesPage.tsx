import { useState } from 'react';
import { Button, Group, SegmentedControl, Select, Stack, Table } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { IconRefresh } from '@tabler/icons-react';
import { DELIVERY_KINDS, getDelivery, listDeliveries, retryDelivery, type DeliveryStatus } from '../../api/deliveries';
import { DateText, EmptyRow, PageHeader } from '../../components/common';
import { DeliveryDetails, DeliveryOutcomeCells, ExpandableRow, RelayOffAlert } from '../../components/deliveries';
import { ErrorAlert } from '../../components/errors';
import { LoadMore, usePagedList } from '../../components/pagedList';

const PAGE_SIZE = 50;
const kindLabel = (kind: string) => DELIVERY_KINDS.find((k) => k.value === kind)?.label ?? kind;

/**
 * Deliveries of every kind (mail to reporters, notifications, scheduled reports, and the work an
 * incident's change queued), failed ones first shown, with their attempts and Retry.
 */
export function DeliveriesPage() {
  const client = useQueryClient();
  const [status, setStatus] = useState<'all' | DeliveryStatus>('failed');
  const [kind, setKind] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const list = usePagedList(['admin', 'deliveries', 'list', status, kind],
    (cursor) => listDeliveries({ status: status === 'all' ? undefined : status, kind: kind ?? undefined, limit: PAGE_SIZE, cursor }));
  const { query, items } = list;

  return (
    <Stack gap="md">
      <PageHeader title="Deliveries" description="Everything Vigil sends out: mail to reporters, notifications, scheduled reports, and the work an incident's change queued. Each attempt is logged; failed ones can be retried here." />
      {list.first?.relayConfigured === false && (
        <RelayOffAlert>VIGIL_SMTP_RELAY_URL is not set: e-mail stays in the queue and goes out once a relay is configured. Webhooks and queued work go on.</RelayOffAlert>
      )}
      <Group justify="space-between">
        <Group>
          <SegmentedControl value={status} onChange={(v) => { setOpen(null); setStatus(v as typeof status); }} data-testid="delivery-status-filter"
            data={[{ value: 'failed', label: 'Failed' }, { value: 'queued', label: 'Queued' }, { value: 'sending', label: 'Sending' }, { value: 'sent', label: 'Sent' }, { value: 'all', label: 'All' }]} />
          <Select placeholder="Every kind" clearable data={DELIVERY_KINDS} value={kind} onChange={(v) => { setOpen(null); setKind(v); }} aria-label="Kind" data-testid="delivery-kind-filter" w={280} />
        </Group>
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
              <Table.Th>To</Table.Th>
              <Table.Th>What</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Attempts</Table.Th>
              <Table.Th>Last error / next attempt</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody data-testid="delivery-table">
            {items.length === 0 && <EmptyRow colSpan={8}>{query.isLoading ? 'Loading…' : status === 'failed' ? 'Nothing failed.' : 'No deliveries.'}</EmptyRow>}
            {items.map((d) => (
              <ExpandableRow key={d.id} id={d.id} expanded={open === d.id} onToggle={() => setOpen(open === d.id ? null : d.id)} colSpan={8}
                cells={<>
                  <Table.Td><DateText value={d.createdAt} /></Table.Td>
                  <Table.Td fz="sm">{kindLabel(d.kind)}</Table.Td>
                  <Table.Td fz="sm">{d.recipient}</Table.Td>
                  <Table.Td fz="sm" maw={280} style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={d.summary}>{d.summary}</Table.Td>
                  <DeliveryOutcomeCells d={d} />
                </>}
                details={() => (
                  <DeliveryDetails queryKey={['admin', 'deliveries', 'one', d.id]} load={() => getDelivery(d.id)}
                    attempts={{ answer: 'Answer', empty: () => 'No attempt yet.', testId: 'delivery-attempts' }}
                    retry={{ testId: 'delivery-retry', send: (x) => retryDelivery(x.id), message: (x) => `${kindLabel(x.kind)} to ${x.recipient}: queued to go out now.` }}
                    onRetried={() => void client.invalidateQueries({ queryKey: ['admin', 'deliveries', 'list'] })} />
                )} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore query={query} testId="delivery-load-more" />
    </Stack>
  );
}
