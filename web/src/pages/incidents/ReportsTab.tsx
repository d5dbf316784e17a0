// The reports on this incident (linked to it, or merged into a report that is), each linking to
// its report page.
import { Anchor, Stack, Table, Text } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Group } from '@mantine/core';
import { api, qs } from '../../api/client';
import { incidentReportsKey, reportPath, type Page, type Report } from '../../api/reports';
import { EmptyRow, formatDate } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { TlpBadge } from '../../components/incidentBadges';
import { Link } from '../../router';
import { ChannelText, ReportStatusBadge } from '../reports/reportBadges';
import { useIncident } from './useIncidentWrite';

const compact = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

export function ReportsTab() {
  const { incident } = useIncident();
  const q = useInfiniteQuery({
    queryKey: incidentReportsKey(incident.id),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => api.get<Page<Report>>(`/reports${qs({ incident: incident.id, limit: 100, cursor: pageParam })}`),
    getNextPageParam: (last) => last.nextCursor,
  });
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Stack gap="md">
      <ErrorAlert error={q.error} />
      <Table.ScrollContainer minWidth={900}>
        <Table withTableBorder className="vigil-table" verticalSpacing={6} data-testid="incident-reports-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Report</Table.Th>
              <Table.Th>Title</Table.Th>
              <Table.Th>Channel</Table.Th>
              <Table.Th>Reporter / organisation</Table.Th>
              <Table.Th>Received</Table.Th>
              <Table.Th>TLP</Table.Th>
              <Table.Th>Status</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {q.isLoading && <EmptyRow colSpan={7}>Loading…</EmptyRow>}
            {q.data && items.length === 0 && <EmptyRow colSpan={7}>No reports on this incident.</EmptyRow>}
            {items.map((r) => (
              <Table.Tr key={r.id} data-testid="incident-report-row" data-reference={r.reference}>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <Anchor component={Link} href={reportPath(r.reference)} ff="monospace" size="sm">{r.reference}</Anchor>
                </Table.Td>
                <Table.Td maw={260}><Text size="sm" truncate title={r.title}>{r.title}</Text></Table.Td>
                <Table.Td><ChannelText channel={r.channel} /></Table.Td>
                <Table.Td maw={180}>
                  <Text size="sm" truncate>{r.reporterName ?? r.reporterEmail ?? '—'}</Text>
                  {r.organisation && <Text size="xs" c="dimmed" truncate>{r.organisation}</Text>}
                </Table.Td>
                <Table.Td><Text span size="sm" title={formatDate(r.receivedAt, true)} style={{ whiteSpace: 'nowrap' }}>{compact.format(new Date(r.receivedAt))}</Text></Table.Td>
                <Table.Td><TlpBadge tlp={r.tlp} /></Table.Td>
                <Table.Td>
                  <ReportStatusBadge status={r.status} />
                  {r.mergedIntoReference && <Text size="xs" c="dimmed">into <Text span ff="monospace" size="xs">{r.mergedIntoReference}</Text></Text>}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {q.hasNextPage && (
        <Group justify="center">
          <Button variant="default" loading={q.isFetchingNextPage} onClick={() => void q.fetchNextPage()}>Load more</Button>
        </Group>
      )}
    </Stack>
  );
}
