import { useState, type FormEvent } from 'react';
import { ActionIcon, Alert, Button, Group, Paper, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { IconDeviceFloppy, IconPlus, IconTrash } from '@tabler/icons-react';
import { api } from '../../api/client';
import { INCIDENTS_KEY, lessonsKey, type Lessons } from '../../api/incidents';
import { useMe } from '../../auth/session';
import { formatDate } from '../../components/common';
import { ErrorAlert, fieldErrors } from '../../components/errors';
import { useTeam, useUserNames } from './RolesTab';
import { useIncident } from './useIncidentWrite';

interface ActionDraft {
  action: string;
  ownerId: string | null;
  due: string;
}

interface Draft {
  whatHappened: string;
  wentWell: string;
  toImprove: string;
  actions: ActionDraft[];
}

const draftOf = (l: Lessons | null): Draft => ({
  whatHappened: l?.whatHappened ?? '',
  wentWell: l?.wentWell ?? '',
  toImprove: l?.toImprove ?? '',
  actions: (l?.actions ?? []).map((a) => ({ action: a.action, ownerId: a.ownerId, due: a.dueAt?.slice(0, 10) ?? '' })),
});

function LessonsForm({ saved }: { saved: Lessons | null }) {
  const { incident, canWrite } = useIncident();
  const me = useMe();
  const client = useQueryClient();
  const team = useTeam();
  const nameOf = useUserNames();
  const [draft, setDraft] = useState<Draft>(() => draftOf(saved));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const errs = fieldErrors(error);

  // Owners: the whole team (and whoever an action already names).
  const people = new Map<string, string>();
  for (const u of team.users.filter((u) => !u.disabled)) people.set(u.id, `${u.displayName} (${u.username})`);
  for (const a of draft.actions) if (a.ownerId && !people.has(a.ownerId)) people.set(a.ownerId, nameOf(a.ownerId));
  const owners = [...people].map(([value, label]) => ({ value, label }));

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const setAction = (i: number, patch: Partial<ActionDraft>) =>
    setDraft((d) => ({ ...d, actions: d.actions.map((a, j) => (j === i ? { ...a, ...patch } : a)) }));
  const valid = draft.whatHappened.trim() && draft.wentWell.trim() && draft.toImprove.trim()
    && draft.actions.every((a) => a.action.trim() && a.ownerId);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    setBusy(true);
    setError(null);
    try {
      const res = await api.put<Lessons>(`/incidents/${encodeURIComponent(incident.id)}/lessons`, {
        whatHappened: draft.whatHappened, wentWell: draft.wentWell, toImprove: draft.toImprove,
        actions: draft.actions.map((a) => ({
          action: a.action.trim(), ownerId: a.ownerId, ...(a.due ? { dueAt: new Date(`${a.due}T00:00:00Z`).toISOString() } : {}),
        })),
      });
      client.setQueryData(lessonsKey(incident.id), res);
      void client.invalidateQueries({ queryKey: INCIDENTS_KEY, predicate: (q) => q.queryKey[1] === 'timeline' });
      notifications.show({ color: 'teal', message: 'Lessons learned saved.' });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const text = (key: 'whatHappened' | 'wentWell' | 'toImprove', label: string) => (
    <Textarea label={label} required={canWrite} readOnly={!canWrite} autosize minRows={3} maxRows={14} value={draft[key]}
      error={errs[key]} onChange={(e) => set(key, e.currentTarget.value)} data-testid={`lessons-${key}`} />
  );

  return (
    <Paper withBorder p="lg" component="form" onSubmit={(e: FormEvent) => void submit(e)} aria-label="Lessons learned" maw={900}>
      <Stack gap="md">
        {saved?.recordedAt && (
          <Text size="xs" c="dimmed">Last recorded {formatDate(saved.recordedAt)}{saved.recordedBy ? ` by ${nameOf(saved.recordedBy)}` : ''}.</Text>
        )}
        <ErrorAlert error={error} />
        {text('whatHappened', 'What happened')}
        {text('wentWell', 'What went well')}
        {text('toImprove', 'What to improve')}
        <Stack gap="xs">
          <Title order={4} fz="sm">Follow-up actions</Title>
          {draft.actions.length === 0 && <Text size="sm" c="dimmed">No follow-up actions.</Text>}
          {draft.actions.map((a, i) => (
            <Group key={i} align="flex-start" gap="sm" wrap="nowrap" data-testid="lessons-action">
              <TextInput style={{ flex: 1 }} aria-label={`Action ${i + 1}`} placeholder="What will be done" value={a.action}
                readOnly={!canWrite} onChange={(e) => setAction(i, { action: e.currentTarget.value })} error={errs.action} />
              <Select w={240} aria-label={`Owner of action ${i + 1}`} placeholder="Owner" data={owners} value={a.ownerId} searchable
                readOnly={!canWrite} onChange={(v) => setAction(i, { ownerId: v })} comboboxProps={{ withinPortal: true }} />
              <TextInput w={160} type="date" aria-label={`Due date of action ${i + 1}`} value={a.due} readOnly={!canWrite}
                onChange={(e) => setAction(i, { due: e.currentTarget.value })} />
              {canWrite && (
                <ActionIcon variant="subtle" color="red" mt={6} aria-label={`Remove action ${i + 1}`}
                  onClick={() => set('actions', draft.actions.filter((_, j) => j !== i))}>
                  <IconTrash size={16} />
                </ActionIcon>
              )}
            </Group>
          ))}
          {canWrite && (
            <Group>
              <Button size="xs" variant="subtle" leftSection={<IconPlus size={14} />}
                onClick={() => set('actions', [...draft.actions, { action: '', ownerId: me.user.id, due: '' }])}>
                Add action
              </Button>
            </Group>
          )}
        </Stack>
        {canWrite && (
          <Group>
            <Button type="submit" leftSection={<IconDeviceFloppy size={16} />} loading={busy} disabled={!valid} data-testid="lessons-save">
              Save lessons learned
            </Button>
          </Group>
        )}
      </Stack>
    </Paper>
  );
}

export function LessonsTab() {
  const { incident, canWrite } = useIncident();
  const query = useQuery({
    queryKey: lessonsKey(incident.id),
    queryFn: () => api.get<Lessons | null>(`/incidents/${encodeURIComponent(incident.id)}/lessons`),
  });
  if (query.isLoading) return <Text size="sm" c="dimmed">Loading…</Text>;
  if (query.error) return <ErrorAlert error={query.error} />;
  const saved = query.data ?? null;
  return (
    <Stack gap="md">
      {!saved && (
        <Alert variant="light" color={incident.priority === 'P1' || incident.priority === 'P2' ? 'orange' : 'gray'}>
          {incident.priority === 'P1' || incident.priority === 'P2'
            ? `No review yet. This ${incident.priority} incident needs one before it can be closed.`
            : 'No review recorded yet.'}
          {!canWrite && ' Only handlers and managers can record it.'}
        </Alert>
      )}
      {(saved || canWrite) && <LessonsForm key={saved?.recordedAt ?? 'new'} saved={saved} />}
    </Stack>
  );
}
