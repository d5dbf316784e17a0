// The incident's evidence files: hashes as the server computed them, where they came from, the
// chain of custody, hand-overs, and (for roles that may) downloads, each recorded on the chain.
import { useRef, useState, type FormEvent } from 'react';
import {
  Badge, Button, FileInput, Group, Paper, Progress, Select, SimpleGrid, Stack, Table, Text, Textarea, TextInput, Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { IconDownload, IconFileUpload, IconHistory, IconTransfer } from '@tabler/icons-react';
import { api } from '../../api/client';
import type { Answer } from '../../api/schema';
import { humanize, timelineKey, TLPS, type Tlp } from '../../api/incidents';
import {
  custodyKey, evidenceKey, formatBytes, paths, uploadEvidence,
  type CustodyEntry, type Evidence,
} from '../../api/work';
import { useMe } from '../../auth/session';
import { CopyIcon, DateText, EmptyRow, formatDate } from '../../components/common';
import { ErrorAlert, fieldErrors } from '../../components/errors';
import { useAction } from '../../components/useAction';
import { TlpBadge } from '../../components/incidentBadges';
import { useIncident } from './useIncidentWrite';

const MONO = { fontFamily: 'var(--mantine-font-family-monospace)', overflowWrap: 'anywhere', wordBreak: 'break-all' } as const;

function nowLocal(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function UploadForm() {
  const { incident } = useIncident();
  const me = useMe();
  const client = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [f, setF] = useState({ collectedBy: me.user.displayName, collectedAt: nowLocal(), collectedFrom: '', description: '', tlp: null as Tlp | null });
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<Evidence | null>(null);
  const abort = useRef<AbortController | null>(null);
  const errs = fieldErrors(error);
  const set = (patch: Partial<typeof f>) => setF((x) => ({ ...x, ...patch }));
  const valid = file && f.collectedBy.trim() && f.collectedFrom.trim() && f.collectedAt;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file || !valid) return;
    setError(null);
    setDone(null);
    setProgress(0);
    abort.current = new AbortController();
    try {
      const ev = await uploadEvidence(incident.id, file, {
        filename: file.name, collectedBy: f.collectedBy.trim(), collectedAt: new Date(f.collectedAt).toISOString(), collectedFrom: f.collectedFrom.trim(),
        ...(f.description.trim() ? { description: f.description.trim() } : {}), ...(f.tlp ? { tlp: f.tlp } : {}),
      }, me.csrfToken, setProgress, abort.current.signal);
      setDone(ev);
      setFile(null);
      set({ description: '', collectedAt: nowLocal() });
      await client.invalidateQueries({ queryKey: evidenceKey(incident.id) });
      void client.invalidateQueries({ queryKey: timelineKey(incident.id) });
    } catch (err) {
      setError(err);
    } finally {
      setProgress(null);
      abort.current = null;
    }
  };

  const busy = progress !== null;
  return (
    <Paper withBorder p="md" component="form" onSubmit={(e: FormEvent) => void submit(e)} aria-label="Upload evidence">
      <Stack gap="sm">
        <Title order={4} fz="sm">Upload evidence</Title>
        <ErrorAlert error={error} />
        <SimpleGrid cols={{ base: 1, md: 3 }} spacing="sm" verticalSpacing="xs">
          <FileInput label="File" required placeholder="Choose a file" value={file} onChange={setFile} clearable disabled={busy} data-testid="evidence-file" error={errs.filename} />
          <TextInput label="Collected from" required placeholder="Host, mailbox, device, URL…" value={f.collectedFrom} disabled={busy}
            onChange={(e) => set({ collectedFrom: e.currentTarget.value })} error={errs.collectedFrom} data-testid="evidence-from" />
          <TextInput label="Collected by" required value={f.collectedBy} disabled={busy} onChange={(e) => set({ collectedBy: e.currentTarget.value })}
            error={errs.collectedBy} data-testid="evidence-by" />
          <TextInput label="Collected at" required type="datetime-local" value={f.collectedAt} disabled={busy}
            onChange={(e) => set({ collectedAt: e.currentTarget.value })} error={errs.collectedAt} data-testid="evidence-at" />
          <Select label="TLP" clearable placeholder={`Incident's (TLP:${incident.tlp})`} data={TLPS.map((t) => ({ value: t, label: `TLP:${t}` }))}
            value={f.tlp} onChange={(v) => set({ tlp: v as Tlp | null })} disabled={busy} comboboxProps={{ withinPortal: true }} />
          <TextInput label="Description" placeholder="What it is, how it was acquired" value={f.description} disabled={busy}
            onChange={(e) => set({ description: e.currentTarget.value })} error={errs.description} />
        </SimpleGrid>
        {busy && (
          <Group gap="sm" wrap="nowrap">
            <Progress value={Math.round((progress ?? 0) * 100)} style={{ flex: 1 }} animated striped aria-label="Upload progress" data-testid="evidence-progress" />
            <Text size="xs" w={40} ta="right">{Math.round((progress ?? 0) * 100)}%</Text>
            <Button size="xs" variant="default" onClick={() => abort.current?.abort()}>Cancel</Button>
          </Group>
        )}
        <Group justify="space-between">
          <Text size="xs" c="dimmed">
            {done ? <>Uploaded <b>{done.filename}</b>: SHA-256 <span style={MONO}>{done.sha256}</span></> : 'The server hashes the file as it arrives; the file is never changed.'}
          </Text>
          <Button type="submit" leftSection={<IconFileUpload size={16} />} loading={busy} disabled={!valid} data-testid="evidence-upload">Upload</Button>
        </Group>
      </Stack>
    </Paper>
  );
}

function HandOverForm({ evidence }: { evidence: Evidence }) {
  const client = useQueryClient();
  const { incident } = useIncident();
  const [to, setTo] = useState('');
  const [reason, setReason] = useState('');
  const { busy, error, run } = useAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!to.trim() || !reason.trim()) return;
    await run(async () => {
      await api.post<CustodyEntry>(paths.handover(evidence.id), { to: to.trim(), reason: reason.trim() });
      setTo('');
      setReason('');
      await client.invalidateQueries({ queryKey: custodyKey(evidence.id) });
      void client.invalidateQueries({ queryKey: timelineKey(incident.id) });
    });
  };

  return (
    <form onSubmit={(e) => void submit(e)} aria-label={`Record a hand-over of ${evidence.filename}`}>
      <Stack gap={6}>
        <ErrorAlert error={error} />
        <Group gap="xs" align="flex-end" wrap="nowrap">
          <TextInput size="xs" w={240} label="Handed over to" placeholder="Name, organisation" value={to} onChange={(e) => setTo(e.currentTarget.value)} data-testid="handover-to" />
          <Textarea size="xs" style={{ flex: 1 }} label="Reason" autosize minRows={1} maxRows={4} placeholder="e.g. forensic imaging by the police"
            value={reason} onChange={(e) => setReason(e.currentTarget.value)} data-testid="handover-reason" />
          <Button size="xs" type="submit" variant="light" leftSection={<IconTransfer size={14} />} loading={busy} disabled={!to.trim() || !reason.trim()} data-testid="handover-submit">
            Record hand-over
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function details(c: CustodyEntry): string {
  return Object.entries(c.details).filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' · ');
}

function CustodyLog({ evidence, canHandOver }: { evidence: Evidence; canHandOver: boolean }) {
  const q = useQuery({ queryKey: custodyKey(evidence.id), queryFn: () => api.get<Answer<'evidence.custody'>>(paths.custody(evidence.id)) });
  return (
    <Stack gap="xs" data-testid="custody-log">
      <ErrorAlert error={q.error} />
      <Table className="vigil-table" verticalSpacing={4} withTableBorder>
        <Table.Thead>
          <Table.Tr><Table.Th w={190}>When</Table.Th><Table.Th w={140}>What</Table.Th><Table.Th w={180}>Who</Table.Th><Table.Th>Details</Table.Th></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {q.isLoading && <EmptyRow colSpan={4}>Loading…</EmptyRow>}
          {(q.data?.items ?? []).map((c) => (
            <Table.Tr key={c.id} data-testid="custody-entry" data-action={c.action}>
              <Table.Td><DateText value={c.at} seconds /></Table.Td>
              <Table.Td><Badge size="sm" variant="light" miw="max-content" color={c.action === 'handed_over' ? 'orange' : c.action === 'downloaded' ? 'blue' : 'gray'}>{humanize(c.action)}</Badge></Table.Td>
              <Table.Td><Text size="sm" style={{ overflowWrap: 'anywhere' }}>{c.actorName}</Text></Table.Td>
              <Table.Td><Text size="xs" style={{ overflowWrap: 'anywhere' }}>{details(c)}</Text></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {canHandOver && <HandOverForm evidence={evidence} />}
    </Stack>
  );
}

function Hash({ label, value }: { label: string; value: string }) {
  return (
    <Group gap={6} wrap="nowrap" align="center">
      <Text size="xs" c="dimmed" w={68} fw={600} style={{ flexShrink: 0, whiteSpace: 'nowrap' }}>{label}</Text>
      <Text size="xs" style={MONO} data-testid={`evidence-${label.toLowerCase().replace('-', '')}`}>{value}</Text>
      <CopyIcon value={value} label={`Copy ${label}`} />
    </Group>
  );
}

function EvidenceItem({ evidence, canDownload, canHandOver }: { evidence: Evidence; canDownload: boolean; canHandOver: boolean }) {
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const e = evidence;
  return (
    <Paper withBorder p="sm" data-testid="evidence-item" data-filename={e.filename}>
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
        <Stack gap={2} style={{ minWidth: 0, flex: 1 }}>
          <Group gap={8} wrap="wrap">
            <Text fw={600} size="sm" style={{ overflowWrap: 'anywhere' }} data-testid="evidence-name">{e.filename}</Text>
            <Text size="xs" c="dimmed" title={`${e.size} bytes`}>{formatBytes(e.size)}</Text>
            <TlpBadge tlp={e.tlp} size="xs" />
          </Group>
          {e.description && <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>{e.description}</Text>}
          <Text size="xs" c="dimmed">
            Collected by <Text span size="xs" c="gray.3">{e.collectedBy}</Text> at <Text span size="xs" c="gray.3" title={e.collectedAt}>{formatDate(e.collectedAt)}</Text> from{' '}
            <Text span size="xs" c="gray.3" style={{ overflowWrap: 'anywhere' }}>{e.collectedFrom}</Text> · added <span title={e.addedAt}>{formatDate(e.addedAt)}</span>
          </Text>
        </Stack>
        <Group gap="xs" wrap="nowrap">
          {canDownload && (
            <Button component="a" href={paths.download(e.id)} download size="xs" variant="default" leftSection={<IconDownload size={14} />}
              data-testid="evidence-download" onClick={() => window.setTimeout(() => void client.invalidateQueries({ queryKey: custodyKey(e.id) }), 1500)}>
              Download
            </Button>
          )}
          <Button size="xs" variant={open ? 'light' : 'subtle'} leftSection={<IconHistory size={14} />} onClick={() => setOpen((o) => !o)}
            aria-expanded={open} data-testid="evidence-custody-toggle">
            Chain of custody
          </Button>
        </Group>
      </Group>
      <Stack gap={0} mt={6}>
        <Hash label="SHA-256" value={e.sha256} />
        <Hash label="SHA-1" value={e.sha1} />
        <Hash label="MD5" value={e.md5} />
      </Stack>
      {open && <div style={{ marginTop: 8 }}><CustodyLog evidence={e} canHandOver={canHandOver} /></div>}
    </Paper>
  );
}

export function EvidenceTab() {
  const { incident, canWrite } = useIncident();
  const canDownload = incident.allowed.downloadEvidence;
  const q = useQuery({ queryKey: evidenceKey(incident.id), queryFn: () => api.get<Answer<'evidence.list'>>(paths.evidence(incident.id)) });
  const items = q.data?.items ?? [];
  return (
    <Stack gap="md">
      {incident.allowed.update && <UploadForm />}
      <ErrorAlert error={q.error} />
      {q.isLoading && <Text size="sm" c="dimmed">Loading evidence…</Text>}
      {q.data && items.length === 0 && <Text size="sm" c="dimmed" data-testid="evidence-empty">No evidence recorded.</Text>}
      {items.map((e) => <EvidenceItem key={e.id} evidence={e} canDownload={canDownload} canHandOver={canWrite} />)}
      {!canDownload && items.length > 0 && <Text size="xs" c="dimmed">Downloading evidence is for handlers and managers.</Text>}
    </Stack>
  );
}
