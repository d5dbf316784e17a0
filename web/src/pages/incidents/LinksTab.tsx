// Links between incidents (related, parent/child, duplicate, merged) and merging this incident into
// another one. The merge says exactly what moves before anything is sent.
import { useState, type FormEvent } from 'react';
import { ActionIcon, Alert, Anchor, Button, Group, List, Modal, Paper, Select, Stack, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { IconArrowMerge, IconLink, IconTrash } from '@tabler/icons-react';
import { api, ApiError } from '../../api/client';
import type { Answer } from '../../api/schema';
import { conflictCurrent, INCIDENTS_KEY, incidentKey, timelineKey, type Incident } from '../../api/incidents';
import { linksKey, observablesKey, paths, problemReason, tasksKey, type IncidentLink } from '../../api/work';
import { DateText, EmptyRow } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { useAction } from '../../components/useAction';
import { StatusBadge, TlpBadge } from '../../components/incidentBadges';
import { Link } from '../../router';
import { storeIncident, useIncident } from './useIncidentWrite';

const REFERENCE = /^[A-Z][A-Z0-9]{1,11}-\d{4}-\d{5,}$/;
const normRef = (v: string) => v.trim().toUpperCase();

function relation(l: IncidentLink): string {
  const out = l.direction === 'outgoing';
  switch (l.kind) {
    case 'related': return 'Related';
    case 'parent_of': return out ? 'Parent of' : 'Child of';
    case 'duplicate_of': return out ? 'Duplicate of' : 'Duplicated by';
    case 'merged_into': return out ? 'Merged into' : 'Merged from';
  }
}

/** A failed request, with the server's reason when it gives one (e.g. "an incident cannot link to itself"). */
function Problem({ error }: { error: unknown }) {
  const reason = problemReason(error);
  if (!reason) return <ErrorAlert error={error} />;
  return <Alert color="red" variant="light" title={error instanceof ApiError ? error.title : 'Failed'} role="alert" data-testid="error-alert"><Text size="sm">{reason}.</Text></Alert>;
}

type AddKind = 'related' | 'parent_of' | 'child_of';

function AddLink() {
  const { incident } = useIncident();
  const client = useQueryClient();
  const [kind, setKind] = useState<AddKind>('related');
  const [ref, setRef] = useState('');
  const { busy, error, run } = useAction();
  const valid = REFERENCE.test(normRef(ref));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    await run(async () => {
      const other = normRef(ref);
      if (kind === 'child_of') await api.post(paths.links(other), { kind: 'parent_of', incidentId: incident.id });
      else await api.post(paths.links(incident.id), { kind, incidentId: other });
      setRef('');
      await client.invalidateQueries({ queryKey: linksKey(incident.id) });
      void client.invalidateQueries({ queryKey: timelineKey(incident.id) });
    });
  };

  return (
    <form onSubmit={(e) => void submit(e)} aria-label="Link an incident">
      <Stack gap="xs">
        <Problem error={error} />
        <Group gap="xs" align="flex-end">
          <Select label="This incident is" w={200} allowDeselect={false} value={kind} onChange={(v) => v && setKind(v as AddKind)}
            data={[{ value: 'related', label: 'Related to' }, { value: 'parent_of', label: 'Parent of' }, { value: 'child_of', label: 'Child of' }]}
            data-testid="link-kind" comboboxProps={{ withinPortal: true }} />
          <TextInput label="Incident reference" w={220} placeholder="VIG-2026-00001" value={ref} onChange={(e) => setRef(e.currentTarget.value)}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }} data-testid="link-reference"
            error={ref.trim() && !valid ? 'A reference like VIG-2026-00001' : undefined} />
          <Button type="submit" leftSection={<IconLink size={16} />} loading={busy} disabled={!valid} data-testid="link-add">Link</Button>
        </Group>
      </Stack>
    </form>
  );
}

function MergeModal({ onClose }: { onClose: () => void }) {
  const { incident, param } = useIncident();
  const client = useQueryClient();
  const [ref, setRef] = useState('');
  const [target, setTarget] = useState<Incident | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [stale, setStale] = useState<number | null>(null);
  const tasks = useQuery({ queryKey: tasksKey(incident.id), queryFn: () => api.get<Answer<'tasks.list'>>(paths.tasks(incident.id)) });
  const observables = useQuery({ queryKey: observablesKey(incident.id), queryFn: () => api.get<Answer<'observables.list'>>(paths.observables(incident.id)) });
  /** "1 task moves", "3 tasks move", or "Its tasks move" while the count is loading. */
  const n = (q: { data?: { items: unknown[] } }, what: string) =>
    !q.data ? `Its ${what}s move` : q.data.items.length === 1 ? `1 ${what} moves` : `${q.data.items.length} ${what}s move`;

  const find = async (e: FormEvent) => {
    e.preventDefault();
    const r = normRef(ref);
    if (!REFERENCE.test(r)) return;
    setBusy(true);
    setError(null);
    try {
      const t = await api.get<Incident>(`/incidents/${encodeURIComponent(r)}`);
      if (t.id === incident.id) throw new ApiError({ status: 409, code: 'SELF', title: 'An incident cannot merge into itself' });
      if (t.status === 'closed') throw new ApiError({ status: 409, code: 'CLOSED', title: `${t.reference} is closed: reopen it first, or pick another incident` });
      setTarget(t);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 404 ? new ApiError({ status: 404, code: err.code, title: `No incident ${r}, or it is not shared with you` }) : err);
    } finally {
      setBusy(false);
    }
  };

  const merge = async () => {
    if (!target) return;
    setBusy(true);
    setError(null);
    setStale(null);
    try {
      await api.post<Incident>(paths.merge(target.id), { sourceId: incident.id, sourceVersion: incident.version });
      await client.invalidateQueries({ queryKey: incidentKey(param) });
      void client.invalidateQueries({ queryKey: INCIDENTS_KEY });
      onClose();
    } catch (err) {
      const current = conflictCurrent(err);
      if (current) {
        // Show the incident as it is now; the next confirm sends its current version.
        storeIncident(client, param, current);
        setStale(current.version);
      } else setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened onClose={() => !busy && onClose()} title={<Text fw={600}>Merge {incident.reference} into another incident</Text>} size="lg">
      {!target ? (
        <form onSubmit={(e) => void find(e)}>
          <Stack gap="sm">
            <Problem error={error} />
            <TextInput label="Merge into (reference)" placeholder="VIG-2026-00001" data-autofocus value={ref} onChange={(e) => setRef(e.currentTarget.value)}
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }} data-testid="merge-reference"
              description="The incident that carries on. This one closes as its duplicate." />
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose} disabled={busy}>Cancel</Button>
              <Button type="submit" loading={busy} disabled={!REFERENCE.test(normRef(ref))} data-testid="merge-find">Continue</Button>
            </Group>
          </Stack>
        </form>
      ) : (
        <Stack gap="sm" data-testid="merge-confirm">
          <Text size="sm">
            Merge <b style={{ whiteSpace: 'nowrap' }}>{incident.reference}</b> ({incident.title}) into <b style={{ whiteSpace: 'nowrap' }}>{target.reference}</b> ({target.title}):
          </Text>
          <List size="sm" spacing={4}>
            <List.Item>Its reports move to {target.reference}.</List.Item>
            <List.Item>{n(observables, 'observable')} to {target.reference} (linked there, no longer here).</List.Item>
            <List.Item>{n(tasks, 'task')} to {target.reference}, with their checklists and notes.</List.Item>
            <List.Item>Its timeline shows in {target.reference}&apos;s timeline; the merge is recorded on both.</List.Item>
            <List.Item>Its role holders are added to {target.reference}. Evidence files stay recorded on {incident.reference}.</List.Item>
            <List.Item><b>{incident.reference} closes as a duplicate of {target.reference}.</b> A merge cannot be undone.</List.Item>
          </List>
          {stale !== null && (
            <Alert color="yellow" variant="light" title="Someone changed this incident" data-testid="merge-stale">
              It is now version {stale}. Check the page, then confirm again.
            </Alert>
          )}
          <Problem error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setTarget(null)} disabled={busy}>Back</Button>
            <Button color="red" leftSection={<IconArrowMerge size={16} />} loading={busy} onClick={() => void merge()} data-testid="merge-submit">
              Merge and close {incident.reference}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

export function LinksTab() {
  const { incident } = useIncident();
  const writable = incident.allowed.update;
  const client = useQueryClient();
  const [merging, setMerging] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const q = useQuery({ queryKey: linksKey(incident.id), queryFn: () => api.get<Answer<'incidents.links'>>(paths.links(incident.id)) });
  const items = q.data?.items ?? [];
  const cols = writable ? 6 : 5;

  const remove = async (l: IncidentLink) => {
    const [from, to] = l.direction === 'outgoing' ? [incident.id, l.incident.id] : [l.incident.id, incident.id];
    setBusy(`${l.kind}/${l.incident.id}`);
    setError(null);
    try {
      await api.del(`${paths.links(from)}/${l.kind}/${encodeURIComponent(to)}`);
      await client.invalidateQueries({ queryKey: linksKey(incident.id) });
      void client.invalidateQueries({ queryKey: timelineKey(incident.id) });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  return (
    <Stack gap="md">
      <Problem error={q.error ?? error} />
      <Table withTableBorder className="vigil-table" verticalSpacing={6} data-testid="links-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={130}>Relation</Table.Th>
            <Table.Th>Incident</Table.Th>
            <Table.Th w={120}>Status</Table.Th>
            <Table.Th w={130}>TLP</Table.Th>
            <Table.Th w={180}>Since</Table.Th>
            {writable && <Table.Th w={44} />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {q.isLoading && <EmptyRow colSpan={cols}>Loading…</EmptyRow>}
          {q.data && items.length === 0 && <EmptyRow colSpan={cols}>No linked incidents.</EmptyRow>}
          {items.map((l) => (
            <Table.Tr key={`${l.kind}/${l.direction}/${l.incident.id}`} data-testid="link-row" data-kind={l.kind} data-direction={l.direction}>
              <Table.Td fw={500}>{relation(l)}</Table.Td>
              <Table.Td>
                <Group gap={8} wrap="nowrap" align="flex-start">
                  <Anchor component={Link} href={`/incidents/${encodeURIComponent(l.incident.reference)}`} ff="monospace" size="sm" style={{ whiteSpace: 'nowrap' }}
                    data-testid="link-reference-anchor">
                    {l.incident.reference}
                  </Anchor>
                  <Text size="sm" style={{ overflowWrap: 'anywhere' }}>{l.incident.title}</Text>
                </Group>
              </Table.Td>
              <Table.Td><StatusBadge status={l.incident.status} /></Table.Td>
              <Table.Td><TlpBadge tlp={l.incident.tlp} /></Table.Td>
              <Table.Td><DateText value={l.createdAt} /></Table.Td>
              {writable && (
                <Table.Td>
                  {(l.kind === 'related' || l.kind === 'parent_of') && (
                    <Tooltip label="Remove link">
                      <ActionIcon variant="subtle" color="red" aria-label={`Remove link to ${l.incident.reference}`} loading={busy === `${l.kind}/${l.incident.id}`}
                        onClick={() => void remove(l)} data-testid="link-remove">
                        <IconTrash size={16} />
                      </ActionIcon>
                    </Tooltip>
                  )}
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {writable && (
        <Paper withBorder p="sm">
          <Group justify="space-between" align="flex-end" wrap="wrap" gap="md">
            <AddLink />
            <Button variant="light" color="orange" leftSection={<IconArrowMerge size={16} />} onClick={() => setMerging(true)} data-testid="merge-open">
              Merge into…
            </Button>
          </Group>
        </Paper>
      )}
      {merging && <MergeModal onClose={() => setMerging(false)} />}
    </Stack>
  );
}
