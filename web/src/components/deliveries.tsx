// Table cells every delivery log shows (reporter mail, notifications): the status, the attempts,
// and when it was sent or why it was not and when it is tried next.
import { Badge, Table, Text } from '@mantine/core';
import type { Schema } from '../api/schema';
import { DateText, EmptyRow } from './common';

/** The same four states for every kind of delivery (reporter mail, notifications, the delivery layer). */
export type DeliveryState = Schema<'Delivery'>['status'];

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

/** Every attempt to hand a delivery over, oldest first: when, the outcome, the answer. */
export function AttemptLog({ attempts, empty, answer = 'Answer', testId }: {
  attempts: { at: string; outcome: string; response: string | null }[];
  empty: string;
  answer?: string;
  testId?: string;
}) {
  return (
    <Table withTableBorder fz="xs">
      <Table.Thead><Table.Tr><Table.Th>Attempt</Table.Th><Table.Th>Outcome</Table.Th><Table.Th>{answer}</Table.Th></Table.Tr></Table.Thead>
      <Table.Tbody data-testid={testId}>
        {attempts.length === 0 && <EmptyRow colSpan={3}>{empty}</EmptyRow>}
        {attempts.map((a, i) => (
          <Table.Tr key={i}>
            <Table.Td><DateText value={a.at} seconds /></Table.Td>
            <Table.Td>{a.outcome}</Table.Td>
            <Table.Td ff="monospace" style={{ wordBreak: 'break-word' }}>{a.response ?? '—'}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
