// The unparsed queue: items kept raw that no parser could read (or not yet). A handler reads the
// bytes, re-runs the parser after a fix (a source's mapping, say), or makes the report by hand.
import { useState, type FormEvent } from 'react';
import { Badge, Button, Grid, Group, Input, Modal, Paper, SegmentedControl, Select, Stack, Table, Text, Textarea, TextInput } from '@mantine/core';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { IconEye, IconFilePlus, IconRefresh } from '@tabler/icons-react';
import { api } from '../../api/client';
import { TLPS, type Tlp } from '../../api/incidents';
import { CHANNEL_LABELS, CHANNELS, REPORTS_KEY, type Channel } from '../../api/reports';
import type { Answer } from '../../api/schema';
import { INTAKE_ITEMS_KEY, itemApi, type IntakeItem } from '../../api/triage';
import { formatBytes } from '../../api/work';
import { EmptyRow } from '../../components/common';
import { ErrorAlert, fieldErrors } from '../../components/errors';
import { useAction } from '../../components/useAction';
import { Ago, useNow } from './badges';
import { RawBytes } from './ItemParts';

type StateFilter = 'all' | 'failed' | 'pending';
const ITEM_CHANNELS = ['email', 'web_form', 'monitoring', 'api'] as const;
const channelLabel = (c: string) => (CHANNELS as readonly string[]).includes(c) ? CHANNEL_LABELS[c as Channel] : c;
const sourceOf = (i: IntakeItem) => (typeof i.envelope.source === 'string' ? i.envelope.source : null);

function RawModal({ item, onClose }: { item: IntakeItem; onClose: () => void }) {
  return (
    <Modal opened onClose={onClose} size="xl" title={<Text fw={600}>Raw item · {channelLabel(item.channel)} · <Text span ff="monospace" size="sm">{item.id.slice(0, 8)}</Text></Text>}>
      <RawBytes path={itemApi(item.id, 'raw')} queryKey={['intake-raw', item.id]} filename={`${item.id}.${item.channel === 'email' ? 'eml' : 'raw'}`} />
    </Modal>
  );
}

/** Makes the item's report by hand, with its bytes beside the form. */
function HandReportModal({ item, onClose, onDone }: { item: IntakeItem; onClose: () => void; onDone: (ref: string) => void }) {
  const client = useQueryClient();
  const [f, setF] = useState({
    title: '', body: '', channel: ((CHANNELS as readonly string[]).includes(item.channel) ? item.channel : 'other') as Channel, tlp: 'AMBER' as Tlp,
    reporterName: '', reporterEmail: '', organisation: '',
  });
  const { busy, error, run } = useAction();
  const errs = fieldErrors(error);
  const set = <K extends keyof typeof f>(k: K, v: (typeof f)[K]) => setF((x) => ({ ...x, [k]: v }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!f.title.trim() || busy) return;
    await run(async () => {
      const r = await api.post<Answer<'intake.items.resolve'>>(itemApi(item.id, 'report'), {
        title: f.title.trim(), body: f.body, channel: f.channel, tlp: f.tlp,
        reporterName: f.reporterName.trim() || null, reporterEmail: f.reporterEmail.trim() || null, organisation: f.organisation.trim() || null,
      });
      void client.invalidateQueries({ queryKey: INTAKE_ITEMS_KEY });
      void client.invalidateQueries({ queryKey: REPORTS_KEY });
      onDone(r.reference);
      onClose();
    });
  };
  return (
    <Modal opened onClose={() => !busy && onClose()} size="95%" title={<Text fw={600}>Make the report by hand</Text>}>
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <RawBytes path={itemApi(item.id, 'raw')} queryKey={['intake-raw', item.id]} filename={`${item.id}.raw`} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <form onSubmit={(e) => void submit(e)} noValidate>
            <Stack gap="sm">
              <Text size="sm" c="dimmed">The item keeps its bytes and points to the new report, which goes into the triage queue.</Text>
              <ErrorAlert error={error} />
              <TextInput label="Title" required data-autofocus maxLength={300} value={f.title} error={errs.title} onChange={(e) => set('title', e.currentTarget.value)} data-testid="hand-title" />
              <Textarea label="Body" autosize minRows={5} maxRows={14} value={f.body} error={errs.body} onChange={(e) => set('body', e.currentTarget.value)} data-testid="hand-body" />
              <Group grow>
                <Select label="Channel" allowDeselect={false} value={f.channel} onChange={(v) => v && set('channel', v as Channel)}
                  data={CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c] }))} comboboxProps={{ withinPortal: true }} data-testid="hand-channel" />
                <Select label="TLP" allowDeselect={false} value={f.tlp} onChange={(v) => v && set('tlp', v as Tlp)}
                  data={TLPS.map((t) => ({ value: t, label: `TLP:${t}` }))} comboboxProps={{ withinPortal: true }} />
              </Group>
              <TextInput label="Reporter name" value={f.reporterName} error={errs.reporterName} onChange={(e) => set('reporterName', e.currentTarget.value)} />
              <TextInput label="Reporter e-mail" value={f.reporterEmail} error={errs.reporterEmail} onChange={(e) => set('reporterEmail', e.currentTarget.value)} />
              <TextInput label="Organisation" value={f.organisation} error={errs.organisation} onChange={(e) => set('organisation', e.currentTarget.value)} />
              <Group justify="flex-end">
                <Button variant="default" onClick={onClose} disabled={busy}>Cancel</Button>
                <Button type="submit" loading={busy} disabled={!f.title.trim()} data-testid="hand-submit">Make report</Button>
              </Group>
            </Stack>
          </form>
        </Grid.Col>
      </Grid>
    </Modal>
  );
}

export function UnparsedPage() {
  const client = useQueryClient();
  const now = useNow();
  const [state, setState] = useState<StateFilter>('all');
  const [channel, setChannel] = useState<string | null>(null);
  const [viewing, setViewing] = useState<{ item: IntakeItem; mode: 'raw' | 'hand' } | null>(null);
  const [notice, setNotice] = useState<{ text: string; ok: boolean } | null>(null);
  const rerun = useAction();
  const [running, setRunning] = useState<string | null>(null);

  const query = useInfiniteQuery({
    queryKey: [...INTAKE_ITEMS_KEY, { state, channel }],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => api.get<Answer<'intake.items.list'>>(`/intake/items?${new URLSearchParams({
      ...(state !== 'all' ? { state } : {}), ...(channel ? { channel } : {}), limit: '50', ...(pageParam ? { cursor: pageParam } : {}),
    }).toString()}`),
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: 10_000,
    refetchOnWindowFocus: true,
  });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];

  const again = (i: IntakeItem) => {
    setRunning(i.id);
    setNotice(null);
    void rerun.run(async () => {
      try {
        const after = await api.post<IntakeItem>(itemApi(i.id, 'rerun'));
        setNotice(after.state === 'parsed'
          ? { ok: true, text: 'Parsed this time: it has left the unparsed queue.' }
          : { ok: false, text: `Still not parsed: ${after.error ?? 'no reason given'}` });
      } finally {
        setRunning(null);
        void client.invalidateQueries({ queryKey: INTAKE_ITEMS_KEY });
        void client.invalidateQueries({ queryKey: ['alerts'] });
        void client.invalidateQueries({ queryKey: REPORTS_KEY });
      }
    });
  };

  return (
    <Stack gap="md">
      <Paper withBorder p="sm">
        <Group gap="sm" align="flex-end" wrap="wrap">
          <Input.Wrapper label="State">
            <div><SegmentedControl size="sm" value={state} onChange={(v) => setState(v as StateFilter)} data-testid="unparsed-filter-state"
              data={[{ value: 'all', label: 'All' }, { value: 'failed', label: 'Failed' }, { value: 'pending', label: 'Pending' }]} /></div>
          </Input.Wrapper>
          <Select label="Channel" w={180} placeholder="Any" clearable value={channel} onChange={setChannel}
            data={ITEM_CHANNELS.map((c) => ({ value: c, label: channelLabel(c) }))} comboboxProps={{ withinPortal: true }} />
          <Text size="xs" c="dimmed" style={{ flex: 1, minWidth: 240 }}>
            Nothing here is lost: each item is kept exactly as it arrived. Re-run it after fixing what failed (a source's mapping), or make its report by hand.
          </Text>
        </Group>
      </Paper>
      {notice && <Text size="sm" c={notice.ok ? 'teal' : 'yellow'} role="status" data-testid="unparsed-notice">{notice.text}</Text>}
      <ErrorAlert error={query.error ?? rerun.error} />
      <Table.ScrollContainer minWidth={960}>
        <Table withTableBorder horizontalSpacing="xs" verticalSpacing={6} className="vigil-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Received</Table.Th>
              <Table.Th>Channel</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Why it failed</Table.Th>
              <Table.Th>Size</Table.Th>
              <Table.Th w={300} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody data-testid="unparsed-table">
            {items.length === 0 && <EmptyRow colSpan={6}>{query.isLoading ? 'Loading…' : 'Nothing waits: every item was parsed.'}</EmptyRow>}
            {items.map((i) => (
              <Table.Tr key={i.id} data-item={i.id} data-state={i.state}>
                <Table.Td><Ago value={i.receivedAt} now={now} /></Table.Td>
                <Table.Td>
                  <Text size="sm" style={{ whiteSpace: 'nowrap' }}>{channelLabel(i.channel)}{sourceOf(i) ? ` · ${sourceOf(i)}` : ''}</Text>
                  <Text size="xs" c="dimmed" ff="monospace">{i.contentType}</Text>
                </Table.Td>
                <Table.Td>
                  <Badge size="sm" variant="light" color={i.state === 'failed' ? 'red' : 'yellow'} miw="max-content">{i.state}</Badge>
                  {i.attempts > 1 && <Text size="xs" c="dimmed">{i.attempts} attempts</Text>}
                </Table.Td>
                <Table.Td maw={420}><Text size="sm" style={{ overflowWrap: 'anywhere' }} data-testid="unparsed-error">{i.error ?? '—'}</Text></Table.Td>
                <Table.Td><Text size="sm" style={{ whiteSpace: 'nowrap' }}>{formatBytes(i.size)}</Text></Table.Td>
                <Table.Td>
                  <Group gap={6} wrap="nowrap" justify="flex-end">
                    <Button size="compact-sm" variant="subtle" leftSection={<IconEye size={14} />} onClick={() => setViewing({ item: i, mode: 'raw' })} data-testid="unparsed-raw">Raw</Button>
                    <Button size="compact-sm" variant="light" leftSection={<IconRefresh size={14} />} loading={running === i.id} disabled={!!running && running !== i.id}
                      onClick={() => again(i)} data-testid="unparsed-rerun">Re-run</Button>
                    <Button size="compact-sm" variant="light" leftSection={<IconFilePlus size={14} />} onClick={() => setViewing({ item: i, mode: 'hand' })} data-testid="unparsed-hand">
                      Make report
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {query.hasNextPage && (
        <Group justify="center">
          <Button variant="default" loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>Load more</Button>
        </Group>
      )}
      {viewing?.mode === 'raw' && <RawModal item={viewing.item} onClose={() => setViewing(null)} />}
      {viewing?.mode === 'hand' && (
        <HandReportModal item={viewing.item} onClose={() => setViewing(null)} onDone={(ref) => setNotice({ ok: true, text: `Made report ${ref}; it waits in the triage queue.` })} />
      )}
    </Stack>
  );
}
