// Record or change one of the team's activities: its kind, title, when, the constituent it was held
// with or for, participants and TLP. A version conflict keeps what was typed and offers the stored one.
import { useState, type FormEvent } from 'react';
import { Button, Group, Modal, NumberInput, Select, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { api, qs } from '../../api/client';
import type { Tlp } from '../../api/incidents';
import { ACTIVITY_KINDS, ACTIVITY_LABELS, type Activity, type ActivityInput, type ActivityKind } from '../../api/kpi';
import { CONSTITUENTS_KEY, type ConstituentSummary } from '../constituents/constituentsApi';
import { TLP_OPTIONS } from '../incidents/DeclareIncidentModal';
import { fromLocal, toLocal } from '../incidents/taskHelpers';
import { activitiesApi, currentOf } from './kpiAdminApi';
import { SaveProblem } from './SaveProblem';

interface Draft {
  kind: ActivityKind;
  title: string;
  description: string;
  startsAt: string;
  endsAt: string;
  constituentId: string | null;
  constituentName: string | null;
  participants: number | string;
  tlp: Tlp;
}

export const KIND_OPTIONS = ACTIVITY_KINDS.map((k) => ({ value: k, label: ACTIVITY_LABELS[k] }));

function draftOf(a: Activity | null): Draft {
  const now = new Date();
  now.setSeconds(0, 0);
  return {
    kind: a?.kind ?? 'constituency_meeting',
    title: a?.title ?? '',
    description: a?.description ?? '',
    startsAt: toLocal(a?.startsAt ?? now.toISOString()),
    endsAt: toLocal(a?.endsAt ?? null),
    constituentId: a?.constituentId ?? null,
    constituentName: a?.constituentName ?? null,
    participants: a?.participants ?? '',
    tlp: a?.tlp ?? 'GREEN',
  };
}

/** A constituent searched on the server by name; empty means none. */
function ConstituentField({ value, initialName, onChange }: { value: string | null; initialName: string | null; onChange: (id: string | null, name: string | null) => void }) {
  const [search, setSearch] = useState(initialName ?? '');
  const [selected, setSelected] = useState<{ id: string; name: string } | null>(value && initialName ? { id: value, name: initialName } : null);
  const [q] = useDebouncedValue(search.trim() === selected?.name ? '' : search.trim(), 200);
  const found = useQuery({
    queryKey: [...CONSTITUENTS_KEY, 'list', 'activity-picker', q],
    queryFn: () => api.get<ConstituentSummary[]>(`/constituents${qs({ q, limit: 20 })}`),
  });
  const options = new Map<string, string>();
  if (selected) options.set(selected.id, selected.name);
  for (const c of found.data ?? []) options.set(c.id, c.name);
  return (
    <Select label="Constituent" description="The one it was held with or for, if any" placeholder="None" searchable clearable
      data={[...options].map(([v, label]) => ({ value: v, label }))} value={value} searchValue={search} onSearchChange={setSearch}
      filter={({ options: o }) => o} nothingFoundMessage={found.isFetching ? 'Searching…' : 'No constituent matches'}
      onChange={(id) => {
        const name = id ? (options.get(id) ?? null) : null;
        setSelected(id && name ? { id, name } : null);
        onChange(id, name);
      }}
      comboboxProps={{ withinPortal: true }} data-testid="activity-constituent" />
  );
}

export function ActivityModal({ activity, onClose, onSaved }: { activity: Activity | null; onClose: () => void; onSaved: (a: Activity) => void }) {
  const [base, setBase] = useState(activity);
  const [draft, setDraft] = useState<Draft>(() => draftOf(activity));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [pickerKey, setPickerKey] = useState(0);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));

  const starts = fromLocal(draft.startsAt);
  const ends = draft.endsAt ? fromLocal(draft.endsAt) : null;
  const endsError = draft.endsAt && !ends ? 'Not a date and time' : ends && starts && ends < starts ? 'Ends before it starts' : undefined;
  const participants = draft.participants === '' ? null : Number(draft.participants);
  const participantsOk = participants === null || (Number.isInteger(participants) && participants >= 0);
  const complete = draft.title.trim() !== '' && starts !== null && !endsError && participantsOk;
  const theirs = currentOf<Activity>(error);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!complete || !starts) return;
    setBusy(true);
    setError(null);
    try {
      const input: ActivityInput = {
        kind: draft.kind, title: draft.title.trim(), description: draft.description, startsAt: starts, endsAt: ends,
        constituentId: draft.constituentId, participants, tlp: draft.tlp,
      };
      onSaved(base ? await activitiesApi.update(base.id, input, base.version) : await activitiesApi.create(input));
    } catch (err) {
      // A stale version: keep what was typed, and save over the version stored now if asked to.
      const current = currentOf<Activity>(err);
      if (current) setBase(current);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const loadTheirs = theirs && (() => {
    setDraft(draftOf(theirs));
    setPickerKey((k) => k + 1);
    setError(null);
  });

  return (
    <Modal opened onClose={() => !busy && onClose()} size="lg" closeOnClickOutside={false}
      title={<Text fw={600}>{activity ? `Edit ${activity.title}` : 'Record a team activity'}</Text>}>
      <form onSubmit={(e) => void submit(e)} noValidate data-testid="activity-form">
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="sm">
            <Select label="Kind" required allowDeselect={false} data={KIND_OPTIONS} value={draft.kind}
              onChange={(v) => v && set('kind', v as ActivityKind)} comboboxProps={{ withinPortal: true }} data-testid="activity-kind" />
            <Select label="TLP" description="How widely it may be named in reports" data={TLP_OPTIONS} value={draft.tlp} allowDeselect={false}
              onChange={(v) => v && set('tlp', v as Tlp)} comboboxProps={{ withinPortal: true }} data-testid="activity-tlp" />
          </SimpleGrid>
          <TextInput label="Title" required maxLength={200} value={draft.title} onChange={(e) => set('title', e.currentTarget.value)}
            error={draft.title !== '' && draft.title.trim() === '' ? 'Give a title' : undefined} data-testid="activity-title" />
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="sm">
            <TextInput label="Starts (your time)" required type="datetime-local" value={draft.startsAt}
              onChange={(e) => set('startsAt', e.currentTarget.value)} error={starts ? undefined : 'Give the start'} data-testid="activity-starts" />
            <TextInput label="Ends (your time)" description="Optional" type="datetime-local" value={draft.endsAt}
              onChange={(e) => set('endsAt', e.currentTarget.value)} error={endsError} data-testid="activity-ends" />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="sm">
            <ConstituentField key={pickerKey} value={draft.constituentId} initialName={draft.constituentName}
              onChange={(id, name) => setDraft((d) => ({ ...d, constituentId: id, constituentName: name }))} />
            <NumberInput label="Participants" description="Optional" min={0} max={10_000_000} allowDecimal={false} allowNegative={false}
              value={draft.participants} onChange={(v) => set('participants', v)} error={participantsOk ? undefined : 'A whole number'} data-testid="activity-participants" />
          </SimpleGrid>
          <Textarea label="Description" autosize minRows={2} maxRows={8} maxLength={20_000} value={draft.description}
            onChange={(e) => set('description', e.currentTarget.value)} data-testid="activity-description" />
          <SaveProblem error={error} what="activity" onLoadTheirs={loadTheirs || null} testId="activity" />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={busy}>Cancel</Button>
            <Button type="submit" loading={busy} disabled={!complete} data-testid="activity-save">{activity ? 'Save activity' : 'Record activity'}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
