// Forms of the tasks board: a new task, and applying a playbook (which adds only missing tasks).
import { useState, type FormEvent } from 'react';
import { Alert, Button, Group, Modal, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { IconPlayerPlay } from '@tabler/icons-react';
import { api } from '../../api/client';
import type { Answer } from '../../api/schema';
import { timelineKey } from '../../api/incidents';
import { paths, playbooksKey, TASK_PHASES, tasksKey, type Playbook, type PlaybookApplied, type Task, type TaskPhase } from '../../api/work';
import { ErrorAlert, fieldErrors } from '../../components/errors';
import { useAction } from '../../components/useAction';
import { fromLocal, PHASE_LABEL, usePeople } from './taskHelpers';
import { useIncident } from './useIncidentWrite';

export function NewTaskModal({ onClose }: { onClose: () => void }) {
  const { incident } = useIncident();
  const client = useQueryClient();
  const people = usePeople();
  const initial = (TASK_PHASES as readonly string[]).includes(incident.status) ? (incident.status as TaskPhase) : 'triage';
  const [f, setF] = useState({ phase: initial, title: '', description: '', assigneeId: null as string | null, due: '', checklist: '' });
  const { busy, error, run } = useAction();
  const errs = fieldErrors(error);
  const set = (patch: Partial<typeof f>) => setF((x) => ({ ...x, ...patch }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!f.title.trim()) return;
    await run(async () => {
      const checklist = f.checklist.split('\n').map((s) => s.trim()).filter(Boolean).map((text) => ({ text, done: false }));
      await api.post<Task>(paths.tasks(incident.id), {
        phase: f.phase, title: f.title.trim(), description: f.description, assigneeId: f.assigneeId, dueAt: fromLocal(f.due), checklist,
      });
      await client.invalidateQueries({ queryKey: tasksKey(incident.id) });
      void client.invalidateQueries({ queryKey: timelineKey(incident.id) });
      onClose();
    });
  };

  return (
    <Modal opened onClose={() => !busy && onClose()} title={<Text fw={600}>New task</Text>} size="lg">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack gap="sm">
          <ErrorAlert error={error} />
          <TextInput label="Title" required data-autofocus value={f.title} error={errs.title} onChange={(e) => set({ title: e.currentTarget.value })} data-testid="task-new-title" />
          <Group grow align="flex-start">
            <Select label="Phase" data={TASK_PHASES.map((p) => ({ value: p, label: PHASE_LABEL(p) }))} value={f.phase} allowDeselect={false}
              onChange={(v) => v && set({ phase: v as TaskPhase })} data-testid="task-new-phase" comboboxProps={{ withinPortal: true }} />
            <Select label="Assignee" clearable searchable placeholder="Nobody" data={people} value={f.assigneeId} error={errs.assigneeId}
              onChange={(v) => set({ assigneeId: v })} comboboxProps={{ withinPortal: true }} />
            <TextInput label="Due" type="datetime-local" value={f.due} onChange={(e) => set({ due: e.currentTarget.value })} />
          </Group>
          <Textarea label="Description" autosize minRows={2} maxRows={8} value={f.description} onChange={(e) => set({ description: e.currentTarget.value })} />
          <Textarea label="Checklist" description="One item per line." autosize minRows={2} maxRows={10} value={f.checklist}
            onChange={(e) => set({ checklist: e.currentTarget.value })} data-testid="task-new-checklist" />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={busy}>Cancel</Button>
            <Button type="submit" loading={busy} disabled={!f.title.trim()} data-testid="task-new-submit">Add task</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function PlaybookPicker() {
  const { incident } = useIncident();
  const client = useQueryClient();
  const suggested = useQuery({ queryKey: playbooksKey(incident.id), queryFn: () => api.get<Answer<'playbooks.suggest'>>(paths.playbooks(incident.id)) });
  const all = useQuery({ queryKey: ['playbooks'], queryFn: () => api.get<Answer<'playbooks.list'>>('/playbooks'), staleTime: 60_000 });
  const [key, setKey] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const [outcome, setOutcome] = useState<{ name: string; r: PlaybookApplied } | null>(null);
  const sugg = suggested.data?.items ?? [];
  const others = (all.data?.items ?? []).filter((p) => p.enabled && !sugg.some((s) => s.key === p.key));
  const label = (p: Playbook) => `${p.name} · ${p.tasks.length} tasks`;
  const data = [
    ...(sugg.length ? [{ group: 'Suggested for this incident', items: sugg.map((p) => ({ value: p.key, label: label(p) })) }] : []),
    ...(others.length ? [{ group: 'Other playbooks', items: others.map((p) => ({ value: p.key, label: label(p) })) }] : []),
  ];
  const chosen = key ?? sugg[0]?.key ?? null;

  const apply = async () => {
    if (!chosen) return;
    setOutcome(null);
    await run(async () => {
      const r = await api.post<PlaybookApplied>(paths.applyPlaybook(incident.id, chosen));
      setOutcome({ name: [...sugg, ...others].find((p) => p.key === chosen)?.name ?? chosen, r });
      await client.invalidateQueries({ queryKey: tasksKey(incident.id) });
      void client.invalidateQueries({ queryKey: timelineKey(incident.id) });
    });
  };

  return (
    <Stack gap="xs">
      <Group gap="xs" align="flex-end">
        <Select size="sm" w={480} label="Playbook" placeholder={suggested.isLoading ? 'Loading…' : 'Choose a playbook'} data={data} value={chosen}
          onChange={setKey} searchable data-testid="playbook-select" comboboxProps={{ withinPortal: true }} nothingFoundMessage="No playbooks" />
        <Button variant="light" leftSection={<IconPlayerPlay size={16} />} disabled={!chosen} loading={busy} onClick={() => void apply()} data-testid="playbook-apply">
          Apply playbook
        </Button>
      </Group>
      <ErrorAlert error={error ?? suggested.error} />
      {outcome && (
        <Alert color="teal" variant="light" withCloseButton onClose={() => setOutcome(null)} data-testid="playbook-outcome" p="xs">
          <Text size="sm">
            {outcome.name}: {outcome.r.created.length} task{outcome.r.created.length === 1 ? '' : 's'} added
            {outcome.r.skipped > 0 ? `, ${outcome.r.skipped} already there` : ''}.
          </Text>
        </Alert>
      )}
    </Stack>
  );
}
