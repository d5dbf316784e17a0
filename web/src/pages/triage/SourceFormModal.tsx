// Creating or changing a monitoring source: its description, deduplication window, TLP and field
// mapping (JSON, checked here for syntax and by the server for meaning, each problem by field),
// with a preview of what the mapping makes of a pasted sample.
import { useState, type FormEvent } from 'react';
import { Alert, Badge, Button, Code, Grid, Group, List, Modal, NumberInput, Paper, Select, Stack, Table, Text, Textarea, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { IconEye } from '@tabler/icons-react';
import { api, ApiError } from '../../api/client';
import type { Tlp } from '../../api/incidents';
import { SOURCES_KEY, sourceApi, windowText, type Preview, type Source, type SourceWithToken } from '../../api/triage';
import { ErrorAlert } from '../../components/errors';
import { useAction } from '../../components/useAction';
import { TLP_OPTIONS } from '../incidents/DeclareIncidentModal';
import { SeverityBadge } from './badges';

export const MAPPING_TEMPLATE = `{
  "title": "{{rule.name}} on {{host.name}}",
  "description": "$.message",
  "severity": { "from": "$.level", "map": { ">=12": "critical", ">=8": "high", ">=4": "medium" }, "default": "low" },
  "sourceRef": "$.id",
  "observedAt": "$.timestamp",
  "fingerprint": ["$.rule.id", "$.host.name"],
  "classification": { "from": "$.rule.category", "map": { "bruteforce": "intrusion-attempts/brute-force" } },
  "observables": [{ "type": "ipv4", "from": "$.src_ip" }],
  "extract": ["$.message"],
  "keep": { "rule_id": "$.rule.id" }
}`;

const KEY_ORDER = ['items', 'title', 'description', 'severity', 'sourceRef', 'observedAt', 'fingerprint', 'classification', 'observables', 'extract', 'keep'];

/** A stored mapping as text, its keys in the order the docs list them (the database keeps no order). */
export function mappingText(m: unknown): string {
  if (!m || typeof m !== 'object' || Array.isArray(m)) return JSON.stringify(m, null, 2);
  const rank = (k: string) => (KEY_ORDER.includes(k) ? KEY_ORDER.indexOf(k) : KEY_ORDER.length);
  const sorted = Object.fromEntries(Object.entries(m as Record<string, unknown>).sort(([a], [b]) => rank(a) - rank(b)));
  return JSON.stringify(sorted, null, 2);
}

/** The JSON in the box, or where its syntax breaks ("line 3, column 7: …"). */
export function parseJson(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    if (!pos) return { error: msg };
    const before = text.slice(0, Number(pos[1]));
    const line = before.split('\n').length;
    const col = before.length - before.lastIndexOf('\n');
    return { error: `line ${line}, column ${col}: ${msg.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+/, '')}` };
  }
}

/** Server problems with the mapping, by field inside it ("severity.map", or the mapping as a whole). */
export function mappingProblems(error: unknown): { field: string; message: string }[] {
  if (!(error instanceof ApiError) || !error.errors) return [];
  return error.errors
    .map((e) => ({ path: String(e.path).replace(/^\/?body[./]/, '').replace(/\//g, '.'), message: e.message }))
    .filter((e) => e.path === 'mapping' || e.path.startsWith('mapping.'))
    .map((e) => {
      const inner = /^([\w.[\]"-]+): (.*)$/.exec(e.message);
      if (e.path === 'mapping' && inner) return { field: inner[1]!, message: inner[2]! };
      return { field: e.path === 'mapping' ? '(mapping)' : e.path.slice('mapping.'.length), message: e.message };
    });
}

function MappingProblems({ problems }: { problems: { field: string; message: string }[] }) {
  if (problems.length === 0) return null;
  return (
    <Alert color="red" variant="light" title="The mapping is not valid" role="alert" data-testid="mapping-errors">
      <List size="sm">
        {problems.map((p, i) => <List.Item key={i}><Code>{p.field}</Code> {p.message}</List.Item>)}
      </List>
    </Alert>
  );
}

function PreviewResult({ preview }: { preview: Preview }) {
  if (!preview.ok) return <Alert color="yellow" variant="light" title="This sample would wait in the unparsed queue" data-testid="preview-error"><Text size="sm">{preview.error}</Text></Alert>;
  return (
    <Stack gap="xs" data-testid="preview-result">
      <Text size="sm" c="teal">The sample makes {preview.alerts.length} alert{preview.alerts.length === 1 ? '' : 's'}.</Text>
      {preview.alerts.map((a, i) => (
        <Paper key={i} withBorder p="xs" bg="dark.8">
          <Group gap={6} wrap="wrap" mb={4}>
            <SeverityBadge severity={a.severity} />
            <Text size="sm" fw={500} style={{ overflowWrap: 'anywhere' }}>{a.title}</Text>
          </Group>
          <Table verticalSpacing={2} horizontalSpacing={6} fz="xs">
            <Table.Tbody>
              {a.sourceRef && <Table.Tr><Table.Td c="dimmed" w={110}>source ref</Table.Td><Table.Td ff="monospace">{a.sourceRef}</Table.Td></Table.Tr>}
              {a.observedAt && <Table.Tr><Table.Td c="dimmed">observed</Table.Td><Table.Td ff="monospace">{a.observedAt}</Table.Td></Table.Tr>}
              <Table.Tr><Table.Td c="dimmed">classification</Table.Td><Table.Td>{a.classification ? `${a.classification.class}/${a.classification.type}` : '—'}</Table.Td></Table.Tr>
              <Table.Tr>
                <Table.Td c="dimmed">observables</Table.Td>
                <Table.Td>
                  <Group gap={4}>{a.observables.length ? a.observables.map((o) => <Badge key={`${o.type}:${o.value}`} size="xs" variant="light" color="gray" tt="none">{o.type} {o.value}</Badge>) : '—'}</Group>
                </Table.Td>
              </Table.Tr>
              <Table.Tr><Table.Td c="dimmed">fingerprint</Table.Td><Table.Td ff="monospace">{a.fingerprint.slice(0, 16)}…</Table.Td></Table.Tr>
              {Object.keys(a.fields).length > 0 && <Table.Tr><Table.Td c="dimmed">fields</Table.Td><Table.Td ff="monospace" style={{ overflowWrap: 'anywhere' }}>{JSON.stringify(a.fields)}</Table.Td></Table.Tr>}
              {a.description && <Table.Tr><Table.Td c="dimmed">description</Table.Td><Table.Td style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{a.description.slice(0, 400)}</Table.Td></Table.Tr>}
            </Table.Tbody>
          </Table>
        </Paper>
      ))}
    </Stack>
  );
}

/** Paste a sample body, see what the mapping in the box makes of it (nothing is stored). */
function PreviewPanel({ source, mappingText }: { source: Source; mappingText: string }) {
  const [sample, setSample] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [problems, setProblems] = useState<{ field: string; message: string }[]>([]);
  const { busy, error, run } = useAction();
  const sampleJson = sample.trim() ? parseJson(sample) : null;
  const mappingJson = parseJson(mappingText);
  const go = () => void run(async () => {
    if (!sampleJson || 'error' in sampleJson || 'error' in mappingJson) return;
    setPreview(null);
    setProblems([]);
    try {
      setPreview(await api.post<Preview>(sourceApi(source.id, 'preview'), { sample: sampleJson.value, mapping: mappingJson.value }));
    } catch (e) {
      const p = mappingProblems(e);
      if (p.length) setProblems(p);
      else throw e;
    }
  });
  return (
    <Stack gap="sm">
      <Textarea label="Sample body" description="Paste one body as the source would post it (JSON)." autosize minRows={8} maxRows={16}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }} value={sample}
        onChange={(e) => setSample(e.currentTarget.value)} error={sampleJson && 'error' in sampleJson ? `Not JSON: ${sampleJson.error}` : undefined}
        data-testid="preview-sample" />
      <Group justify="flex-end">
        <Button variant="light" leftSection={<IconEye size={16} />} loading={busy} onClick={go}
          disabled={!sampleJson || 'error' in sampleJson || 'error' in mappingJson} data-testid="preview-run">Preview with this mapping</Button>
      </Group>
      <ErrorAlert error={error} />
      <MappingProblems problems={problems} />
      {preview && <PreviewResult preview={preview} />}
    </Stack>
  );
}

/** Create (source null; onCreated gets the token, shown once) or edit a source. */
export function SourceFormModal({ source, onClose, onCreated }: { source: Source | null; onClose: () => void; onCreated: (r: SourceWithToken) => void }) {
  const client = useQueryClient();
  const [name, setName] = useState(source?.name ?? '');
  const [description, setDescription] = useState(source?.description ?? '');
  const [windowSeconds, setWindowSeconds] = useState<number>(source?.dedupWindowSeconds ?? 3600);
  const [tlp, setTlp] = useState<Tlp>(source?.tlp ?? 'AMBER');
  const [mapping, setMapping] = useState(source ? mappingText(source.mapping) : MAPPING_TEMPLATE);
  const { busy, error, run } = useAction();
  const parsed = parseJson(mapping);
  const syntax = 'error' in parsed ? parsed.error : parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value) ? 'the mapping is a JSON object' : null;
  const problems = mappingProblems(error);
  const nameError = error instanceof ApiError && error.errors?.find((e) => /name$/.test(e.path))?.message;
  const valid = !syntax && (source !== null || /^[a-z0-9][a-z0-9._-]{0,62}$/.test(name));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!valid || busy || 'error' in parsed) return;
    await run(async () => {
      const body = { description, dedupWindowSeconds: windowSeconds, tlp, mapping: parsed.value };
      if (source) await api.patch<Source>(sourceApi(source.id), { ...body, version: source.version });
      else onCreated(await api.post<SourceWithToken>('/intake/sources', { name, ...body }));
      void client.invalidateQueries({ queryKey: SOURCES_KEY });
      onClose();
    });
  };

  return (
    <Modal opened onClose={() => !busy && onClose()} size={source ? '95%' : 'xl'}
      title={<Text fw={600}>{source ? `Source ${source.name}` : 'New monitoring source'}</Text>}>
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: source ? 7 : 12 }}>
          <form onSubmit={(e) => void submit(e)} noValidate>
            <Stack gap="sm">
              {!problems.length && <ErrorAlert error={error instanceof ApiError && error.code === 'VIG_REQUEST_INVALID' ? null : error} />}
              <Group grow align="flex-start">
                <TextInput label="Name" required disabled={!!source} value={name} onChange={(e) => setName(e.currentTarget.value.trim())}
                  description="Lower-case letters, digits, . _ -" error={nameError || (name && !source && !valid && !syntax ? 'lower-case letters, digits, . _ - (up to 63)' : undefined)}
                  data-autofocus data-testid="source-name" />
                <Select label="TLP of its alerts" data={TLP_OPTIONS} value={tlp} allowDeselect={false} onChange={(v) => v && setTlp(v as Tlp)} comboboxProps={{ withinPortal: true }} data-testid="source-tlp" />
                <NumberInput label="Dedup window (seconds)" min={0} max={2_592_000} step={300} value={windowSeconds}
                  onChange={(v) => setWindowSeconds(typeof v === 'number' ? v : Number(v) || 0)}
                  description={`Repeats within ${windowText(windowSeconds)} count as one alert${windowSeconds === 0 ? ' (off)' : ''}`} data-testid="source-window" />
              </Group>
              <TextInput label="Description" value={description} maxLength={2000} onChange={(e) => setDescription(e.currentTarget.value)} data-testid="source-description" />
              <Textarea label="Field mapping (JSON)" required autosize minRows={12} maxRows={26} value={mapping} onChange={(e) => setMapping(e.currentTarget.value)}
                description={<>Values are paths (<Code>$.rule.name</Code>), templates (<Code>{'{{rule.name}} on {{host}}'}</Code>) or literal text. Only <Code>title</Code> is required.</>}
                styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }} error={syntax ? `Not valid: ${syntax}` : undefined}
                spellCheck={false} data-testid="source-mapping" />
              <MappingProblems problems={problems} />
              <Group justify="flex-end">
                <Button variant="default" onClick={onClose} disabled={busy}>Cancel</Button>
                <Button type="submit" loading={busy} disabled={!valid} data-testid="source-submit">{source ? 'Save' : 'Create source'}</Button>
              </Group>
            </Stack>
          </form>
        </Grid.Col>
        {source && (
          <Grid.Col span={{ base: 12, md: 5 }}>
            <Paper withBorder p="md" bg="dark.8">
              <Text fw={600} size="sm" mb={4}>Preview</Text>
              <PreviewPanel source={source} mappingText={mapping} />
            </Paper>
          </Grid.Col>
        )}
      </Grid>
    </Modal>
  );
}
