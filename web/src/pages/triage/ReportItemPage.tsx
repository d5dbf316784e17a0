// One report seen from the triage queue: its fields and text beside what triage adds (the
// observables in it, the suggestion, replies and repeats, attachments) and the correlation panel.
import { useState } from 'react';
import { Anchor, Badge, Box, Button, Group, Paper, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconArrowMerge, IconExternalLink } from '@tabler/icons-react';
import { api, ApiError } from '../../api/client';
import { CHANNEL_LABELS, reportApi, reportKey, reportPath, type Report } from '../../api/reports';
import { reportSeverity, reportTriageKey, reportUrgency, type AbuseReport, type QueueItem, type ReportTriage } from '../../api/triage';
import { formatBytes } from '../../api/work';
import { DateText } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { TlpBadge } from '../../components/incidentBadges';
import { Link } from '../../router';
import { RawView } from '../reports/RawView';
import { Fact } from '../reports/ReportPage';
import { ReportStatusBadge } from '../reports/reportBadges';
import { TriageModal } from '../reports/TriageModals';
import { KindBadge, SeverityBadge } from './badges';
import { BackToQueue, ItemLayout, NotFound } from './ItemLayout';
import { Heading, ObservableList, SuggestionBox } from './ItemParts';

const none = <Text span size="sm" c="dimmed">—</Text>;
const KIND_LABELS = { repeat: 'Repeat', reply: 'Reply', reporter_update: 'Reporter update' } as const;

const FORMAT_LABELS = { arf: 'ARF', 'x-arf': 'X-ARF' } as const;

/** The ARF and X-ARF reports in a report: what kind of abuse, when, the class it suggests and every field. */
function AbuseReports({ reports }: { reports: AbuseReport[] }) {
  return (
    <Paper withBorder p="md" data-testid="abuse-reports">
      <Heading>Abuse reports in this message</Heading>
      <Stack gap="md">
        {reports.map((a, i) => (
          <Stack key={i} gap={4}>
            <Group gap={6} wrap="wrap">
              <Badge size="sm" variant="light" color="gray" radius="xs">{FORMAT_LABELS[a.format]}</Badge>
              <Text size="sm" fw={500}>{a.kind}</Text>
              {a.observedAt && <Text size="xs" c="dimmed">observed <DateText value={a.observedAt} /></Text>}
              {a.classification && <Text size="xs" c="dimmed">suggests {a.classification.class} / {a.classification.type}</Text>}
            </Group>
            <Table verticalSpacing={2} horizontalSpacing="xs">
              <Table.Tbody>
                {Object.entries(a.fields).map(([k, v]) => (
                  <Table.Tr key={k}>
                    <Table.Th w="30%"><Text size="xs" ff="monospace">{k}</Text></Table.Th>
                    <Table.Td><Text size="xs" ff="monospace" style={{ overflowWrap: 'anywhere' }}>{Array.isArray(v) ? v.join(', ') : v}</Text></Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Stack>
        ))}
      </Stack>
    </Paper>
  );
}

function Parsed({ r, t, tError }: { r: Report; t: ReportTriage | undefined; tError: unknown }) {
  return (
    <Stack gap="md">
      <Paper withBorder p="md">
        <SimpleGrid cols={{ base: 2, md: 4 }} spacing="md" verticalSpacing="sm">
          <Fact label="Reporter">{r.reporterName ?? none}</Fact>
          <Fact label="Organisation">{r.organisation ?? none}</Fact>
          <Fact label="E-mail">{r.reporterEmail ? <Text span size="sm" ff="monospace">{r.reporterEmail}</Text> : none}</Fact>
          <Fact label="Phone">{r.reporterPhone ? <Text span size="sm" ff="monospace">{r.reporterPhone}</Text> : none}</Fact>
          <Fact label="Received"><DateText value={r.receivedAt} /></Fact>
          <Fact label="Channel">{CHANNEL_LABELS[r.channel]}{r.source ? ` · ${r.source}` : ''}</Fact>
          <Fact label="Last changed"><DateText value={r.updatedAt} /></Fact>
          <Fact label="Version"><Text span size="sm" ff="monospace">{r.version}</Text></Fact>
        </SimpleGrid>
      </Paper>
      <Paper withBorder p="md">
        <Heading>Body</Heading>
        {r.body ? (
          <Box component="pre" m={0} fz="sm" ff="monospace" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', maxHeight: '50vh', overflow: 'auto' }}
            data-testid="report-body">{r.body}</Box>
        ) : <Text size="sm" c="dimmed">No body.</Text>}
      </Paper>
      {tError ? <ErrorAlert error={tError} title="What triage adds could not be read" /> : null}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <SuggestionBox suggestions={t?.suggestions} />
        <ObservableList observables={t?.observables} />
      </SimpleGrid>
      {(t?.abuseReports?.length ?? 0) > 0 && <AbuseReports reports={t!.abuseReports!} />}
      {(t?.messages?.length ?? 0) > 0 && (
        <Paper withBorder p="md" data-testid="report-messages">
          <Heading>Replies and repeats</Heading>
          <Stack gap="sm">
            {t!.messages!.map((m) => (
              <Stack key={m.id} gap={2}>
                <Group gap={6} wrap="wrap">
                  <Badge size="xs" variant="light" color="gray" radius="xs">{KIND_LABELS[m.kind]}</Badge>
                  <DateText value={m.receivedAt} />
                  {m.sender && <Text size="xs" c="dimmed" ff="monospace">{m.sender}</Text>}
                </Group>
                {m.subject && <Text size="sm" fw={500}>{m.subject}</Text>}
                <Box component="pre" m={0} fz="xs" ff="monospace" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', maxHeight: 200, overflow: 'auto' }}>{m.body}</Box>
              </Stack>
            ))}
          </Stack>
        </Paper>
      )}
      {(t?.attachments?.length ?? 0) > 0 && (
        <Paper withBorder p="md" data-testid="report-attachments">
          <Heading>Attachments</Heading>
          <Table verticalSpacing={4} horizontalSpacing="xs">
            <Table.Tbody>
              {t!.attachments!.map((f) => (
                <Table.Tr key={f.id}>
                  <Table.Td><Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>{f.filename}</Text></Table.Td>
                  <Table.Td><Text size="xs" c="dimmed">{f.contentType}</Text></Table.Td>
                  <Table.Td><Text size="xs" style={{ whiteSpace: 'nowrap' }}>{formatBytes(f.size)}</Text></Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {!f.stored && <Badge size="xs" color="gray" variant="light">not kept</Badge>}
                      {f.flags.map((fl) => <Badge key={fl} size="xs" color="yellow" variant="light" tt="none">{fl}</Badge>)}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
    </Stack>
  );
}

export function ReportItemPage({ param }: { param: string }) {
  const [merging, setMerging] = useState(false);
  const query = useQuery({
    queryKey: reportKey(param),
    queryFn: () => api.get<Report>(reportApi(param)),
    retry: (n, err) => !(err instanceof ApiError && err.status < 500) && n < 2,
  });
  const id = query.data?.id;
  // Older servers have no triage view: the page still works without it.
  const triage = useQuery({
    queryKey: reportTriageKey(id ?? ''),
    queryFn: () => api.get<ReportTriage>(`/reports/${encodeURIComponent(id!)}/triage`),
    enabled: !!id,
    retry: false,
  });
  if (query.error instanceof ApiError && query.error.status === 404) return <NotFound what="report" />;
  if (!query.data) return <Stack gap="md"><BackToQueue /><ErrorAlert error={query.error} />{query.isLoading && <Text c="dimmed">Loading…</Text>}</Stack>;
  const r = query.data;
  const t = triage.data;
  const missing = triage.error instanceof ApiError && (triage.error.status === 404 || triage.error.status === 405) && triage.error.code !== 'VIG_REPORT_NOT_FOUND';
  const severity = reportSeverity(t?.suggestions, reportUrgency(r));
  const item: QueueItem = { kind: 'report', key: `report:${r.id}`, reference: r.reference, title: r.title, receivedAt: r.receivedAt, severity, tlp: r.tlp, report: r };

  return (
    <>
      <ItemLayout item={item} heading={r.title} suggestions={t?.suggestions}
        correlation={t?.correlation ?? (triage.isError ? [] : undefined)} correlationMissing={missing}
        badges={(
          <>
            <KindBadge kind="report" />
            <ReportStatusBadge status={r.status} data-testid="report-status" data-value={r.status} />
            {r.status === 'new' && <SeverityBadge severity={severity} title="From the suggested priority; a report counts as medium without one" />}
            <TlpBadge tlp={r.tlp} />
            <Text span size="sm" c="dimmed">{CHANNEL_LABELS[r.channel]}</Text>
          </>
        )}
        decision={r.status !== 'new' ? (
          <Paper withBorder p="sm" data-testid="report-decision">
            <Text size="sm">
              This report is {r.status}{r.incident ? <> to <Anchor component={Link} href={`/incidents/${r.incident.reference}`} ff="monospace" size="sm">{r.incident.reference}</Anchor></> : ''}.
              {' '}The full report page has the decision and its history.
            </Text>
          </Paper>
        ) : null}
        extraActions={(
          <>
            {r.allowed.merge && <Button variant="light" leftSection={<IconArrowMerge size={16} />} onClick={() => setMerging(true)} data-testid="item-merge">Merge…</Button>}
            <Button variant="default" component={Link} href={reportPath(r.reference)} leftSection={<IconExternalLink size={16} />}>Report page</Button>
          </>
        )}
        parsed={<Parsed r={r} t={t} tError={missing ? null : triage.error} />}
        raw={<RawView report={r} />}
      />
      {merging && <TriageModal kind="merge" reports={[r]} onClose={() => setMerging(false)} />}
    </>
  );
}
