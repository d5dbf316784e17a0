import { useEffect, useState, type FormEvent } from 'react';
import { Button, Group, Modal, Select, SimpleGrid, Stack, Switch, Text, Textarea, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import {
  defaultPriority, INCIDENTS_KEY, incidentKey, incidentPath, LEVELS, PAPS, TLPS, type Incident, type Level, type Pap, type Tlp,
} from '../../api/incidents';
import { REPORTS_KEY, type Report } from '../../api/reports';
import { PriorityBadge } from '../../components/incidentBadges';
import { ErrorAlert, fieldErrors } from '../../components/errors';
import { useAction } from '../../components/useAction';
import { navigate } from '../../router';
import { ClassificationPicker, type Pick } from './ClassificationPicker';

export const LEVEL_OPTIONS = LEVELS.map((l) => ({ value: l, label: l.charAt(0).toUpperCase() + l.slice(1) }));
export const TLP_OPTIONS = TLPS.map((t) => ({ value: t, label: `TLP:${t}` }));
export const PAP_OPTIONS = PAPS.map((p) => ({ value: p, label: `PAP:${p}` }));

interface Draft {
  title: string;
  summary: string;
  impact: Level;
  urgency: Level;
  tlp: Tlp;
  pap: Pap;
  constituent: string;
  exercise: boolean;
  classifications: Pick[];
}

const EMPTY: Draft = {
  title: '', summary: '', impact: 'medium', urgency: 'medium', tlp: 'AMBER', pap: 'AMBER', constituent: '', exercise: false, classifications: [],
};

/** The impact and urgency selects with the priority the default matrix gives them. */
export function ImpactUrgency({ impact, urgency, onChange, errors }: {
  impact: Level;
  urgency: Level;
  onChange: (v: { impact: Level; urgency: Level }) => void;
  errors: Record<string, string>;
}) {
  return (
    <SimpleGrid cols={3} spacing="sm">
      <Select label="Impact" data={LEVEL_OPTIONS} value={impact} allowDeselect={false} error={errors.impact}
        onChange={(v) => v && onChange({ impact: v as Level, urgency })} data-testid="incident-impact" comboboxProps={{ withinPortal: true }} />
      <Select label="Urgency" data={LEVEL_OPTIONS} value={urgency} allowDeselect={false} error={errors.urgency}
        onChange={(v) => v && onChange({ impact, urgency: v as Level })} data-testid="incident-urgency" comboboxProps={{ withinPortal: true }} />
      <Stack gap={4}>
        <Text size="sm" fw={500}>Priority</Text>
        <Group gap={6} h={36}>
          <PriorityBadge priority={defaultPriority(impact, urgency)} size="lg" data-testid="incident-priority-preview" />
          <Text size="xs" c="dimmed">by the default matrix</Text>
        </Group>
      </Stack>
    </SimpleGrid>
  );
}

const TLP_ORDER: readonly Tlp[] = TLPS;

/** A draft pre-filled from the reports an incident is declared from: the first one's title and body, the strictest TLP. */
function draftFrom(reports: readonly Report[] | undefined): Draft {
  const first = reports?.[0];
  if (!first) return EMPTY;
  const tlp = reports.reduce<Tlp>((t, r) => (TLP_ORDER.indexOf(r.tlp) > TLP_ORDER.indexOf(t) ? r.tlp : t), first.tlp);
  return { ...EMPTY, title: first.title.slice(0, 300), summary: first.body.slice(0, 20_000), tlp, constituent: first.organisation ?? '' };
}

/**
 * Declares an incident. With `reports`, it is declared from those new reports (POST
 * /incidents/from-reports), which are linked to it in the same step.
 */
export function DeclareIncidentModal({ opened, onClose, reports }: { opened: boolean; onClose: () => void; reports?: readonly Report[] }) {
  const client = useQueryClient();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const { busy, error, setError, run } = useAction();
  const fromReports = reports !== undefined && reports.length > 0;

  useEffect(() => {
    if (opened) {
      setDraft(draftFrom(reports));
      setError(null);
    }
    // Pre-fill once per opening, not on every refetch of the reports.
  }, [opened]);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const errs = fieldErrors(error);
  const valid = draft.title.trim() !== '' && draft.classifications.length > 0;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    await run(async () => {
      const created = await api.post<Incident>(fromReports ? '/incidents/from-reports' : '/incidents', {
        ...(fromReports ? { reports: reports.map((r) => r.id) } : {}),
        title: draft.title.trim(),
        summary: draft.summary,
        impact: draft.impact,
        urgency: draft.urgency,
        tlp: draft.tlp,
        pap: draft.pap,
        constituent: draft.constituent.trim() || null,
        exercise: draft.exercise,
        classifications: draft.classifications.map((c, i) => ({ ...c, primary: i === 0 })),
      });
      client.setQueryData(incidentKey(created.reference), created);
      void client.invalidateQueries({ queryKey: [...INCIDENTS_KEY, 'list'] });
      if (fromReports) void client.invalidateQueries({ queryKey: REPORTS_KEY });
      onClose();
      navigate(incidentPath(created.reference));
    });
  };

  return (
    <Modal opened={opened} onClose={() => !busy && onClose()} title={<Text fw={600}>{fromReports ? `Declare incident from ${reports.length === 1 ? 'a report' : `${reports.length} reports`}` : 'Declare incident'}</Text>} size="lg">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack gap="sm">
          {fromReports && (
            <Text size="sm" c="dimmed" data-testid="declare-from-reports">
              Links {reports.map((r) => r.reference).join(', ')} to the new incident. Title and summary are taken from {reports[0]!.reference}.
            </Text>
          )}
          <ErrorAlert error={error} />
          <TextInput label="Title" required autoFocus value={draft.title} error={errs.title} maxLength={300}
            onChange={(e) => set('title', e.currentTarget.value)} data-testid="incident-title" />
          <Textarea label="Summary" description="Markdown. What is known so far." autosize minRows={3} maxRows={10}
            value={draft.summary} error={errs.summary} onChange={(e) => set('summary', e.currentTarget.value)} data-testid="incident-summary" />
          <ImpactUrgency impact={draft.impact} urgency={draft.urgency} errors={errs}
            onChange={(v) => setDraft((d) => ({ ...d, ...v }))} />
          <SimpleGrid cols={2} spacing="sm">
            <Select label="TLP" data={TLP_OPTIONS} value={draft.tlp} allowDeselect={false} onChange={(v) => v && set('tlp', v as Tlp)}
              description="Who may see it" data-testid="incident-tlp" comboboxProps={{ withinPortal: true }} />
            <Select label="PAP" data={PAP_OPTIONS} value={draft.pap} allowDeselect={false} onChange={(v) => v && set('pap', v as Pap)}
              description="What may be done with it" data-testid="incident-pap" comboboxProps={{ withinPortal: true }} />
          </SimpleGrid>
          <TextInput label="Constituent" placeholder="Affected organisation or unit" value={draft.constituent} error={errs.constituent}
            onChange={(e) => set('constituent', e.currentTarget.value)} data-testid="incident-constituent" />
          <ClassificationPicker value={draft.classifications} onChange={(v) => set('classifications', v)} error={errs.classifications} />
          <Switch label="Exercise (not a real incident)" checked={draft.exercise} onChange={(e) => set('exercise', e.currentTarget.checked)}
            data-testid="incident-exercise" />
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={onClose} disabled={busy}>Cancel</Button>
            <Button type="submit" loading={busy} disabled={!valid} data-testid="incident-submit">Declare incident</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
