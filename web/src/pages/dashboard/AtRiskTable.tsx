// The SLA clocks past their warning time, nearest deadline first: breached ones in red.
import { Anchor, Table, Text } from '@mantine/core';
import { humanize } from '../../api/incidents';
import type { AtRiskClock } from '../../api/dashboard';
import { EmptyRow, formatDate } from '../../components/common';
import { PriorityBadge, TlpBadge } from '../../components/incidentBadges';
import { Link } from '../../router';

/** "1 h 05 min" from minutes; days past a day. */
export function duration(minutes: number): string {
  const m = Math.abs(minutes);
  if (m < 60) return `${m} min`;
  if (m < 24 * 60) return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(m / 1440)} d ${Math.floor((m % 1440) / 60)} h`;
}

/** The time alone today, with the date on other days. */
function shortWhen(iso: string): string {
  const d = new Date(iso);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return d.toDateString() === new Date().toDateString() ? time : `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })}, ${time}`;
}

export function AtRiskTable({ clocks, total }: { clocks: AtRiskClock[]; total: number }) {
  return (
    <Table.ScrollContainer minWidth={820}>
      <Table verticalSpacing="xs" striped highlightOnHover data-testid="at-risk-table">
        {clocks.length > 0 && (
          <Table.Caption>
            {total > clocks.length ? `The ${clocks.length} nearest deadlines of ${total} clocks at risk.` : `${total} clock${total === 1 ? '' : 's'} at risk.`}
          </Table.Caption>
        )}
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Incident</Table.Th>
            <Table.Th>Title</Table.Th>
            <Table.Th>Priority</Table.Th>
            <Table.Th>Clock</Table.Th>
            <Table.Th>Assignee</Table.Th>
            <Table.Th>Deadline</Table.Th>
            <Table.Th>Time left</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {clocks.length === 0 && <EmptyRow colSpan={7}>No SLA clock is at risk.</EmptyRow>}
          {clocks.map((c) => (
            <Table.Tr key={`${c.reference}-${c.metric}`} data-breached={c.breached || undefined} style={c.breached ? { backgroundColor: 'var(--mantine-color-red-light)' } : undefined}>
              <Table.Td>
                <Anchor component={Link} href={`/incidents/${encodeURIComponent(c.reference)}`} ff="monospace" size="sm" style={{ whiteSpace: 'nowrap' }}>{c.reference}</Anchor>
              </Table.Td>
              <Table.Td maw={320}>
                <Text size="sm" truncate="end" title={c.title}>{c.title}</Text>
                {(c.tlp === 'RED' || c.tlp === 'AMBER+STRICT') && <TlpBadge tlp={c.tlp} size="xs" mt={2} />}
              </Table.Td>
              <Table.Td><PriorityBadge priority={c.priority} size="sm" /></Table.Td>
              <Table.Td><Text size="sm">{humanize(c.metric)}</Text></Table.Td>
              <Table.Td><Text size="sm" c={c.assignee ? undefined : 'dimmed'}>{c.assignee ?? 'Unassigned'}</Text></Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}><Text size="sm" title={formatDate(c.deadline, true)}>{shortWhen(c.deadline)}</Text></Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                {c.breached
                  ? <Text size="sm" fw={700} c="red">Overdue {duration(Math.max(1, -c.minutesLeft))}</Text>
                  : <Text size="sm" fw={600} c="orange">{c.minutesLeft < 1 ? '< 1 min' : duration(c.minutesLeft)} left</Text>}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
