// The parameters of a KPI measure: only the fields the chosen measure takes (src/modules/kpi/measures.ts).
// Empty lists mean "all"; the server checks the result and lists what does not fit.
import { Input, MultiSelect, NumberInput, SegmentedControl, Select, SimpleGrid, Text } from '@mantine/core';
import { PRIORITIES, type Priority } from '../../api/incidents';
import { SLA_METRICS, type ActivityKind, type KpiParams, type Measure } from '../../api/kpi';
import { useRsit } from '../incidents/ClassificationPicker';
import { KIND_OPTIONS } from './ActivityModal';
import { MEASURE_PARAMS, METRIC_LABELS, type ParamField } from './kpiAdminApi';

/** The parameters a measure takes, from the editor's state (which keeps every field while the measure changes). */
export function paramsFor(measure: Measure, p: KpiParams): KpiParams {
  const out: KpiParams = {};
  for (const f of MEASURE_PARAMS[measure] ?? []) {
    const v = p[f];
    if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
    (out as Record<ParamField, unknown>)[f] = v;
  }
  return out;
}

export function ParamsEditor({ measure, value, onChange }: { measure: Measure; value: KpiParams; onChange: (p: KpiParams) => void }) {
  const fields = MEASURE_PARAMS[measure] ?? [];
  const set = <K extends ParamField>(k: K, v: KpiParams[K] | undefined) => {
    const next = { ...value };
    if (v === undefined) delete next[k];
    else next[k] = v;
    onChange(next);
  };
  const rsit = useRsit();
  if (fields.length === 0) return <Text size="sm" c="dimmed" data-testid="kpi-def-no-params">This measure takes no parameters.</Text>;
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="sm" data-testid="kpi-def-params">
      {fields.includes('statistic') && (
        <Input.Wrapper label="Statistic">
          <SegmentedControl display="flex" mt={4} data={[{ value: 'median', label: 'Median' }, { value: 'mean', label: 'Mean' }]}
            value={value.statistic ?? 'median'} onChange={(v) => set('statistic', v as 'mean' | 'median')} data-testid="kpi-def-statistic" />
        </Input.Wrapper>
      )}
      {fields.includes('priorities') && (
        <MultiSelect label="Priorities" placeholder="All priorities" description="Empty: incidents of every priority" data={[...PRIORITIES]}
          value={value.priorities ?? []} onChange={(v) => set('priorities', v.length ? (v as Priority[]) : undefined)}
          comboboxProps={{ withinPortal: true }} data-testid="kpi-def-priorities" />
      )}
      {fields.includes('metrics') && (
        <MultiSelect label="SLA targets" placeholder="Any target" description="Empty: a breach of any target counts"
          data={SLA_METRICS.map((m) => ({ value: m, label: METRIC_LABELS[m] }))}
          value={value.metrics ?? []} onChange={(v) => set('metrics', v.length ? (v as KpiParams['metrics']) : undefined)}
          comboboxProps={{ withinPortal: true }} data-testid="kpi-def-metrics" />
      )}
      {fields.includes('classes') && (
        <MultiSelect label="RSIT classes" placeholder="All classes" description="Empty: incidents of every class (at most 20)" searchable maxValues={20}
          data={mergeOptions(rsit.classes.map((c) => ({ value: c.value, label: c.label })), value.classes ?? [])}
          value={value.classes ?? []} onChange={(v) => set('classes', v.length ? v : undefined)}
          comboboxProps={{ withinPortal: true }} data-testid="kpi-def-classes" />
      )}
      {fields.includes('kind') && (
        <Select label="Activity kind" required placeholder="Choose a kind" data={KIND_OPTIONS} clearable
          value={value.kind ?? null} onChange={(v) => set('kind', (v as ActivityKind | null) ?? undefined)}
          comboboxProps={{ withinPortal: true }} data-testid="kpi-def-kind" />
      )}
      {fields.includes('months') && (
        <NumberInput label="Months counted" description="The month and the ones before it (1–12)" min={1} max={12} allowDecimal={false} allowNegative={false}
          value={value.months ?? 1} onChange={(v) => set('months', typeof v === 'number' ? v : v === '' ? undefined : Number(v))}
          error={value.months !== undefined && !(Number.isInteger(value.months) && value.months >= 1 && value.months <= 12) ? '1 to 12' : undefined}
          data-testid="kpi-def-months" />
      )}
    </SimpleGrid>
  );
}

/** Options of the taxonomy, plus stored values it does not (or not yet) list. */
function mergeOptions(options: { value: string; label: string }[], stored: string[]) {
  const known = new Set(options.map((o) => o.value));
  return [...options, ...stored.filter((s) => !known.has(s)).map((s) => ({ value: s, label: s }))];
}
