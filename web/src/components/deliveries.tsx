// What every delivery log shows (every delivery, reporter mail, notifications): the status cells,
// a row that opens onto the delivery's details and attempts, and the Retry / Send now action.
import { Fragment, type ReactNode } from 'react';
import { ActionIcon, Alert, Badge, Button, Group, Stack, Table, Text } from '@mantine/core';
import { useQuery, type QueryKey } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { IconChevronDown, IconChevronRight, IconInfoCircle, IconRefresh } from '@tabler/icons-react';
import type { Schema } from '../api/schema';
import { DateText, EmptyRow } from './common';
import { ErrorAlert } from './errors';
import { useAction } from './useAction';

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

/** Told when the server has no SMTP relay: what waits for one and what goes on. */
export function RelayOffAlert({ children }: { children: ReactNode }) {
  return (
    <Alert color="yellow" variant="light" icon={<IconInfoCircle size={18} />} title="No relay configured">{children}</Alert>
  );
}

/**
 * Retry (a failed delivery) or Send now (a queued one), with what the request threw; nothing for a
 * delivery that is sending or sent, or when `allowed` is false.
 */
export function RetryAction({ status, allowed = true, testId, retry, message, onRetried }: {
  status: DeliveryState;
  allowed?: boolean;
  testId: string;
  retry: () => Promise<unknown>;
  /** The notice once it is queued to go out now. */
  message: string;
  onRetried: () => Promise<unknown> | void;
}) {
  const action = useAction();
  return (
    <>
      <ErrorAlert error={action.error} />
      {allowed && (status === 'failed' || status === 'queued') && (
        <Group>
          <Button size="xs" variant="light" leftSection={<IconRefresh size={14} />} loading={action.busy} data-testid={testId}
            onClick={() => void action.run(async () => {
              await retry();
              notifications.show({ color: 'teal', message });
              await onRetried();
            })}>
            {status === 'failed' ? 'Retry' : 'Send now'}
          </Button>
        </Group>
      )}
    </>
  );
}

type Attempts = { status: DeliveryState; attemptLog: { at: string; outcome: string; response: string | null }[] };

/**
 * One delivery's details, loaded when its row is opened: what `children` shows of it, then every
 * attempt and the retry action (`retry` null: no retry here).
 */
export function DeliveryDetails<D extends Attempts>({ queryKey, load, attempts, retry, onRetried, children }: {
  queryKey: QueryKey;
  load: () => Promise<D>;
  attempts: { empty: (d: D) => string; answer?: string; testId?: string };
  retry: null | { testId: string; allowed?: (d: D) => boolean; send: (d: D) => Promise<unknown>; message: (d: D) => string };
  /** After a retry (the detail itself is read again): refresh the list. */
  onRetried: () => void;
  children?: (d: D) => ReactNode;
}) {
  const detail = useQuery({ queryKey, queryFn: load });
  const d = detail.data;
  if (detail.error) return <ErrorAlert error={detail.error} />;
  if (!d) return <Text size="sm" c="dimmed">Loading…</Text>;
  return (
    <Stack gap="sm" p="xs">
      {children?.(d)}
      <AttemptLog attempts={d.attemptLog} answer={attempts.answer} empty={attempts.empty(d)} testId={attempts.testId} />
      {retry && (
        <RetryAction status={d.status} allowed={retry.allowed?.(d) ?? true} testId={retry.testId} retry={() => retry.send(d)} message={retry.message(d)}
          onRetried={async () => { await detail.refetch(); onRetried(); }} />
      )}
    </Stack>
  );
}

/**
 * A delivery's row that opens (on a click anywhere in it) onto a full-width row below holding
 * `details`; `cells` are its cells after the chevron. `data-delivery` names it for tests.
 */
export function ExpandableRow({ id, expanded, onToggle, colSpan, cells, details, status }: {
  id: string;
  expanded: boolean;
  onToggle: () => void;
  colSpan: number;
  cells: ReactNode;
  details: () => ReactNode;
  /** Also written as `data-status` when given. */
  status?: DeliveryState;
}) {
  return (
    <Fragment>
      <Table.Tr onClick={onToggle} style={{ cursor: 'pointer' }} aria-expanded={expanded} data-delivery={id} data-status={status}>
        <Table.Td>
          <ActionIcon variant="subtle" color="gray" size="sm" aria-label={expanded ? 'Collapse' : 'Expand'}>
            {expanded ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
          </ActionIcon>
        </Table.Td>
        {cells}
      </Table.Tr>
      {expanded && (
        <Table.Tr className="vigil-expanded-row">
          <Table.Td colSpan={colSpan}>{details()}</Table.Td>
        </Table.Tr>
      )}
    </Fragment>
  );
}
