// One alert: what the source's mapping made of it (parsed), the body it arrived in (raw), its
// arrivals and history, and the open incidents it may belong to.
import { useState } from 'react';
import { Anchor, Box, Button, Group, Paper, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconArrowBackUp } from '@tabler/icons-react';
import { api, ApiError } from '../../api/client';
import { humanize, incidentPath } from '../../api/incidents';
import { alertApi, alertKey, alertRawKey, alertSuggestions, DISMISSAL_LABELS, type AlertDetail, type QueueItem } from '../../api/triage';
import { DateText } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { TlpBadge } from '../../components/incidentBadges';
import { Link } from '../../router';
import { Fact } from '../reports/ReportPage';
import { AlertStatusBadge, ArrivalsBadge, KindBadge, SeverityBadge } from './badges';
import { BackToQueue, ItemLayout, NotFound } from './ItemLayout';
import { Heading, ObservableList, RawBytes, SuggestionBox } from './ItemParts';
import { ReopenAlertModal } from './TriageActionModals';

const none = <Text span size="sm" c="dimmed">—</Text>;
const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function Decision({ a }: { a: AlertDetail }) {
  if (a.status !== 'escalated' && a.status !== 'dismissed') return null;
  return (
    <Paper withBorder p="sm" data-testid="alert-decision">
      <Group gap="lg" wrap="wrap" align="flex-start">
        <Fact label="Decision">{a.status === 'escalated' ? 'Escalated to an incident' : `Dismissed: ${a.dismissal ? DISMISSAL_LABELS[a.dismissal].toLowerCase() : 'no reason'}`}</Fact>
        {a.incident && (
          <Fact label="Incident">
            <Anchor component={Link} href={incidentPath(a.incident.reference)} ff="monospace" size="sm" data-testid="alert-incident-link">{a.incident.reference}</Anchor>
            <Text span size="sm" c="dimmed"> · {a.incident.title}</Text>
          </Fact>
        )}
        {a.decidedAt && <Fact label="Decided"><DateText value={a.decidedAt} /></Fact>}
      </Group>
      {a.dismissalNote && <Text size="sm" mt="xs" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} data-testid="alert-dismissal-note">{a.dismissalNote}</Text>}
    </Paper>
  );
}

function Parsed({ a }: { a: AlertDetail }) {
  const fields = Object.entries(a.fields);
  return (
    <Stack gap="md">
      <Paper withBorder p="md">
        <SimpleGrid cols={{ base: 2, md: 4 }} spacing="md" verticalSpacing="sm">
          <Fact label="Source">{a.sourceName}</Fact>
          <Fact label="Source reference">{a.sourceRef ? <Text span size="sm" ff="monospace">{a.sourceRef}</Text> : none}</Fact>
          <Fact label="Observed">{a.observedAt ? <DateText value={a.observedAt} /> : none}</Fact>
          <Fact label="Arrivals"><Text span size="sm" data-testid="alert-arrivals">{a.arrivals}</Text></Fact>
          <Fact label="First seen"><DateText value={a.createdAt} /></Fact>
          <Fact label="Last seen"><DateText value={a.lastSeen} /></Fact>
          <Fact label="Last changed"><DateText value={a.updatedAt} /></Fact>
          <Fact label="Fingerprint"><Text span size="xs" ff="monospace" title={a.fingerprint}>{a.fingerprint.slice(0, 16)}…</Text></Fact>
        </SimpleGrid>
      </Paper>
      <Paper withBorder p="md">
        <Heading>Description</Heading>
        {a.description ? (
          <Box component="pre" m={0} fz="sm" ff="monospace" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', maxHeight: '50vh', overflow: 'auto' }}
            data-testid="alert-description">{a.description}</Box>
        ) : <Text size="sm" c="dimmed">No description.</Text>}
      </Paper>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <SuggestionBox suggestions={alertSuggestions(a)} />
        <ObservableList observables={a.observables} />
      </SimpleGrid>
      {fields.length > 0 && (
        <Paper withBorder p="md" data-testid="alert-fields">
          <Heading>Fields kept from the source</Heading>
          <Table verticalSpacing={4} horizontalSpacing="xs">
            <Table.Tbody>
              {fields.map(([k, v]) => (
                <Table.Tr key={k}>
                  <Table.Td w={180}><Text size="sm" ff="monospace" c="dimmed">{k}</Text></Table.Td>
                  <Table.Td><Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' }}>{show(v)}</Text></Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <Paper withBorder p="md" data-testid="alert-arrival-list">
          <Heading>{a.arrivals > a.arrivalList.length ? `Arrivals (latest ${a.arrivalList.length} of ${a.arrivals})` : 'Arrivals'}</Heading>
          <Stack gap={2} mah={260} style={{ overflow: 'auto' }}>
            {a.arrivalList.map((x) => (
              <Group key={`${x.intakeItemId}:${x.position}`} gap="xs" wrap="nowrap">
                <DateText value={x.receivedAt} seconds />
                <Text size="xs" c="dimmed" ff="monospace" title={`intake item ${x.intakeItemId}, alert ${x.position + 1} of its body`}>
                  item {x.intakeItemId.slice(0, 8)}{x.position > 0 ? ` #${x.position + 1}` : ''}
                </Text>
              </Group>
            ))}
          </Stack>
        </Paper>
        <Paper withBorder p="md" data-testid="alert-history">
          <Heading>History</Heading>
          {a.events.length === 0 ? <Text size="sm" c="dimmed">Nothing done yet.</Text> : (
            <Stack gap={6}>
              {a.events.map((e) => (
                <Stack key={e.id} gap={0}>
                  <Group gap={6} wrap="wrap">
                    <Text size="sm" fw={500}>{humanize(e.kind)}</Text>
                    <Text size="sm" c="dimmed">by {e.actor}</Text>
                    <DateText value={e.at} />
                  </Group>
                  {typeof e.data.reason === 'string' && <Text size="xs" c="dimmed">Reason: {humanize(e.data.reason)}</Text>}
                  {typeof e.data.note === 'string' && <Text size="xs" c="dimmed" style={{ whiteSpace: 'pre-wrap' }}>{e.data.note}</Text>}
                  {typeof e.data.incident === 'string' && <Text size="xs" c="dimmed">Incident {e.data.incident}</Text>}
                </Stack>
              ))}
            </Stack>
          )}
        </Paper>
      </SimpleGrid>
    </Stack>
  );
}

export function AlertPage({ param }: { param: string }) {
  const [reopening, setReopening] = useState(false);
  const query = useQuery({
    queryKey: alertKey(param),
    queryFn: () => api.get<AlertDetail>(alertApi(param)),
    retry: (n, err) => !(err instanceof ApiError && err.status < 500) && n < 2,
    refetchOnWindowFocus: true,
  });
  if (query.error instanceof ApiError && query.error.status === 404) return <NotFound what="alert" />;
  if (!query.data) return <Stack gap="md"><BackToQueue /><ErrorAlert error={query.error} />{query.isLoading && <Text c="dimmed">Loading…</Text>}</Stack>;
  const a = query.data;
  const item: QueueItem = { kind: 'alert', key: `alert:${a.id}`, reference: a.reference, title: a.title, receivedAt: a.createdAt, severity: a.severity, tlp: a.tlp, alert: a };

  return (
    <>
      <ItemLayout item={item} heading={a.title} suggestions={alertSuggestions(a)} correlation={a.correlation}
        badges={(
          <>
            <KindBadge kind="alert" />
            <AlertStatusBadge status={a.status} data-testid="alert-status" />
            <SeverityBadge severity={a.severity} />
            <TlpBadge tlp={a.tlp} />
            <ArrivalsBadge arrivals={a.arrivals} />
            <Text span size="sm" c="dimmed">{a.sourceName}</Text>
          </>
        )}
        decision={<Decision a={a} />}
        extraActions={a.allowed.reopen ? (
          <Button variant="default" leftSection={<IconArrowBackUp size={16} />} onClick={() => setReopening(true)} data-testid="item-reopen">Reopen…</Button>
        ) : null}
        parsed={<Parsed a={a} />}
        raw={<RawBytes path={alertApi(a.id, 'raw')} queryKey={alertRawKey(a.id)} filename={`${a.reference}.raw`}
          note={a.arrivals > 1 ? 'This is the body of its first arrival; a body may hold several alerts.' : 'A body may hold several alerts.'} />}
      />
      {reopening && <ReopenAlertModal alert={a} onClose={() => setReopening(false)} />}
    </>
  );
}
