// Table cells every delivery log shows (reporter mail, notifications): the status, the attempts,
// and when it was sent or why it was not and when it is tried next.
import { Badge, Table, Text } from '@mantine/core';
import { DateText } from './common';

export type DeliveryState = 'queued' | 'sending' | 'sent' | 'failed';

const STATUS_COLORS: Record<DeliveryState, string> = { queued: 'yellow', sending: 'blue', sent: 'teal', failed: 'red' };

export function DeliveryOutcomeCells({ d }: {
  d: { status: DeliveryState; attempts: number; lastError: string | null; sentAt: string | null; nextAttemptAt: string };
}) {
  return (
    <>
      <Table.Td><Badge size="sm" variant="light" color={STATUS_COLORS[d.status]}>{d.status}</Badge></Table.Td>
      <Table.Td>{d.attempts}</Table.Td>
      <Table.Td fz="xs" maw={300} style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={d.lastError ?? undefined}>
        {d.status === 'sent' ? <DateText value={d.sentAt} /> : (
          <>
            {d.lastError ?? '—'}
            {d.status === 'queued' && <Text span size="xs" c="dimmed"> · next <DateText value={d.nextAttemptAt} /></Text>}
          </>
        )}
      </Table.Td>
    </>
  );
}
