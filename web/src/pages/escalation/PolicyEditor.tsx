// Create or change an escalation policy: which incidents it covers, its ordered levels with their
// delays and recipients, how often it repeats and which policy follows.
import { useState, type FormEvent } from 'react';
import { Alert, Button, Chip, Group, Input, List, Modal, MultiSelect, NumberInput, Paper, Select, SimpleGrid, Stack, Switch, Text, Textarea, TextInput } from '@mantine/core';
import { IconAlertTriangle, IconPlus, IconTrash } from '@tabler/icons-react';
import { api, ApiError } from '../../api/client';
import { TRIGGER_LABELS, type EscalationPolicy, type EscalationTrigger, type Recipient } from '../../api/escalation';
import { PRIORITIES, type Priority } from '../../api/incidents';
import { ErrorAlert, errorTitle, fieldErrors } from '../../components/errors';
import { useRsit } from '../incidents/ClassificationPicker';
import { isComplete, RecipientPicker, useRecipientOptions } from './RecipientPicker';

interface Draft {
  name: string;
  description: string;
  priorities: Priority[];
  rsitClasses: string[];
  trigger: EscalationTrigger;
  repeatCount: number;
  repeatAfterMinutes: number;
  thenPolicyId: string | null;
  enabled: boolean;
  levels: { delayMinutes: number; recipients: Recipient[] }[];
}

const blank: Draft = {
  name: '', description: '', priorities: ['P1', 'P2'], rsitClasses: [], trigger: 'declared', repeatCount: 2, repeatAfterMinutes: 30, thenPolicyId: null, enabled: true,
  levels: [{ delayMinutes: 0, recipients: [{ kind: 'seat', seat: 'csirt_manager' }] }],
};

/** A refused save: a circle of policies or unknown references are spelled out, anything else as usual. */
function PolicyError({ error }: { error: unknown }) {
  const problem = error instanceof ApiError ? error.problem : {};
  const cycle = Array.isArray(problem.cycle) ? (problem.cycle as string[]) : null;
  const problems = Array.isArray(problem.problems) ? (problem.problems as string[]) : null;
  if (!cycle && !problems) return <ErrorAlert error={error} />;
  return (
    <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title={errorTitle(error)} role="alert" data-testid="error-alert">
      {cycle && (
        <Text size="sm" data-testid="policy-cycle">
          {cycle.join(' → ')}. Choose another policy to continue with, or none.
        </Text>
      )}
      {problems && <List size="sm" data-testid="policy-problems">{problems.map((p, i) => <List.Item key={i}>{p}</List.Item>)}</List>}
    </Alert>
  );
}

export function PolicyEditor({ policy, policies, onClose, onSaved }: {
  policy: EscalationPolicy | 'new';
  policies: EscalationPolicy[];
  onClose: () => void;
  onSaved: (p: EscalationPolicy) => void;
}) {
  const editing = policy === 'new' ? null : policy;
  const [draft, setDraft] = useState<Draft>(() => (editing ? {
    name: editing.name, description: editing.description, priorities: editing.priorities, rsitClasses: editing.rsitClasses, trigger: editing.trigger ?? 'declared',
    repeatCount: editing.repeatCount, repeatAfterMinutes: editing.repeatAfterMinutes, thenPolicyId: editing.thenPolicyId, enabled: editing.enabled,
    levels: editing.levels.map((l) => ({ delayMinutes: l.delayMinutes, recipients: l.recipients })),
  } : blank));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const options = useRecipientOptions();
  const { classes } = useRsit();
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const setLevel = (i: number, level: Draft['levels'][number]) => set('levels', draft.levels.map((l, j) => (j === i ? level : l)));
  const complete = draft.name.trim() && draft.priorities.length > 0 && draft.levels.length > 0
    && draft.levels.every((l) => l.recipients.length > 0 && l.recipients.every(isComplete));
  const errors = fieldErrors(error);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!complete) return;
    setBusy(true);
    setError(null);
    try {
      const saved = editing
        ? await api.put<EscalationPolicy>(`/escalation/policies/${editing.id}`, { ...draft, version: editing.version })
        : await api.post<EscalationPolicy>('/escalation/policies', draft);
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  let elapsed = 0;
  return (
    <Modal opened onClose={() => !busy && onClose()} size="xl" closeOnClickOutside={false}
      title={<Text fw={600}>{editing ? `Edit ${editing.name}` : 'New escalation policy'}</Text>}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack gap="sm">
          <TextInput label="Name" required value={draft.name} onChange={(e) => set('name', e.currentTarget.value)} error={errors.name} data-testid="policy-name" />
          <Textarea label="What it is for" autosize minRows={2} placeholder="When it applies and why, for whoever edits it next" value={draft.description} onChange={(e) => set('description', e.currentTarget.value)} />
          <Select label="Starts when" required allowDeselect={false} error={errors.trigger}
            description={draft.trigger === 'sla_at_risk' ? 'An SLA clock of the incident reaches its warning or its deadline and no escalation is running' : undefined}
            data={(Object.keys(TRIGGER_LABELS) as EscalationTrigger[]).map((t) => ({ value: t, label: TRIGGER_LABELS[t] }))}
            value={draft.trigger} onChange={(v) => v && set('trigger', v as EscalationTrigger)} data-testid="policy-trigger" />
          <Group align="flex-start" gap="lg" wrap="wrap">
            <Input.Wrapper label="Priorities" required error={draft.priorities.length === 0 ? 'Choose at least one' : errors.priorities}>
              <Chip.Group multiple value={draft.priorities} onChange={(v) => set('priorities', v as Priority[])}>
                <Group gap={6} mih={36} align="center">{PRIORITIES.map((p) => <Chip key={p} value={p} size="sm" data-testid={`policy-priority-${p}`}>{p}</Chip>)}</Group>
              </Chip.Group>
            </Input.Wrapper>
            <MultiSelect label="RSIT classes (empty: any)" style={{ flex: 1, minWidth: 240 }} searchable clearable
              data={classes.map((c) => ({ value: c.value, label: c.label }))} value={draft.rsitClasses} onChange={(v) => set('rsitClasses', v)} />
          </Group>
          <Stack gap="xs">
            <Input.Label required>Levels</Input.Label>
            {draft.levels.map((level, i) => {
              elapsed += level.delayMinutes;
              return (
                <Paper key={i} withBorder p="sm" data-testid={`policy-level-${i + 1}`}>
                  <Group justify="space-between" mb="xs">
                    <Group gap="sm">
                      <Text fw={600} size="sm">Level {i + 1}</Text>
                      <NumberInput size="xs" w={110} min={0} max={10080} value={level.delayMinutes} suffix=" min"
                        onChange={(v) => setLevel(i, { ...level, delayMinutes: Number(v) || 0 })} aria-label={`Delay of level ${i + 1}`} data-testid={`policy-level-${i + 1}-delay`} />
                      <Text size="xs" c="dimmed" data-testid={`policy-level-${i + 1}-when`}>{i === 0 ? 'after the escalation starts' : 'after the level before'} · {elapsed === 0 ? 'at once' : `${elapsed} min in`}</Text>
                    </Group>
                    {draft.levels.length > 1 && (
                      <Button size="compact-xs" variant="subtle" color="red" leftSection={<IconTrash size={12} />}
                        onClick={() => set('levels', draft.levels.filter((_, j) => j !== i))}>Remove level</Button>
                    )}
                  </Group>
                  <Stack gap={6}>
                    {level.recipients.map((r, k) => (
                      <RecipientPicker key={k} value={r} options={options} testId={`policy-level-${i + 1}-recipient-${k + 1}`}
                        onChange={(next) => setLevel(i, { ...level, recipients: level.recipients.map((x, m) => (m === k ? next : x)) })}
                        onRemove={() => setLevel(i, { ...level, recipients: level.recipients.filter((_, m) => m !== k) })} />
                    ))}
                    <Button size="compact-xs" variant="subtle" leftSection={<IconPlus size={12} />} style={{ alignSelf: 'flex-start' }}
                      onClick={() => setLevel(i, { ...level, recipients: [...level.recipients, { kind: 'on_duty' }] })}
                      data-testid={`policy-level-${i + 1}-add-recipient`}>Add recipient</Button>
                  </Stack>
                </Paper>
              );
            })}
            <Button size="xs" variant="light" leftSection={<IconPlus size={14} />} style={{ alignSelf: 'flex-start' }} disabled={draft.levels.length >= 20}
              onClick={() => set('levels', [...draft.levels, { delayMinutes: 15, recipients: [{ kind: 'on_duty' }] }])} data-testid="policy-add-level">Add level</Button>
          </Stack>
          <SimpleGrid cols={3} spacing="lg">
            <NumberInput label="Repeat rounds" description="while nobody acknowledges" min={0} max={10} value={draft.repeatCount}
              onChange={(v) => set('repeatCount', Number(v) || 0)} data-testid="policy-repeat-count" />
            <NumberInput label="Wait before each round" description="after the last level" min={1} max={1440} suffix=" min" value={draft.repeatAfterMinutes}
              onChange={(v) => set('repeatAfterMinutes', Number(v) || 1)} data-testid="policy-repeat-after" />
            <Select label="Then continue with" description="when the rounds run out" clearable placeholder="Nothing: stop"
              data={policies.filter((p) => p.id !== editing?.id).map((p) => ({ value: p.id, label: p.name }))}
              value={draft.thenPolicyId} onChange={(v) => set('thenPolicyId', v)} data-testid="policy-then" />
          </SimpleGrid>
          <Switch label="Enabled" checked={draft.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} />
          {error !== null && <PolicyError error={error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={busy}>Cancel</Button>
            <Button type="submit" loading={busy} disabled={!complete} data-testid="policy-save">Save policy</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
