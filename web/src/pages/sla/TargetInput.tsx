// A target as a number and a unit (minutes, hours, working days); stored in working minutes, blank
// for no target.
import { Group, Input, NumberInput, Select } from '@mantine/core';

export type Unit = 'minutes' | 'hours' | 'days';
export interface TargetDraft { amount: number | string; unit: Unit }

const MAX_MINUTES = 525_600;
const UNITS: { value: Unit; label: string }[] = [{ value: 'minutes', label: 'minutes' }, { value: 'hours', label: 'hours' }, { value: 'days', label: 'days' }];
const factor = (unit: Unit, perDay: number) => (unit === 'days' ? perDay : unit === 'hours' ? 60 : 1);

/** Stored minutes in the largest unit that holds them whole. */
export function targetDraft(minutes: number | null, perDay: number): TargetDraft {
  if (minutes === null) return { amount: '', unit: 'hours' };
  if (minutes % perDay === 0) return { amount: minutes / perDay, unit: 'days' };
  if (minutes % 60 === 0) return { amount: minutes / 60, unit: 'hours' };
  return { amount: minutes, unit: 'minutes' };
}

/** Working minutes of a target (null: blank, no target; NaN: not a usable number). */
export function targetMinutes(t: TargetDraft, perDay: number): number | null {
  if (t.amount === '' || t.amount === null) return null;
  const n = typeof t.amount === 'number' ? t.amount : Number(String(t.amount).replace(',', '.'));
  return Number.isFinite(n) ? Math.round(n * factor(t.unit, perDay)) : Number.NaN;
}

export function targetError(t: TargetDraft, perDay: number): string | undefined {
  const m = targetMinutes(t, perDay);
  if (m === null) return undefined;
  if (!Number.isFinite(m) || m < 1) return 'At least 1 minute, or blank for no target';
  if (m > MAX_MINUTES) return 'At most 365 days of working time';
  return undefined;
}

export function TargetInput({ label, value, perDay, onChange, testId }: {
  label: string;
  value: TargetDraft;
  perDay: number;
  onChange: (t: TargetDraft) => void;
  testId: string;
}) {
  const error = targetError(value, perDay);
  return (
    <Input.Wrapper label={label} error={error}>
      <Group gap={6} wrap="nowrap" mt={4}>
        <NumberInput w={110} min={0} decimalScale={2} placeholder="no target" value={value.amount} aria-label={`${label} target`}
          onChange={(v) => onChange({ ...value, amount: v })} error={Boolean(error)} data-testid={`${testId}-amount`} />
        <Select w={120} data={UNITS} value={value.unit} allowDeselect={false} aria-label={`${label} unit`}
          onChange={(v) => v && onChange({ ...value, unit: v as Unit })} comboboxProps={{ withinPortal: true }} data-testid={`${testId}-unit`} />
      </Group>
    </Input.Wrapper>
  );
}
