// Creating or changing a constituent as a whole (admins and managers): fields, routing lists,
// contacts and agreements. The server checks CIDRs, ownership and PGP keys and says why it refuses.
import { useState, type FormEvent } from 'react';
import { Alert, Button, Grid, Group, Modal, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { api } from '../../api/client';
import type { Body } from '../../api/schema';
import { ErrorAlert } from '../../components/errors';
import { ContactsEditor, AgreementsEditor } from './ListEditors';
import { CONSTITUENTS_KEY, LEVELS, problemText, type Agreement, type Constituent, type ContactDraft, type ConstituentSummary, type Level } from './constituentsApi';

interface Draft {
  name: string;
  parentId: string | null;
  sector: string;
  criticality: Level;
  notes: string;
  netblocks: string;
  asns: string;
  domains: string;
  emailDomains: string;
  contacts: ContactDraft[];
  agreements: Agreement[];
}

const lines = (xs: (string | number)[]) => xs.join('\n');
const items = (s: string) => s.split(/[\s,;]+/).map((x) => x.trim()).filter(Boolean);

function draftOf(c: Constituent | null): Draft {
  return {
    name: c?.name ?? '', parentId: c?.parentId ?? null, sector: c?.sector ?? '', criticality: c?.criticality ?? 'medium', notes: c?.notes ?? '',
    netblocks: lines(c?.netblocks ?? []), asns: lines((c?.asns ?? []).map((a) => `AS${a}`)), domains: lines(c?.domains ?? []), emailDomains: lines(c?.emailDomains ?? []),
    contacts: c?.contacts ?? [], agreements: c?.agreements ?? [],
  };
}

export function ConstituentFormModal({ editing, onClose, onSaved }: { editing: Constituent | null; onClose: () => void; onSaved: (c: Constituent) => void }) {
  const client = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => draftOf(editing));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const all = useQuery({ queryKey: [...CONSTITUENTS_KEY, 'list', ''], queryFn: () => api.get<ConstituentSummary[]>('/constituents?limit=1000') });
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body: Body<'constituents.create'> = {
      name: draft.name, parentId: draft.parentId, sector: draft.sector, criticality: draft.criticality, notes: draft.notes,
      netblocks: items(draft.netblocks), asns: items(draft.asns), domains: items(draft.domains), emailDomains: items(draft.emailDomains),
      contacts: draft.contacts.map((c) => ({ ...c, email: c.email || null, phone: c.phone || null, pgpKey: c.pgpKey || null, pgpFingerprint: undefined })),
      agreements: draft.agreements.map((a) => ({ ...a, startsOn: a.startsOn || null, endsOn: a.endsOn || null })),
    };
    try {
      const saved = editing
        ? await api.put<Constituent>(`/constituents/${editing.id}`, { ...body, version: editing.version })
        : await api.post<Constituent>('/constituents', body);
      await client.invalidateQueries({ queryKey: CONSTITUENTS_KEY });
      notifications.show({
        color: saved.warnings.length ? 'yellow' : 'teal',
        message: saved.warnings.length ? `${saved.name} saved; ${saved.warnings.length} netblock(s) overlap another constituent's (the longest prefix wins).` : `${saved.name} saved.`,
      });
      onSaved(saved);
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const parents = (all.data ?? []).filter((c) => c.id !== editing?.id).map((c) => ({ value: c.id, label: c.name }));
  const explained = problemText(error);
  return (
    <Modal opened onClose={onClose} title={<Text fw={600}>{editing ? `Edit ${editing.name}` : 'New constituent'}</Text>} size="xl" closeOnClickOutside={false}>
      <form onSubmit={(e) => void submit(e)}>
        <Stack gap="sm">
          <Grid>
            <Grid.Col span={{ base: 12, sm: 6 }}><TextInput label="Name" required maxLength={200} value={draft.name} onChange={(e) => set('name', e.currentTarget.value)} data-testid="cf-name" /></Grid.Col>
            <Grid.Col span={{ base: 12, sm: 6 }}>
              <Select label="Part of" placeholder="No parent organisation" clearable searchable data={parents} value={draft.parentId} onChange={(v) => set('parentId', v)} data-testid="cf-parent" />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 6 }}><TextInput label="Sector" maxLength={100} value={draft.sector} onChange={(e) => set('sector', e.currentTarget.value)} data-testid="cf-sector" /></Grid.Col>
            <Grid.Col span={{ base: 12, sm: 6 }}>
              <Select label="Criticality" description="Raises the impact suggested in triage to at least this" data={LEVELS} value={draft.criticality}
                onChange={(v) => v && set('criticality', v as Level)} allowDeselect={false} data-testid="cf-criticality" />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 6 }}>
              <Textarea label="Netblocks" description="IPv4 and IPv6 CIDR, one per line" autosize minRows={3} maxRows={10} value={draft.netblocks}
                onChange={(e) => set('netblocks', e.currentTarget.value)} styles={{ input: { fontFamily: 'monospace' } }} data-testid="cf-netblocks" />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 6 }}>
              <Textarea label="Domains" description="Each covers its subdomains" autosize minRows={3} maxRows={10} value={draft.domains}
                onChange={(e) => set('domains', e.currentTarget.value)} styles={{ input: { fontFamily: 'monospace' } }} data-testid="cf-domains" />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 6 }}>
              <Textarea label="E-mail domains" description="Reports from these addresses route here" autosize minRows={2} maxRows={6} value={draft.emailDomains}
                onChange={(e) => set('emailDomains', e.currentTarget.value)} styles={{ input: { fontFamily: 'monospace' } }} data-testid="cf-email-domains" />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 6 }}>
              <Textarea label="AS numbers" description="AS64500 or 64500, one per line" autosize minRows={2} maxRows={6} value={draft.asns}
                onChange={(e) => set('asns', e.currentTarget.value)} styles={{ input: { fontFamily: 'monospace' } }} data-testid="cf-asns" />
            </Grid.Col>
          </Grid>
          <ContactsEditor value={draft.contacts} onChange={(v) => set('contacts', v)} />
          <AgreementsEditor value={draft.agreements} onChange={(v) => set('agreements', v)} />
          <Textarea label="Notes" autosize minRows={2} maxLength={5000} value={draft.notes} onChange={(e) => set('notes', e.currentTarget.value)} />
          {explained ? <Alert color="red" variant="light" title="Not saved" data-testid="cf-problem">{explained}</Alert> : <ErrorAlert error={error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={busy} data-testid="cf-save">{editing ? 'Save' : 'Create'}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
