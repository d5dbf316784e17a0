// Create or change an SLA policy: its priority, the team's or a constituent's, its calendar, the four
// targets and the warning point. A version conflict keeps what was typed and offers the stored one.
import { useState, type FormEvent } from 'react';
import { Alert, Button, Group, Input, List, Modal, NumberInput, SegmentedControl, SimpleGrid, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { PRIORITIES, type Priority } from '../../api/incidents';
import { ErrorAlert, errorTitle } from '../../components/errors';
import { AgreementBadge, ConstituentPicker, useSlaAgreements } from './ConstituentPicker';
import { CalendarEditor } from './CalendarEditor';
import { calendarProblems, dayLength, formatMinutes } from './format';
import { currentOf, isVersionConflict, problemsOf, problemText, slaApi, TARGETS, type SlaCalendar, type SlaPolicy, type SlaPolicyInput, type TargetKey } from './slaApi';
import { TargetInput, targetDraft, targetError, targetMinutes, type TargetDraft } from './TargetInput';

interface Draft {
  priority: Priority;
  constituentId: string | null;
  constituentName: string | null;
  calendar: SlaCalendar;
  targets: Record<TargetKey, TargetDraft>;
  warnPercent: number | string;
}

const BUSINESS: SlaCalendar = { kind: 'business_hours', timeZone: 'UTC', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', holidays: [] };

function draftOf(p: SlaPolicy | null, preset: { priority?: Priority; constituentId?: string; constituentName?: string }): Draft {
  const calendar = p ? { ...BUSINESS, ...p.calendar } : BUSINESS;
  const perDay = dayLength(calendar);
  const targets = Object.fromEntries(TARGETS.map((t) => [t.key, targetDraft(p ? p[t.key] : null, perDay)])) as Record<TargetKey, TargetDraft>;
  return {
    priority: p?.priority ?? preset.priority ?? 'P3',
    constituentId: p ? p.constituentId : (preset.constituentId ?? null),
    constituentName: p ? p.constituentName : (preset.constituentName ?? null),
    calendar, targets, warnPercent: p?.warnPercent ?? 80,
  };
}

function inputOf(d: Draft): SlaPolicyInput {
  const perDay = dayLength(d.calendar);
  const c = d.calendar;
  // Holidays do not count around the clock: a 24x7 calendar keeps none.
  const calendar = c.kind === '24x7' ? { ...c, timeZone: c.timeZone.trim(), holidays: [] } : { ...c, timeZone: c.timeZone.trim() };
  const targets = Object.fromEntries(TARGETS.map((t) => [t.key, targetMinutes(d.targets[t.key], perDay)])) as Record<TargetKey, number | null>;
  return { priority: d.priority, constituentId: d.constituentId, calendar, ...targets, warnPercent: Number(d.warnPercent) };
}

/** What the server said, spelled out: its list of calendar problems, a conflict, a clash. */
function SaveError({ error, constituentName, onLoadTheirs }: { error: unknown; constituentName: string | null; onLoadTheirs: (() => void) | null }) {
  const problems = problemsOf(error);
  const text = problemText(error, constituentName);
  if (!problems && !text) return <ErrorAlert error={error} />;
  return (
    <Alert color={isVersionConflict(error) ? 'yellow' : 'red'} variant="light" icon={<IconAlertTriangle size={18} />} title={errorTitle(error)} role="alert" data-testid="error-alert">
      {text && <Text size="sm" data-testid="sla-problem-text">{text}</Text>}
      {problems && <List size="sm" data-testid="sla-problems">{problems.map((p, i) => <List.Item key={i}>{p}</List.Item>)}</List>}
      {onLoadTheirs && <Button mt="xs" size="compact-sm" variant="light" color="yellow" onClick={onLoadTheirs} data-testid="sla-load-theirs">Load their version</Button>}
    </Alert>
  );
}

export function PolicyFormModal({ policy, preset = {}, onClose, onSaved }: {
  policy: SlaPolicy | null;
  preset?: { priority?: Priority; constituentId?: string; constituentName?: string };
  onClose: () => void;
  onSaved: (p: SlaPolicy) => void;
}) {
  const [base, setBase] = useState(policy);
  const [draft, setDraft] = useState<Draft>(() => draftOf(policy, preset));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [pickerKey, setPickerKey] = useState(0);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const perDay = dayLength(draft.calendar);
  const agreements = useSlaAgreements(draft.constituentId ? [draft.constituentId] : []);

  const calendarOk = Object.keys(calendarProblems(draft.calendar, policy?.calendar.timeZone)).length === 0;
  const targetsOk = TARGETS.every((t) => !targetError(draft.targets[t.key], perDay));
  const anyTarget = TARGETS.some((t) => targetMinutes(draft.targets[t.key], perDay) !== null);
  const warn = Number(draft.warnPercent);
  const warnOk = Number.isInteger(warn) && warn >= 50 && warn <= 99;
  const complete = calendarOk && targetsOk && anyTarget && warnOk;
  const theirs = currentOf(error);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!complete) return;
    setBusy(true);
    setError(null);
    try {
      const input = inputOf(draft);
      onSaved(base ? await slaApi.update(base.id, input, base.version) : await slaApi.create(input));
    } catch (err) {
      // A stale version: keep what was typed, and save over the version stored now if asked to.
      const current = currentOf(err);
      if (current) setBase(current);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const loadTheirs = theirs && (() => {
    setDraft(draftOf(theirs, {}));
    setPickerKey((k) => k + 1);
    setError(null);
  });

  const title = policy ? `Edit ${policy.priority} policy${policy.constituentName ? ` of ${policy.constituentName}` : ' of the team'}` : 'New SLA policy';
  return (
    <Modal opened onClose={() => !busy && onClose()} size="xl" closeOnClickOutside={false} title={<Text fw={600}>{title}</Text>}>
      <form onSubmit={(e) => void submit(e)} noValidate data-testid="sla-form">
        <Stack gap="md">
          <Group align="flex-start" gap="lg" wrap="wrap">
            <Input.Wrapper label="Priority" required>
              <SegmentedControl display="flex" mt={4} data={[...PRIORITIES]} value={draft.priority} onChange={(v) => set('priority', v as Priority)} data-testid="sla-priority" />
            </Input.Wrapper>
            <Stack gap={4} style={{ flex: 1, minWidth: 260 }}>
              <ConstituentPicker key={pickerKey} value={draft.constituentId} initialName={draft.constituentName}
                onChange={(id, name) => setDraft((d) => ({ ...d, constituentId: id, constituentName: name }))} />
              {draft.constituentId && <Group gap={6}><AgreementBadge state={agreements[draft.constituentId]} /></Group>}
            </Stack>
          </Group>
          <CalendarEditor value={draft.calendar} onChange={(c) => set('calendar', c)} keepZone={policy?.calendar.timeZone} />
          <Stack gap={6}>
            <Text size="sm" fw={500}>Targets in working time</Text>
            <Text size="xs" c="dimmed" data-testid="sla-day-note">
              Leave blank for no target. A day is one working day of this calendar ({formatMinutes(perDay, Number.MAX_SAFE_INTEGER)}).{!anyTarget && ' Set at least one target.'}
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="xs">
              {TARGETS.map((t) => (
                <TargetInput key={t.key} label={t.label} value={draft.targets[t.key]} perDay={perDay} testId={`sla-target-${t.key}`}
                  onChange={(v) => set('targets', { ...draft.targets, [t.key]: v })} />
              ))}
            </SimpleGrid>
          </Stack>
          <Group gap="sm" align="flex-start" wrap="nowrap">
            <NumberInput label="Warn at" w={110} min={50} max={99} suffix=" %" allowDecimal={false} value={draft.warnPercent}
              onChange={(v) => set('warnPercent', v)} error={warnOk ? undefined : '50 to 99 %'} data-testid="sla-warn" />
            <Text size="xs" c="dimmed" mt={32}>of each target: the warning before the breach comes then (50–99 %).</Text>
          </Group>
          {error !== null && <SaveError error={error} constituentName={draft.constituentName} onLoadTheirs={loadTheirs || null} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={busy}>Cancel</Button>
            <Button type="submit" loading={busy} disabled={!complete} data-testid="sla-save">Save policy</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
