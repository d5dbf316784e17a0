// The incident's tasks by phase: status, assignee, due time (overdue stands out), ticking checklist
// items, task notes, new tasks and playbooks. Every task change carries the version shown; a stale
// one offers to re-apply the same change on the task as it is now.
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import {
  Alert, Badge, Button, Checkbox, Group, Paper, Select, Stack, Table, Text, Textarea, TextInput, Title, UnstyledButton,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { IconChevronDown, IconChevronRight, IconGitCompare, IconListCheck, IconMessage, IconPlus } from '@tabler/icons-react';
import { api, qs } from '../../api/client';
import type { Answer } from '../../api/schema';
import { humanize, timelineKey, type TimelineEntry } from '../../api/incidents';
import {
  paths, TASK_PHASES, TASK_STATUSES, taskConflictCurrent, taskNotesKey, tasksKey,
  type Task, type TaskPatch, type TaskPhase, type TaskStatus,
} from '../../api/work';
import { DateText, formatDate } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { useUserNames } from './RolesTab';
import { NewTaskModal, PlaybookPicker } from './TaskForms';
import { finished, fromLocal, isOverdue, PHASE_LABEL, STATUS_COLOR, toLocal, usePeople } from './taskHelpers';
import { useIncident } from './useIncidentWrite';

/** PATCH a task; `change` is computed from the task so a re-apply after a conflict starts from the current one. */
function useTaskWrite() {
  const client = useQueryClient();
  const { incident } = useIncident();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const last = useRef<(t: Task) => TaskPatch>(() => ({}));
  const store = (t: Task) =>
    client.setQueryData<{ items: Task[] }>(tasksKey(incident.id), (old) => old && { items: old.items.map((x) => (x.id === t.id ? t : x)) });

  const run = async (task: Task, change: (t: Task) => TaskPatch): Promise<Task | null> => {
    last.current = change;
    setBusy(true);
    setError(null);
    try {
      const next = await api.patch<Task>(paths.task(task.id), { version: task.version, ...change(task) });
      store(next);
      void client.invalidateQueries({ queryKey: timelineKey(incident.id) });
      return next;
    } catch (err) {
      setError(err);
      const current = taskConflictCurrent(err);
      if (current) store(current);
      return null;
    } finally {
      setBusy(false);
    }
  };

  const current = taskConflictCurrent(error);
  const alert: ReactNode = current ? (
    <Alert color="yellow" variant="light" icon={<IconGitCompare size={18} />} title="Someone changed this task" role="alert" data-testid="task-conflict">
      <Text size="sm">Your change was not saved. The task is now: {humanize(current.status)}, due {formatDate(current.dueAt)}, {current.checklist.filter((c) => c.done).length}/{current.checklist.length} checklist items done.</Text>
      <Group gap="xs" mt="sm">
        <Button size="xs" color="yellow" loading={busy} onClick={() => void run(current, last.current)} data-testid="task-reapply">Re-apply my change</Button>
        <Button size="xs" variant="default" disabled={busy} onClick={() => setError(null)}>Discard my change</Button>
      </Group>
    </Alert>
  ) : <ErrorAlert error={error} />;
  return { run, busy, error, alert };
}

function TaskDetail({ task, notes, write }: { task: Task; notes: TimelineEntry[]; write: ReturnType<typeof useTaskWrite> }) {
  const { incident } = useIncident();
  const writable = incident.allowed.update;
  const client = useQueryClient();
  const people = usePeople([task.assigneeId]);
  const [assignee, setAssignee] = useState<string | null>(task.assigneeId);
  const [due, setDue] = useState(toLocal(task.dueAt));
  const [phase, setPhase] = useState<TaskPhase>(task.phase);
  const [note, setNote] = useState('');
  // When the task changes (a save, a tick, someone else's edit), a field the handler has not
  // touched follows the new task; an edited field and a half-written note stay as typed.
  const [base, setBase] = useState(task);
  if (base.version !== task.version) {
    setBase(task);
    if (assignee === base.assigneeId) setAssignee(task.assigneeId);
    if (due === toLocal(base.dueAt)) setDue(toLocal(task.dueAt));
    if (phase === base.phase) setPhase(task.phase);
  }
  const [noteBusy, setNoteBusy] = useState(false);
  const [noteError, setNoteError] = useState<unknown>(null);
  const changed: TaskPatch = {
    ...(assignee !== task.assigneeId ? { assigneeId: assignee } : {}),
    ...(fromLocal(due) !== (task.dueAt ? new Date(task.dueAt).toISOString() : null) ? { dueAt: fromLocal(due) } : {}),
    ...(phase !== task.phase ? { phase } : {}),
  };

  const tick = (i: number, done: boolean) => {
    const text = task.checklist[i]!.text;
    void write.run(task, (t) => {
      const at = t.checklist.findIndex((c) => c.text === text);
      return { checklist: t.checklist.map((c, j) => (j === (at < 0 ? i : at) ? { ...c, done } : c)) };
    });
  };

  const addNote = async (e: FormEvent) => {
    e.preventDefault();
    if (!note.trim()) return;
    setNoteBusy(true);
    setNoteError(null);
    try {
      await api.post(`${paths.task(task.id)}/notes`, { body: note });
      setNote('');
      await client.invalidateQueries({ queryKey: taskNotesKey(incident.id) });
      void client.invalidateQueries({ queryKey: timelineKey(incident.id) });
    } catch (err) {
      setNoteError(err);
    } finally {
      setNoteBusy(false);
    }
  };

  return (
    <Stack gap="sm" py={4} data-testid="task-detail">
      {task.description && <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{task.description}</Text>}
      {task.checklist.length > 0 && (
        <Stack gap={6} data-testid="task-checklist">
          {task.checklist.map((c, i) => (
            <Checkbox key={i} size="sm" checked={c.done} disabled={!writable || write.busy} label={c.text} data-testid="checklist-item"
              styles={{ label: { textDecoration: c.done ? 'line-through' : undefined, color: c.done ? 'var(--mantine-color-dimmed)' : undefined } }}
              onChange={(e) => tick(i, e.currentTarget.checked)} />
          ))}
        </Stack>
      )}
      {writable && (
        <Group gap="sm" align="flex-end">
          <Select size="xs" label="Phase" w={150} data={TASK_PHASES.map((p) => ({ value: p, label: PHASE_LABEL(p) }))} value={phase}
            onChange={(v) => v && setPhase(v as TaskPhase)} allowDeselect={false} comboboxProps={{ withinPortal: true }} />
          <Select size="xs" label="Assignee" w={220} clearable searchable placeholder="Nobody" data={people} value={assignee}
            onChange={setAssignee} data-testid="task-assignee" comboboxProps={{ withinPortal: true }} />
          <TextInput size="xs" label="Due" type="datetime-local" w={200} value={due} onChange={(e) => setDue(e.currentTarget.value)}
            data-testid="task-due" />
          <Button size="xs" disabled={Object.keys(changed).length === 0} loading={write.busy} data-testid="task-save"
            onClick={() => void write.run(task, () => changed)}>
            Save
          </Button>
        </Group>
      )}
      <Stack gap={4}>
        <Text size="xs" c="dimmed" tt="uppercase" fw={600}>Notes ({notes.length})</Text>
        {notes.map((n) => (
          <Paper key={n.id} withBorder p="xs" bg="dark.7" data-testid="task-note">
            <Text size="xs" c="dimmed"><Text span fw={600} size="xs" c="gray.3">{n.actorName}</Text> · <DateText value={n.at} /></Text>
            <Text size="sm" mt={2} style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{typeof n.data.body === 'string' ? n.data.body : ''}</Text>
          </Paper>
        ))}
        {writable && (
          <form onSubmit={(e) => void addNote(e)} aria-label={`Add a note to ${task.title}`}>
            <ErrorAlert error={noteError} />
            <Group gap="xs" align="flex-end" wrap="nowrap">
              <Textarea style={{ flex: 1 }} size="xs" autosize minRows={1} maxRows={8} placeholder="Add a note (Ctrl+Enter to send)" value={note}
                aria-label="Task note" onChange={(e) => setNote(e.currentTarget.value)} data-testid="task-note-body"
                onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void addNote(e); }} />
              <Button size="xs" type="submit" variant="light" leftSection={<IconMessage size={14} />} loading={noteBusy} disabled={!note.trim()}>Add note</Button>
            </Group>
          </form>
        )}
      </Stack>
    </Stack>
  );
}

function TaskRow({ task, notes, nameOf }: { task: Task; notes: TimelineEntry[]; nameOf: (id: string) => string }) {
  const { incident } = useIncident();
  const writable = incident.allowed.update;
  const [open, setOpen] = useState(false);
  const write = useTaskWrite();
  const done = task.checklist.filter((c) => c.done).length;
  const overdue = isOverdue(task);
  return (
    <>
      <Table.Tr data-testid="task-row" data-task={task.title} data-status={task.status} data-version={task.version}>
        <Table.Td>
          <UnstyledButton onClick={() => setOpen((o) => !o)} aria-expanded={open} data-testid="task-toggle" style={{ display: 'flex', gap: 6, alignItems: 'flex-start' }}>
            {open ? <IconChevronDown size={16} style={{ flexShrink: 0, marginTop: 2 }} /> : <IconChevronRight size={16} style={{ flexShrink: 0, marginTop: 2 }} />}
            <Text size="sm" fw={500} td={task.status === 'cancelled' ? 'line-through' : undefined} style={{ overflowWrap: 'anywhere' }}>{task.title}</Text>
          </UnstyledButton>
        </Table.Td>
        <Table.Td>
          {task.checklist.length > 0 && (
            <Badge size="sm" variant="light" color={done === task.checklist.length ? 'teal' : 'gray'} leftSection={<IconListCheck size={12} />} data-testid="task-progress">
              {done}/{task.checklist.length}
            </Badge>
          )}
        </Table.Td>
        <Table.Td>
          {writable ? (
            <Select size="xs" w={130} aria-label={`Status of ${task.title}`} data={TASK_STATUSES.map((s) => ({ value: s, label: humanize(s) }))} value={task.status}
              allowDeselect={false} disabled={write.busy} data-testid="task-status" comboboxProps={{ withinPortal: true }}
              onChange={(v) => v && v !== task.status && void write.run(task, () => ({ status: v as TaskStatus }))} />
          ) : (
            <Badge size="sm" variant="light" color={STATUS_COLOR[task.status]}>{humanize(task.status)}</Badge>
          )}
        </Table.Td>
        <Table.Td><Text size="sm" c={task.assigneeId ? undefined : 'dimmed'}>{task.assigneeId ? nameOf(task.assigneeId) : 'Unassigned'}</Text></Table.Td>
        <Table.Td data-testid="task-due-cell" data-overdue={overdue || undefined}>
          {overdue ? (
            <Badge color="red" variant="filled" size="sm" title={task.dueAt ?? ''} miw="max-content">Overdue · {formatDate(task.dueAt)}</Badge>
          ) : <DateText value={task.dueAt} />}
        </Table.Td>
      </Table.Tr>
      {(open || write.error !== null) && (
        <Table.Tr className="vigil-expanded-row">
          <Table.Td colSpan={5}>
            {write.error !== null && <div style={{ marginBottom: 8 }}>{write.alert}</div>}
            {open && <TaskDetail task={task} notes={notes} write={write} />}
          </Table.Td>
        </Table.Tr>
      )}
    </>
  );
}

export function TasksTab() {
  const { incident, canWrite } = useIncident();
  const writable = incident.allowed.update;
  const nameOf = useUserNames();
  const [creating, setCreating] = useState(false);
  const tasks = useQuery({ queryKey: tasksKey(incident.id), queryFn: () => api.get<Answer<'tasks.list'>>(paths.tasks(incident.id)) });
  const notes = useQuery({
    queryKey: taskNotesKey(incident.id),
    queryFn: () => api.get<Answer<'incidents.timeline'>>(`/incidents/${encodeURIComponent(incident.id)}/timeline${qs({ kind: 'task.note_added', limit: 1000 })}`),
  });
  // Oldest first; tasks added together (a playbook) by title, so the order never jumps between renders.
  const items = [...(tasks.data?.items ?? [])].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.title.localeCompare(b.title) || a.id.localeCompare(b.id));
  const notesOf = (taskId: string) => (notes.data?.items ?? []).filter((n) => n.data.taskId === taskId);
  const overdue = items.filter((t) => isOverdue(t)).length;

  return (
    <Stack gap="md">
      {writable && (
        <Paper withBorder p="sm">
          <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
            <PlaybookPicker />
            <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="task-new">New task</Button>
          </Group>
        </Paper>
      )}
      <ErrorAlert error={tasks.error} />
      {tasks.isLoading && <Text size="sm" c="dimmed">Loading tasks…</Text>}
      {tasks.data && (
        <Text size="sm" c="dimmed" data-testid="tasks-summary">
          {items.length} task{items.length === 1 ? '' : 's'} · {items.filter(finished).length} finished
          {overdue > 0 && <Text span c="red.5" fw={600}> · {overdue} overdue</Text>}
        </Text>
      )}
      {tasks.data && TASK_PHASES.map((phase) => {
        const list = items.filter((t) => t.phase === phase);
        const left = list.filter((t) => !finished(t)).length;
        return (
          <Paper key={phase} withBorder data-testid={`phase-${phase}`}>
            <Group justify="space-between" px="sm" py={6} style={{ borderBottom: list.length ? '1px solid var(--mantine-color-dark-5)' : undefined }}>
              <Title order={4} fz="sm">{PHASE_LABEL(phase)}</Title>
              <Text size="xs" c="dimmed">{list.length === 0 ? 'No tasks' : `${left} open of ${list.length}`}</Text>
            </Group>
            {list.length > 0 && (
              <Table className="vigil-table" verticalSpacing={4} layout="fixed">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Task</Table.Th>
                    <Table.Th w={100}>Checklist</Table.Th>
                    <Table.Th w={150}>Status</Table.Th>
                    <Table.Th w={170}>Assignee</Table.Th>
                    <Table.Th w={220}>Due</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.map((t) => <TaskRow key={t.id} task={t} notes={notesOf(t.id)} nameOf={nameOf} />)}
                </Table.Tbody>
              </Table>
            )}
          </Paper>
        );
      })}
      {creating && <NewTaskModal onClose={() => setCreating(false)} />}
      {canWrite && incident.status === 'closed' && <Text size="sm" c="dimmed">The incident is closed: its tasks can no longer change.</Text>}
    </Stack>
  );
}

