import { Fragment, useState } from 'react';
import { ActionIcon, Alert, Button, Group, SegmentedControl, Select, Stack, Table, Text } from '@mantine/core';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { IconChevronDown, IconChevronRight, IconInfoCircle, IconRefresh } from '@tabler/icons-react';
import { DELIVERY_KINDS, getDelivery, listDeliveries, retryDelivery, type DeliveryStatus } from '../../api/deliveries';
import { DateText, EmptyRow, PageHeader } from '../../components/common';
import { AttemptLog, DeliveryOutcomeCells } from '../../components/deliveries';
import { ErrorAlert } from '../../components/errors';
import { useAction } from '../../components/useAction';

const PAGE_SIZE = 50;
const kindLabel = (kind: string) => DELIVERY_KINDS.find((k) => k.value === kind)?.label ?? kind;

/** Every attempt of one delivery, loaded when its row is opened, with Retry. */
function DeliveryDetails({ id, onRetried }: { id: string; onRetried: () => void }) {
  const detail = useQuery({ queryKey: ['admin', 'deliveries', 'one', id], queryFn: () => getDelivery(id) });
  const retry = useAction();
  const d = detail.data;
  if (detail.error) return <ErrorAlert error={detail.error} />;
  if (!d) return <Text size="sm" c="dimmed">Loading…</Text>;
  return (
    <Stack gap="sm" p="xs">
      <AttemptLog attempts={d.attemptLog} answer="Answer" empty="No attempt yet." testId="delivery-attempts" />
      <ErrorAlert error={retry.error} />
      {(d.status === 'failed' || d.status === 'queued') && (
        <Group>
          <Button size="xs" variant="light" leftSection={<IconRefresh size={14} />} loading={retry.busy} data-testid="delivery-retry"
            onClick={() => void retry.run(async () => {
              await retryDelivery(d.id);
              notifications.show({ color: 'teal', message: `${kindLabel(d.kind)} to ${d.recipient}: queued to go out now.` });
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

/**
 * Deliveries of every kind (mail to reporters, notifications, scheduled reports, and the work an
 * incident's change queued), failed ones first shown, with their attempts and Retry.
 */
export function DeliveriesPage() {
  const client = useQueryClient();
  const [status, setStatus] = useState<'all' | DeliveryStatus>('failed');
  const [kind, setKind] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const query = useInfiniteQuery({
    queryKey: ['admin', 'deliveries', 'list', status, kind],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => listDeliveries({ status: status === 'all' ? undefined : status, kind: kind ?? undefined, limit: PAGE_SIZE, cursor: pageParam }),
    getNextPageParam: (last) => last.nextCursor,
  });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  const relayOff = query.data?.pages[0]?.relayConfigured === false;

  return (
    <Stack gap="md">
      <PageHeader title="Deliveries" description="Everything Vigil sends out: mail to reporters, notifications, scheduled reports, and the work an incident's change queued. Each attempt is logged; failed ones can be retried here." />
      {relayOff && (
        <Alert color="yellow" variant="light" icon={<IconInfoCircle size={18} />} title="No relay configured">
          VIGIL_SMTP_RELAY_URL is not set: e-mail stays in the queue and goes out once a relay is configured. Webhooks and queued work go on.
        </Alert>
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
                    <Table.Td fz="sm">{kindLabel(d.kind)}</Table.Td>
                    <Table.Td fz="sm">{d.recipient}</Table.Td>
                    <Table.Td fz="sm" maw={280} style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={d.summary}>{d.summary}</Table.Td>
                    <DeliveryOutcomeCells d={d} />
                  </Table.Tr>
                  {expanded && (
                    <Table.Tr className="vigil-expanded-row">
                      <Table.Td colSpan={8}>
                        <DeliveryDetails id={d.id} onRetried={() => void client.invalidateQueries({ queryKey: ['admin', 'deliveries', 'list'] })} />
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
          <Button variant="default" loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()} data-testid="delivery-load-more">Load more</Button>
        )}
      </Group>
    </Stack>
  );
}
