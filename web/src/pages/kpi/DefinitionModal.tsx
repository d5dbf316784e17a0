// Create or change a KPI definition: its key (only when created), name, description, what it
// measures with the measure's own parameters, the target in the measure's unit, whether it is shown,
// and its position. What the server finds wrong with the measure's parameters or the target is listed next to the form.
import { useState, type FormEvent } from 'react';
import { Button, Group, Input, Modal, NumberInput, SegmentedControl, Select, SimpleGrid, Stack, Switch, Text, Textarea, TextInput } from '@mantine/core';
import { MEASURE_LABELS, MEASURES, formatMinutes, type KpiDefinition, type KpiDefinitionInput, type KpiParams, type Measure, type TargetOp } from '../../api/kpi';
import { currentOf, MEASURE_UNITS, measureText, definitionsApi } from './kpiAdminApi';
import { ParamsEditor, paramsFor } from './ParamsEditor';
import { SaveProblem } from './SaveProblem';

interface Draft {
  key: string;
  name: string;
  description: string;
  measure: Measure;
  params: KpiParams;
  targetOp: TargetOp | '';
  targetValue: number | string;
  enabled: boolean;
  position: number | string;
}

const UNIT_HINTS = { percent: 'In percent (%)', minutes: 'In minutes', count: 'A count' } as const;
const KEY = /^[a-z][a-z0-9_]{1,62}$/;
const OPS: { value: TargetOp | ''; label: string }[] = [
  { value: '', label: 'none' }, { value: '<', label: '<' }, { value: '<=', label: '≤' }, { value: '>', label: '>' }, { value: '>=', label: '≥' },
];

function draftOf(d: KpiDefinition | null, nextPosition: number): Draft {
  return {
    key: d?.key ?? '',
    name: d?.name ?? '',
    description: d?.description ?? '',
    measure: d && (MEASURES as readonly string[]).includes(d.measure) ? d.measure : 'incident_count',
    params: { ...(d?.params ?? {}) },
    targetOp: d?.targetOp ?? '',
    targetValue: d?.targetValue ?? '',
    enabled: d?.enabled ?? true,
    position: d?.position ?? nextPosition,
  };
}

export function DefinitionModal({ definition, nextPosition, onClose, onSaved }: {
  definition: KpiDefinition | null;
  /** The position a new definition gets unless changed: after the last one. */
  nextPosition: number;
  onClose: () => void;
  onSaved: (d: KpiDefinition) => void;
}) {
  const [base, setBase] = useState(definition);
  const [draft, setDraft] = useState<Draft>(() => draftOf(definition, nextPosition));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));

  const unit = MEASURE_UNITS[draft.measure];
  const keyError = !definition && draft.key !== '' && !KEY.test(draft.key) ? 'Lower-case letters, digits and _, starting with a letter (2–63)' : undefined;
  const value = draft.targetValue === '' ? null : Number(draft.targetValue);
  const valueError = draft.targetOp !== '' && (value === null || !Number.isFinite(value)) ? 'Give the target value' : undefined;
  const position = Number(draft.position);
  const positionOk = draft.position !== '' && Number.isInteger(position) && position >= 0 && position <= 100_000;
  const complete = (definition !== null || KEY.test(draft.key)) && draft.name.trim() !== '' && !valueError && positionOk;
  const theirs = currentOf<KpiDefinition>(error);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!complete) return;
    setBusy(true);
    setError(null);
    try {
      const input: KpiDefinitionInput = {
        key: base?.key ?? draft.key, name: draft.name.trim(), description: draft.description, measure: draft.measure,
        params: paramsFor(draft.measure, draft.params),
        targetOp: draft.targetOp || null, targetValue: draft.targetOp ? value : null,
        enabled: draft.enabled, position,
      };
      onSaved(base ? await definitionsApi.update(base.id, input, base.version) : await definitionsApi.create(input));
    } catch (err) {
      // A stale version: keep what was typed, and save over the version stored now if asked to.
      const current = currentOf<KpiDefinition>(err);
      if (current) setBase(current);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const loadTheirs = theirs && (() => {
    setDraft(draftOf(theirs, nextPosition));
    setError(null);
  });

  return (
    <Modal opened onClose={() => !busy && onClose()} size="xl" closeOnClickOutside={false}
      title={<Text fw={600}>{definition ? `Edit KPI ${definition.name}` : 'New KPI definition'}</Text>}>
      <form onSubmit={(e) => void submit(e)} noValidate data-testid="kpi-def-form">
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="sm">
            <TextInput label="Key" required={!definition} disabled={definition !== null} maxLength={63}
              description={definition ? 'Fixed once created: reports and exports name the KPI by it' : 'e.g. sla_breaches_critical; cannot change later'}
              value={draft.key} onChange={(e) => set('key', e.currentTarget.value.trim())} error={keyError} data-testid="kpi-def-key" />
            <TextInput label="Name" required maxLength={120} value={draft.name} onChange={(e) => set('name', e.currentTarget.value)} data-testid="kpi-def-name" />
          </SimpleGrid>
          <Textarea label="Description" autosize minRows={1} maxRows={5} maxLength={2000} value={draft.description}
            onChange={(e) => set('description', e.currentTarget.value)} data-testid="kpi-def-description" />
          <Select label="Measure" required allowDeselect={false} comboboxProps={{ withinPortal: true }}
            data={MEASURES.map((m) => ({ value: m, label: MEASURE_LABELS[m] }))} value={draft.measure}
            onChange={(v) => v && set('measure', v as Measure)} data-testid="kpi-def-measure" />
          <ParamsEditor measure={draft.measure} value={draft.params} onChange={(p) => set('params', p)} />
          <Text size="sm" c="dimmed" data-testid="kpi-def-summary">{measureText(draft.measure, paramsFor(draft.measure, draft.params))}.</Text>
          <Group align="flex-start" gap="md" wrap="wrap">
            <Input.Wrapper label="Target" description="The value should be…">
              <SegmentedControl mt={4} data={OPS} value={draft.targetOp} onChange={(v) => set('targetOp', v as TargetOp | '')} data-testid="kpi-def-target-op" />
            </Input.Wrapper>
            {draft.targetOp !== '' && (
              <NumberInput label="Target value" description={UNIT_HINTS[unit]} w={200}
                suffix={unit === 'percent' ? ' %' : unit === 'minutes' ? ' min' : ''} value={draft.targetValue} onChange={(v) => set('targetValue', v)}
                min={0} decimalScale={unit === 'count' ? 0 : 2} error={valueError} data-testid="kpi-def-target-value" />
            )}
            {draft.targetOp !== '' && unit === 'minutes' && value !== null && Number.isFinite(value) && (
              <Text size="sm" c="dimmed" mt={56} data-testid="kpi-def-target-minutes">= {formatMinutes(value)}</Text>
            )}
          </Group>
          <Group align="flex-end" gap="lg">
            <NumberInput label="Position" description="Smaller comes first" w={160} min={0} max={100_000} allowDecimal={false} allowNegative={false}
              value={draft.position} onChange={(v) => set('position', v)} error={positionOk ? undefined : '0 to 100000'} data-testid="kpi-def-position" />
            <Switch label="Enabled: shown in the KPIs and reports" checked={draft.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} mb={8} data-testid="kpi-def-enabled" />
          </Group>
          <SaveProblem error={error} what="KPI definition" onLoadTheirs={loadTheirs || null} testId="kpi-def" />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={busy}>Cancel</Button>
            <Button type="submit" loading={busy} disabled={!complete} data-testid="kpi-def-save">Save KPI</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
