// The incident's observables: one record per value across the platform (IOC flag, TLP and tags
// belong to the value), added one by one or picked from pasted text, and the incidents sharing them.
// Values are untrusted text: shown monospace and literal, never as links.
import { useState, type FormEvent } from 'react';
import {
  ActionIcon, Alert, Anchor, Badge, Button, Checkbox, Group, Modal, Paper, ScrollArea, Select, Stack, Table, TagsInput, Text, Textarea, TextInput,
  Title, Tooltip,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { IconClipboardText, IconPlus, IconSearch, IconTrash } from '@tabler/icons-react';
import { api, ApiError } from '../../api/client';
import type { Answer } from '../../api/schema';
import { timelineKey, TLPS, type Tlp } from '../../api/incidents';
import {
  OBSERVABLE_TYPES, observablesKey, paths, similarKey,
  type Observable, type ObservableCandidate, type ObservablesAdded, type ObservableType,
} from '../../api/work';
import { formatDate } from '../../components/common';
import { useConfirm } from '../../components/confirm';
import { ErrorAlert } from '../../components/errors';
import { useAction } from '../../components/useAction';
import { PriorityBadge, StatusBadge, TlpBadge } from '../../components/incidentBadges';
import { Link } from '../../router';
import { useIncident } from './useIncidentWrite';

const TLP_OPTIONS = TLPS.map((t) => ({ value: t, label: `TLP:${t}` }));
const VALUE_STYLE = { fontFamily: 'var(--mantine-font-family-monospace)', overflowWrap: 'anywhere', wordBreak: 'break-all' } as const;
const keyOf = (o: { type: string; value: string }) => `${o.type}\u0000${o.value}`;

/** Index → message of a bulk add's field errors (`body.items.3.value`). */
function itemErrors(error: unknown): Map<number, string> {
  const out = new Map<number, string>();
  if (error instanceof ApiError) for (const e of error.errors ?? []) {
    const m = /items[./[](\d+)/.exec(e.path);
    if (m) out.set(Number(m[1]), e.message);
  }
  return out;
}

function useRefresh() {
  const client = useQueryClient();
  const { incident } = useIncident();
  return () => Promise.all([
    client.invalidateQueries({ queryKey: observablesKey(incident.id) }),
    client.invalidateQueries({ queryKey: similarKey(incident.id) }),
    client.invalidateQueries({ queryKey: timelineKey(incident.id) }),
  ]);
}

function AddOne() {
  const { incident } = useIncident();
  const refresh = useRefresh();
  const [type, setType] = useState<ObservableType>('ipv4');
  const [value, setValue] = useState('');
  const [ioc, setIoc] = useState(false);
  const { busy, error, run } = useAction();
  const [result, setResult] = useState<ObservablesAdded | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!value.trim()) return;
    setResult(null);
    await run(async () => {
      setResult(await api.post<ObservablesAdded>(paths.observables(incident.id), { items: [{ type, value: value.trim(), ioc }] }));
      setValue('');
      await refresh();
    });
  };

  return (
    <form onSubmit={(e) => void submit(e)} aria-label="Add an observable">
      <Group gap="xs" align="flex-end" wrap="wrap">
        <Select size="sm" w={150} label="Type" data={OBSERVABLE_TYPES.map((t) => ({ value: t, label: t }))} value={type} allowDeselect={false}
          onChange={(v) => v && setType(v as ObservableType)} data-testid="observable-type" comboboxProps={{ withinPortal: true }} />
        <TextInput size="sm" style={{ flex: 1, minWidth: 260 }} label="Value" value={value} onChange={(e) => setValue(e.currentTarget.value)}
          placeholder="e.g. hxxps://evil[.]example/x or 198.51.100[.]24 (defanged forms are refanged)"
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }} data-testid="observable-value" />
        <Checkbox label="IOC" checked={ioc} onChange={(e) => setIoc(e.currentTarget.checked)} mb={8} />
        <Button type="submit" leftSection={<IconPlus size={16} />} loading={busy} disabled={!value.trim()} data-testid="observable-add">Add</Button>
      </Group>
      {error !== null && <div style={{ marginTop: 8 }}><ErrorAlert error={error} /></div>}
      {result && <Text size="xs" c="dimmed" mt={4}>{result.added ? 'Added.' : 'Already on this incident.'}</Text>}
    </form>
  );
}

function PasteModal({ onClose, existing }: { onClose: () => void; existing: Set<string> }) {
  const { incident } = useIncident();
  const refresh = useRefresh();
  const [text, setText] = useState('');
  const [found, setFound] = useState<ObservableCandidate[] | null>(null);
  const [picked, setPicked] = useState<Set<number>>(new Set());
  const [ioc, setIoc] = useState(false);
  const [tlp, setTlp] = useState<Tlp | null>(null);
  const { busy, error, run } = useAction();
  const [result, setResult] = useState<ObservablesAdded | null>(null);
  const errs = itemErrors(error);
  const chosen = (found ?? []).filter((_, i) => picked.has(i));

  const extract = async () => {
    if (!text.trim()) return;
    await run(async () => {
      const r = await api.post<Answer<'observables.extract'>>('/observables/extract', { text });
      setFound(r.items);
      setPicked(new Set(r.items.map((c, i) => (existing.has(keyOf(c)) ? -1 : i)).filter((i) => i >= 0)));
    });
  };

  const add = async () => {
    if (chosen.length === 0) return;
    await run(async () => {
      setResult(await api.post<ObservablesAdded>(paths.observables(incident.id), {
        items: chosen.map((c) => ({ type: c.type, value: c.value, ioc, ...(tlp ? { tlp } : {}) })),
      }));
      await refresh();
    });
  };

  const toggle = (i: number, on: boolean) => setPicked((s) => { const n = new Set(s); if (on) n.add(i); else n.delete(i); return n; });
  // Errors name positions in what was sent (the ticked ones), not in what was found.
  const sentIndex = (i: number) => chosen.indexOf(found![i]!);

  return (
    <Modal opened onClose={() => !busy && onClose()} title={<Text fw={600}>Add observables from text</Text>} size="xl">
      <Stack gap="sm">
        {result ? (
          <>
            <Alert color="teal" variant="light" data-testid="paste-result">
              {result.added} added{result.alreadyLinked ? `, ${result.alreadyLinked} already on this incident` : ''}.
            </Alert>
            <Group justify="flex-end"><Button onClick={onClose} data-autofocus>Done</Button></Group>
          </>
        ) : found === null ? (
          <>
            <Textarea label="Text" description="Mail headers, log lines, a report… Defanged forms (hxxp, [.]) are recognised. Nothing is saved yet."
              autosize minRows={8} maxRows={20} value={text} onChange={(e) => setText(e.currentTarget.value)} data-autofocus
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 13 } }} data-testid="paste-text"
              onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void extract(); }} />
            <ErrorAlert error={error} />
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose} disabled={busy}>Cancel</Button>
              <Button leftSection={<IconSearch size={16} />} loading={busy} disabled={!text.trim()} onClick={() => void extract()} data-testid="paste-extract">
                Find observables
              </Button>
            </Group>
          </>
        ) : (
          <>
            <Group justify="space-between">
              <Text size="sm">{found.length === 0 ? 'Nothing recognisable was found.' : `${found.length} found, ${picked.size} ticked.`}</Text>
              {found.length > 0 && (
                <Group gap="xs">
                  <Button size="compact-xs" variant="subtle" onClick={() => setPicked(new Set(found.map((_, i) => i)))}>Tick all</Button>
                  <Button size="compact-xs" variant="subtle" onClick={() => setPicked(new Set())}>Tick none</Button>
                </Group>
              )}
            </Group>
            <ScrollArea.Autosize mah={380}>
              <Table className="vigil-table" verticalSpacing={4} data-testid="paste-candidates">
                <Table.Tbody>
                  {found.map((c, i) => (
                    <Table.Tr key={keyOf(c)} data-testid="paste-candidate" data-type={c.type}>
                      <Table.Td w={36}>
                        <Checkbox checked={picked.has(i)} onChange={(e) => toggle(i, e.currentTarget.checked)} aria-label={`Add ${c.type} ${c.value}`} />
                      </Table.Td>
                      <Table.Td w={110}><Badge size="sm" variant="light" color="gray">{c.type}</Badge></Table.Td>
                      <Table.Td>
                        <Text size="sm" style={VALUE_STYLE}>{c.value}</Text>
                        {existing.has(keyOf(c)) && <Text size="xs" c="dimmed">already on this incident</Text>}
                        {picked.has(i) && errs.has(sentIndex(i)) && <Text size="xs" c="red.5">{errs.get(sentIndex(i))}</Text>}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollArea.Autosize>
            {errs.size === 0 && <ErrorAlert error={error} />}
            <Group justify="space-between" align="flex-end">
              <Group gap="md" align="flex-end">
                <Checkbox label="Mark as IOC" checked={ioc} onChange={(e) => setIoc(e.currentTarget.checked)} mb={8} />
                <Select size="sm" w={220} label="TLP" clearable placeholder={`Incident's (TLP:${incident.tlp})`} data={TLP_OPTIONS} value={tlp}
                  onChange={(v) => setTlp(v as Tlp | null)} comboboxProps={{ withinPortal: true }} />
              </Group>
              <Group gap="xs">
                <Button variant="default" onClick={() => setFound(null)} disabled={busy}>Back to text</Button>
                <Button loading={busy} disabled={chosen.length === 0} onClick={() => void add()} data-testid="paste-add">
                  Add {chosen.length} observable{chosen.length === 1 ? '' : 's'}
                </Button>
              </Group>
            </Group>
          </>
        )}
      </Stack>
    </Modal>
  );
}

function ObservableRow({ o, writable, onError, onRemove }: { o: Observable; writable: boolean; onError: (e: unknown) => void; onRemove: () => void }) {
  const { incident } = useIncident();
  const client = useQueryClient();
  const [tags, setTags] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);

  const patch = async (body: { ioc?: boolean; tlp?: Tlp; tags?: string[] }) => {
    setBusy(true);
    onError(null);
    try {
      const next = await api.patch<Observable>(paths.observable(incident.id, o.id), body);
      client.setQueryData<{ items: Observable[] }>(observablesKey(incident.id), (old) => old && { items: old.items.map((x) => (x.id === o.id ? { ...x, ...next } : x)) });
      void client.invalidateQueries({ queryKey: timelineKey(incident.id) });
    } catch (err) {
      onError(err);
    } finally {
      setTags(null);
      setBusy(false);
    }
  };

  return (
    <Table.Tr data-testid="observable-row" data-type={o.type} data-value={o.value}>
      <Table.Td><Badge size="sm" variant="light" color="gray" miw="max-content">{o.type}</Badge></Table.Td>
      <Table.Td><Text size="sm" style={VALUE_STYLE} data-testid="observable-value-text">{o.value}</Text></Table.Td>
      <Table.Td>
        {writable ? (
          <Checkbox checked={o.ioc} disabled={busy} aria-label={`IOC: ${o.value}`} onChange={(e) => void patch({ ioc: e.currentTarget.checked })} data-testid="observable-ioc" />
        ) : o.ioc ? <Badge size="sm" color="red" variant="light">IOC</Badge> : <Text size="sm" c="dimmed">—</Text>}
      </Table.Td>
      <Table.Td>
        {writable ? (
          <Select size="xs" w={134} data={TLP_OPTIONS} value={o.tlp} allowDeselect={false} disabled={busy} aria-label={`TLP of ${o.value}`}
            onChange={(v) => v && v !== o.tlp && void patch({ tlp: v as Tlp })} comboboxProps={{ withinPortal: true }} />
        ) : <TlpBadge tlp={o.tlp} />}
      </Table.Td>
      <Table.Td>
        {writable ? (
          <TagsInput size="xs" value={tags ?? o.tags} disabled={busy} placeholder={o.tags.length ? '' : 'Add tag'} aria-label={`Tags of ${o.value}`}
            onChange={(v) => { setTags(v); void patch({ tags: v }); }} maxTags={30} />
        ) : (
          <Group gap={4}>{o.tags.map((t) => <Badge key={t} size="sm" variant="outline" color="gray" tt="none">{t}</Badge>)}</Group>
        )}
      </Table.Td>
      <Table.Td>
        <Stack gap={0}>
          <Text size="xs" c="dimmed" title={o.firstSeen} style={{ whiteSpace: 'nowrap' }}>first {formatDate(o.firstSeen)}</Text>
          <Text size="xs" c="dimmed" title={o.lastSeen} style={{ whiteSpace: 'nowrap' }}>last {formatDate(o.lastSeen)}</Text>
        </Stack>
      </Table.Td>
      {writable && (
        <Table.Td>
          <Tooltip label="Remove from this incident">
            <ActionIcon variant="subtle" color="red" aria-label={`Remove ${o.value}`} onClick={onRemove} data-testid="observable-remove"><IconTrash size={16} /></ActionIcon>
          </Tooltip>
        </Table.Td>
      )}
    </Table.Tr>
  );
}

function SimilarPanel() {
  const { incident } = useIncident();
  const q = useQuery({ queryKey: similarKey(incident.id), queryFn: () => api.get<Answer<'observables.similar'>>(paths.similar(incident.id)) });
  const items = q.data?.items ?? [];
  return (
    <Paper withBorder p="sm" data-testid="similar-incidents">
      <Title order={4} fz="sm" mb={6}>Similar incidents</Title>
      <ErrorAlert error={q.error} />
      {q.data && items.length === 0 && <Text size="sm" c="dimmed">No other incident you can see shares an observable with this one.</Text>}
      <Stack gap={6}>
        {items.map((s) => (
          <Group key={s.id} gap={8} wrap="nowrap" align="flex-start">
            <Anchor component={Link} href={`/incidents/${encodeURIComponent(s.reference)}`} ff="monospace" size="sm" style={{ whiteSpace: 'nowrap' }}>{s.reference}</Anchor>
            <Text size="sm" style={{ flex: 1, overflowWrap: 'anywhere' }}>{s.title}</Text>
            <PriorityBadge priority={s.priority} />
            <StatusBadge status={s.status} />
            <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>{s.shared} shared</Text>
          </Group>
        ))}
      </Stack>
    </Paper>
  );
}

export function ObservablesTab() {
  const { incident } = useIncident();
  const writable = incident.allowed.update;
  const refresh = useRefresh();
  const [pasting, setPasting] = useState(false);
  const [rowError, setRowError] = useState<unknown>(null);
  const [modal, confirm] = useConfirm();
  const q = useQuery({ queryKey: observablesKey(incident.id), queryFn: () => api.get<Answer<'observables.list'>>(paths.observables(incident.id)) });
  const items = q.data?.items ?? [];
  const cols = writable ? 7 : 6;

  const remove = (o: Observable) => confirm({
    title: 'Remove observable',
    message: <>Unlink <Text span ff="monospace" style={VALUE_STYLE}>{o.value}</Text> from {incident.reference}? The value stays on other incidents that have it.</>,
    confirmLabel: 'Remove', danger: true,
    onConfirm: async () => { await api.del(paths.observable(incident.id, o.id)); await refresh(); },
  });

  return (
    <Stack gap="md">
      {writable && (
        <Paper withBorder p="sm">
          <Group align="flex-end" gap="md" wrap="nowrap">
            <div style={{ flex: 1 }}><AddOne /></div>
            <Button variant="light" leftSection={<IconClipboardText size={16} />} onClick={() => setPasting(true)} data-testid="observable-paste">Paste text…</Button>
          </Group>
        </Paper>
      )}
      <SimilarPanel />
      <ErrorAlert error={q.error ?? rowError} />
      <Table withTableBorder className="vigil-table" verticalSpacing={6} data-testid="observables-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={110}>Type</Table.Th>
            <Table.Th>Value</Table.Th>
            <Table.Th w={60}>IOC</Table.Th>
            <Table.Th w={writable ? 150 : 130}>TLP</Table.Th>
            <Table.Th w={200}>Tags</Table.Th>
            <Table.Th w={175}>Seen</Table.Th>
            {writable && <Table.Th w={44} />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {q.isLoading && <Table.Tr><Table.Td colSpan={cols}><Text size="sm" c="dimmed">Loading…</Text></Table.Td></Table.Tr>}
          {q.data && items.length === 0 && <Table.Tr><Table.Td colSpan={cols}><Text size="sm" c="dimmed" ta="center" py="sm">No observables yet.</Text></Table.Td></Table.Tr>}
          {items.map((o) => <ObservableRow key={o.id} o={o} writable={writable} onError={setRowError} onRemove={() => remove(o)} />)}
        </Table.Tbody>
      </Table>
      {writable && items.length > 0 && (
        <Text size="xs" c="dimmed">IOC flag, TLP and tags belong to the value: changing them changes them on every incident that has it.</Text>
      )}
      {pasting && <PasteModal onClose={() => setPasting(false)} existing={new Set(items.map(keyOf))} />}
      {modal}
    </Stack>
  );
}
