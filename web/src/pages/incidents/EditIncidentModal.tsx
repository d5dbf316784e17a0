import { useState, type FormEvent } from 'react';
import { Button, Group, Modal, Select, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { api } from '../../api/client';
import type { Incident, Level, Pap, Tlp } from '../../api/incidents';
import { fieldErrors } from '../../components/errors';
import { ClassificationPicker, type Pick } from './ClassificationPicker';
import { ImpactUrgency, PAP_OPTIONS, TLP_OPTIONS } from './DeclareIncidentModal';
import { useIncident, useIncidentWrite } from './useIncidentWrite';

interface Draft {
  title: string;
  summary: string;
  impact: Level;
  urgency: Level;
  tlp: Tlp;
  pap: Pap;
  constituent: string;
  classifications: Pick[];
}

function draftOf(i: Incident): Draft {
  const ordered = [...i.classifications].sort((a, b) => Number(b.primary) - Number(a.primary));
  return {
    title: i.title, summary: i.summary, impact: i.impact, urgency: i.urgency, tlp: i.tlp, pap: i.pap, constituent: i.constituent ?? '',
    classifications: ordered.map((c) => ({ class: c.class, type: c.type })),
  };
}

/** Only what the user changed, so re-applying after a conflict keeps other people's edits. */
function changes(from: Draft, to: Draft): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (to.title.trim() !== from.title) out.title = to.title.trim();
  if (to.summary !== from.summary) out.summary = to.summary;
  for (const k of ['impact', 'urgency', 'tlp', 'pap'] as const) if (to[k] !== from[k]) out[k] = to[k];
  if (to.constituent.trim() !== from.constituent) out.constituent = to.constituent.trim() || null;
  if (JSON.stringify(to.classifications) !== JSON.stringify(from.classifications)) {
    out.classifications = to.classifications.map((c, i) => ({ ...c, primary: i === 0 }));
  }
  return out;
}

export function EditIncidentModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { incident } = useIncident();
  // The incident as it was when the form opened: the base of the changes sent.
  const [original] = useState(() => draftOf(incident));
  const [draft, setDraft] = useState<Draft>(original);
  const write = useIncidentWrite(() => onClose());
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const errs = fieldErrors(write.error);
  const diff = changes(original, draft);
  const valid = draft.title.trim() !== '' && draft.classifications.length > 0 && Object.keys(diff).length > 0;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    void write.run(incident.version, (version) => api.patch<Incident>(`/incidents/${encodeURIComponent(incident.id)}`, { version, ...diff }));
  };

  return (
    <Modal opened={opened} onClose={() => !write.busy && onClose()} title={<Text fw={600}>Edit {incident.reference}</Text>} size="lg">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          {write.alert}
          <TextInput label="Title" required value={draft.title} error={errs.title} maxLength={300}
            onChange={(e) => set('title', e.currentTarget.value)} data-testid="edit-title" />
          <Textarea label="Summary" description="Markdown." autosize minRows={3} maxRows={12} value={draft.summary} error={errs.summary}
            onChange={(e) => set('summary', e.currentTarget.value)} data-testid="edit-summary" />
          <ImpactUrgency impact={draft.impact} urgency={draft.urgency} errors={errs} onChange={(v) => setDraft((d) => ({ ...d, ...v }))} />
          <SimpleGrid cols={2} spacing="sm">
            <Select label="TLP" data={TLP_OPTIONS} value={draft.tlp} allowDeselect={false} onChange={(v) => v && set('tlp', v as Tlp)}
              comboboxProps={{ withinPortal: true }} data-testid="edit-tlp" />
            <Select label="PAP" data={PAP_OPTIONS} value={draft.pap} allowDeselect={false} onChange={(v) => v && set('pap', v as Pap)}
              comboboxProps={{ withinPortal: true }} data-testid="edit-pap" />
          </SimpleGrid>
          <TextInput label="Constituent" value={draft.constituent} error={errs.constituent}
            onChange={(e) => set('constituent', e.currentTarget.value)} data-testid="edit-constituent" />
          <ClassificationPicker value={draft.classifications} onChange={(v) => set('classifications', v)} error={errs.classifications} />
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={onClose} disabled={write.busy}>Cancel</Button>
            <Button type="submit" loading={write.busy} disabled={!valid} data-testid="edit-save">Save changes</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
