// Feeds: the machine feeds the team takes in. Pick a feed to see the reports handed to it (lines
// read, events stored, lines refused with their reasons, events routed) and its events; hand it a
// report; managers configure feeds here.
import { useState, type FormEvent } from 'react';
import {
  Badge, Button, FileInput, Group, Paper, Select, SegmentedControl, Stack, Switch, Table, Text, Textarea, TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { IconPlus, IconRefresh, IconUpload } from '@tabler/icons-react';
import {
  createFeed, FEED_PARSERS, feedsKey, getFeedReport, listFeedEvents, listFeedReports, listFeeds, uploadFeedReport,
  type Feed, type FeedEvent, type FeedReport,
} from '../../api/feeds';
import { usePermission } from '../../auth/permissions';
import { DateText, EmptyRow, PageHeader, Section } from '../../components/common';
import { ExpandableRow } from '../../components/deliveries';
import { ErrorAlert, fieldErrors } from '../../components/errors';
import { LoadMore, usePagedList } from '../../components/pagedList';

const TLPS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
const count = (n: number, word: string) => `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`;
const STATUS_COLOR: Record<FeedReport['status'], string> = { received: 'gray', parsing: 'blue', parsed: 'teal', failed: 'red' };

/** The event's main value, as a person scans a list: the address, name, URL or AS it is about. */
function subjectOf(e: FeedEvent['event']): string {
  for (const k of ['source.ip', 'source.network', 'source.fqdn', 'source.url', 'source.asn', 'destination.ip', 'destination.fqdn', 'destination.url']) {
    const v = e[k];
    if (typeof v === 'string' || typeof v === 'number') return `${k.replace('.', ' ')}: ${v}`;
  }
  return '—';
}

function NewFeedForm({ onDone }: { onDone: (f: Feed) => void }) {
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [parser, setParser] = useState<Feed['parser']>('intelmq');
  const [provider, setProvider] = useState('');
  const [type, setType] = useState('');
  const [tlp, setTlp] = useState<Feed['tlp']>('AMBER');
  const [settings, setSettings] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [settingsError, setSettingsError] = useState<string | null>(null);
  const errors = fieldErrors(error);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    let parserSettings: Record<string, unknown> = {};
    if (settings.trim()) {
      try {
        parserSettings = JSON.parse(settings) as Record<string, unknown>;
      } catch {
        setSettingsError('The settings are not valid JSON.');
        return;
      }
    }
    setSettingsError(null);
    setBusy(true);
    setError(null);
    try {
      const f = await createFeed({ name, parser, provider: provider || undefined, classificationType: type.trim() || null, tlp, parserSettings });
      await client.invalidateQueries({ queryKey: feedsKey });
      notifications.show({ color: 'teal', message: `Feed "${f.name}" configured.` });
      onDone(f);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Paper withBorder p="md">
      <form onSubmit={(e) => void submit(e)} aria-label="New feed">
        <Stack gap="sm">
          <ErrorAlert error={error} />
          <Group grow align="flex-start">
            <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} data-testid="feed-name" />
            <Select label="Parser" data={FEED_PARSERS} value={parser} allowDeselect={false} onChange={(v) => v && setParser(v as Feed['parser'])} data-testid="feed-parser" comboboxProps={{ withinPortal: true }} />
            <TextInput label="Provider" value={provider} onChange={(e) => setProvider(e.currentTarget.value)} />
          </Group>
          <Group grow align="flex-start">
            <TextInput label="Classification type" description="RSIT type of events that do not say (e.g. scanner)" value={type} onChange={(e) => setType(e.currentTarget.value)} data-testid="feed-type" />
            <Select label="TLP" data={[...TLPS]} value={tlp} allowDeselect={false} onChange={(v) => v && setTlp(v as Feed['tlp'])} comboboxProps={{ withinPortal: true }} />
          </Group>
          <Textarea label="Parser settings (JSON)" autosize minRows={2} maxRows={12} value={settings} onChange={(e) => setSettings(e.currentTarget.value)}
            description='A CSV feed names its mapping, e.g. {"mapping": "shadowserver/scan"}; a list gives its type, e.g. {"classificationType": "blacklist"}.'
            error={settingsError ?? errors.parserSettings} styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }} data-testid="feed-settings" />
          {error !== null && Array.isArray((error as { problem?: { problems?: unknown } }).problem?.problems) && (
            <Stack gap={2} data-testid="feed-settings-problems">
              {((error as { problem: { problems: { path: string; message: string }[] } }).problem.problems).map((p) => (
                <Text key={`${p.path}:${p.message}`} size="sm" c="red.4">{p.path || 'settings'}: {p.message}</Text>
              ))}
            </Stack>
          )}
          <Group justify="flex-end">
            <Button type="submit" loading={busy} data-testid="feed-create">Configure feed</Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function ReportDetail({ report }: { report: FeedReport }) {
  const q = useQuery({ queryKey: ['feeds', 'report', report.id, report.status], queryFn: () => getFeedReport(report.id) });
  if (q.error) return <ErrorAlert error={q.error} />;
  if (!q.data) return <Text size="sm" c="dimmed">Loading…</Text>;
  const r = q.data;
  return (
    <Stack gap="xs" data-testid="feed-report-detail">
      <Text size="sm">
        {count(r.lines, 'line')} read{r.encoding ? ` (${r.encoding})` : ''}; {count(r.events, 'event')} stored, {r.routed.toLocaleString()} of them routed to a constituent;
        {' '}{count(r.failed, 'line')} refused{r.duplicates ? `; ${count(r.duplicates, 'event')} already stored` : ''}. SHA-256 {r.sha256}.
      </Text>
      {r.error && <Text size="sm" c="red.4">Reading stopped: {r.error}</Text>}
      {r.parseErrors.length > 0 && (
        <Table withTableBorder className="vigil-table" data-testid="feed-parse-errors">
          <Table.Thead><Table.Tr><Table.Th w={70}>Line</Table.Th><Table.Th>Why it was refused</Table.Th><Table.Th>The line</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {r.parseErrors.map((e) => (
              <Table.Tr key={e.line} data-testid="feed-parse-error">
                <Table.Td>{e.line}</Table.Td>
                <Table.Td fz="sm">{e.reason}</Table.Td>
                <Table.Td fz="xs" ff="monospace" style={{ overflowWrap: 'anywhere' }}>{e.raw}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

function FeedPanel({ feed }: { feed: Feed }) {
  const client = useQueryClient();
  const canIngest = usePermission('feed.ingest');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [which, setWhich] = useState<'all' | 'unrouted'>('all');
  const reports = usePagedList(['feeds', 'reports', feed.id], (cursor) => listFeedReports(feed.id, cursor));
  const events = usePagedList(['feeds', 'events', feed.id, which], (cursor) => listFeedEvents({ feed: feed.id, unrouted: which === 'unrouted', cursor }));
  const reading = reports.items.some((r) => r.status === 'received' || r.status === 'parsing');
  // While a report waits or is read, its counts are refreshed every two seconds.
  useQuery({
    queryKey: ['feeds', 'reports-poll', feed.id],
    queryFn: async () => {
      await client.invalidateQueries({ queryKey: ['feeds', 'reports', feed.id] });
      await client.invalidateQueries({ queryKey: ['feeds', 'events', feed.id] });
      return Date.now();
    },
    enabled: reading,
    refetchInterval: 2000,
  });

  const upload = async () => {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const r = await uploadFeedReport(feed.id, file);
      setFile(null);
      setOpen(r.id);
      await client.invalidateQueries({ queryKey: ['feeds', 'reports', feed.id] });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="md">
      <Section title={`Reports of ${feed.name}`} description="Each report as it arrived, kept raw; the counts fill in as the feed worker reads it."
        actions={<Button variant="default" size="xs" leftSection={<IconRefresh size={14} />} onClick={() => void reports.query.refetch()}>Refresh</Button>}>
        {canIngest && feed.enabled && (
          <Group align="flex-end" mb="sm">
            <FileInput label="Hand the feed a report" placeholder="Choose a file (CSV, JSON lines, a list, X-ARF)" value={file} onChange={setFile} w={380} clearable data-testid="feed-file" />
            <Button leftSection={<IconUpload size={16} />} disabled={!file} loading={busy} onClick={() => void upload()} data-testid="feed-upload">Upload</Button>
          </Group>
        )}
        {!feed.enabled && <Text size="sm" c="dimmed" mb="sm">This feed is disabled: it takes no reports.</Text>}
        <ErrorAlert error={error ?? reports.query.error} />
        <Table.ScrollContainer minWidth={800}>
          <Table highlightOnHover withTableBorder className="vigil-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={36} />
                <Table.Th>Received</Table.Th>
                <Table.Th>File</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th ta="right">Lines</Table.Th>
                <Table.Th ta="right">Events</Table.Th>
                <Table.Th ta="right">Refused</Table.Th>
                <Table.Th ta="right">Routed</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody data-testid="feed-reports">
              {reports.items.length === 0 && <EmptyRow colSpan={8}>{reports.query.isLoading ? 'Loading…' : 'No report yet.'}</EmptyRow>}
              {reports.items.map((r) => (
                <ExpandableRow key={r.id} id={r.id} expanded={open === r.id} onToggle={() => setOpen(open === r.id ? null : r.id)} colSpan={8}
                  cells={<>
                    <Table.Td><DateText value={r.receivedAt} /></Table.Td>
                    <Table.Td fz="sm">{r.filename ?? '(no name)'} <Text span c="dimmed" fz="xs">via {r.via}</Text></Table.Td>
                    <Table.Td><Badge variant="light" color={STATUS_COLOR[r.status]} data-testid="feed-report-status">{r.status}</Badge></Table.Td>
                    <Table.Td ta="right">{r.lines.toLocaleString()}</Table.Td>
                    <Table.Td ta="right">{r.events.toLocaleString()}</Table.Td>
                    <Table.Td ta="right" c={r.failed ? 'red.4' : undefined}>{r.failed.toLocaleString()}</Table.Td>
                    <Table.Td ta="right">{r.routed.toLocaleString()}</Table.Td>
                  </>}
                  details={() => <ReportDetail report={r} />} />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <LoadMore query={reports.query} />
      </Section>

      <Section title="Events" description="Cleaned into IntelMQ's fields and routed to the constituent they belong to; those routed nowhere show where the constituency's coverage ends."
        actions={<SegmentedControl size="xs" value={which} onChange={(v) => setWhich(v as typeof which)} data={[{ value: 'all', label: 'All' }, { value: 'unrouted', label: 'Unrouted' }]} data-testid="feed-events-filter" />}>
        <ErrorAlert error={events.query.error} />
        <Table.ScrollContainer minWidth={800}>
          <Table withTableBorder className="vigil-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Observed</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>About</Table.Th>
                <Table.Th>Routed by</Table.Th>
                <Table.Th>TLP</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody data-testid="feed-events">
              {events.items.length === 0 && <EmptyRow colSpan={5}>{events.query.isLoading ? 'Loading…' : 'No events.'}</EmptyRow>}
              {events.items.map((e) => (
                <Table.Tr key={e.id} data-testid="feed-event">
                  <Table.Td><DateText value={e.timeObservation} /></Table.Td>
                  <Table.Td fz="sm">{String(e.event['classification.type'] ?? '—')}</Table.Td>
                  <Table.Td fz="sm" style={{ overflowWrap: 'anywhere' }}>{subjectOf(e.event)}</Table.Td>
                  <Table.Td fz="sm">{e.route ? `${e.route.rule} ${e.route.matched ?? ''}` : <Text span c="dimmed" fz="sm">routed nowhere</Text>}</Table.Td>
                  <Table.Td><Badge variant="outline" size="sm">TLP:{e.tlp}</Badge></Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <LoadMore query={events.query} />
      </Section>
    </Stack>
  );
}

export function FeedsPage() {
  const canManage = usePermission('feed.manage');
  const feeds = useQuery({ queryKey: feedsKey, queryFn: listFeeds });
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const items = feeds.data?.items ?? [];
  const feed = items.find((f) => f.id === selected) ?? null;

  return (
    <Stack gap="md">
      <PageHeader title="Feeds" description="Machine feeds: scan results, sinkhole and infected-host reports, block lists. Each report is kept raw, read line by line, cleaned and routed to constituents."
        actions={canManage && <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating((c) => !c)} data-testid="feed-new">New feed</Button>} />
      {creating && <NewFeedForm onDone={(f) => { setCreating(false); setSelected(f.id); }} />}
      <ErrorAlert error={feeds.error} />
      <Table highlightOnHover withTableBorder className="vigil-table">
        <Table.Thead>
          <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Parser</Table.Th><Table.Th>Provider</Table.Th><Table.Th>Default type</Table.Th><Table.Th>TLP</Table.Th><Table.Th>Enabled</Table.Th></Table.Tr>
        </Table.Thead>
        <Table.Tbody data-testid="feed-list">
          {items.length === 0 && <EmptyRow colSpan={6}>{feeds.isLoading ? 'Loading…' : 'No feed is configured yet.'}</EmptyRow>}
          {items.map((f) => (
            <Table.Tr key={f.id} onClick={() => setSelected(f.id)} style={{ cursor: 'pointer' }} aria-selected={f.id === selected} data-testid="feed-row" data-feed={f.name}
              bg={f.id === selected ? 'var(--mantine-color-dark-6)' : undefined}>
              <Table.Td fw={500}>{f.name}</Table.Td>
              <Table.Td fz="sm">{FEED_PARSERS.find((p) => p.value === f.parser)?.label ?? f.parser}</Table.Td>
              <Table.Td fz="sm">{f.provider || '—'}</Table.Td>
              <Table.Td fz="sm">{f.classificationType ?? '—'}</Table.Td>
              <Table.Td><Badge variant="outline" size="sm">TLP:{f.tlp}</Badge></Table.Td>
              <Table.Td><Switch checked={f.enabled} readOnly aria-label={`${f.name} enabled`} /></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {feed ? <FeedPanel key={feed.id} feed={feed} /> : items.length > 0 && <Text size="sm" c="dimmed">Pick a feed to see its reports and events.</Text>}
    </Stack>
  );
}
