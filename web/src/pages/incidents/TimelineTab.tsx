import { useState, type FormEvent } from 'react';
import { Button, Group, Paper, SegmentedControl, Select, Stack, Text, Textarea, TextInput, Timeline } from '@mantine/core';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { IconMessage, IconPhoneCall } from '@tabler/icons-react';
import { api, qs } from '../../api/client';
import type { Answer } from '../../api/schema';
import { timelineKey, TLPS, type Tlp, type TimelineEntry } from '../../api/incidents';
import { DateText, formatDate } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { useAction } from '../../components/useAction';
import { TlpBadge } from '../../components/incidentBadges';
import { useRsit } from './ClassificationPicker';
import { describe, NoteBody } from './timelineText';
import { useIncident } from './useIncidentWrite';
import { useUserNames } from './RolesTab';

const DIRECTIONS = [{ value: 'outbound', label: 'Outbound (we contacted)' }, { value: 'inbound', label: 'Inbound (they contacted us)' }];
const CHANNELS = ['phone', 'email', 'meeting', 'chat', 'letter', 'other'].map((c) => ({ value: c, label: c.charAt(0).toUpperCase() + c.slice(1) }));

/** Which entries the timeline shows: everything, or one family of kinds (sent to the API as `kind`). */
const FILTERS: { value: string; label: string; kinds?: string[] }[] = [
  { value: 'all', label: 'Everything' },
  { value: 'notes', label: 'Notes', kinds: ['incident.note_added', 'task.note_added'] },
  { value: 'comms', label: 'Communications', kinds: ['incident.communication'] },
  { value: 'lifecycle', label: 'Status and roles', kinds: [
    'incident.declared', 'incident.status_changed', 'incident.closed', 'incident.reopened', 'incident.role_assigned', 'incident.role_removed', 'incident.contact_role_assigned', 'incident.contact_role_removed',
    'incident.assigned', 'incident.priority_changed', 'incident.classified', 'incident.updated', 'incident.key_time_set', 'incident.lessons_recorded',
  ] },
  { value: 'escalation', label: 'Escalation and SLA', kinds: [
    'escalation.started', 'escalation.level', 'escalation.acknowledged', 'escalation.exhausted', 'escalation.ended', 'sla.paused', 'sla.resumed', 'sla.warning', 'sla.breached',
  ] },
  { value: 'tasks', label: 'Tasks', kinds: ['task.created', 'task.updated', 'task.note_added', 'playbook.applied'] },
  { value: 'evidence', label: 'Observables and evidence', kinds: [
    'observable.added', 'observable.updated', 'observable.removed', 'evidence.added', 'evidence.downloaded', 'evidence.handed_over',
  ] },
  { value: 'reports', label: 'Reports and links', kinds: [
    'report.linked', 'report.unlinked', 'alert.linked', 'incident.linked', 'incident.unlinked', 'incident.merged', 'incident.merged_into',
  ] },
];

/** A note, or a communication (with whom, which way, over what, when): both Markdown, both with a TLP. */
function AddEntry() {
  const { incident } = useIncident();
  const client = useQueryClient();
  const [mode, setMode] = useState<'note' | 'communication'>('note');
  const [body, setBody] = useState('');
  const [tlp, setTlp] = useState<Tlp | null>(null);
  const [comm, setComm] = useState({ direction: 'outbound', channel: 'phone', party: '', when: '' });
  const { busy, error, run } = useAction();
  const ready = body.trim() !== '' && (mode === 'note' || comm.party.trim() !== '');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    await run(async () => {
      const base = `/incidents/${encodeURIComponent(incident.id)}`;
      if (mode === 'note') {
        await api.post<TimelineEntry>(`${base}/notes`, { body, ...(tlp ? { tlp } : {}) });
      } else {
        const occurredAt = comm.when && !Number.isNaN(new Date(comm.when).getTime()) ? new Date(comm.when).toISOString() : undefined;
        await api.post<TimelineEntry>(`${base}/communications`, {
          direction: comm.direction, channel: comm.channel, party: comm.party.trim(), body, ...(occurredAt ? { occurredAt } : {}), ...(tlp ? { tlp } : {}),
        });
        setComm((c) => ({ ...c, party: '', when: '' }));
      }
      setBody('');
      setTlp(null);
      await client.invalidateQueries({ queryKey: timelineKey(incident.id) });
    });
  };

  return (
    <Paper withBorder p="md" component="form" onSubmit={(e: FormEvent) => void submit(e)} aria-label="Add to the timeline">
      <Stack gap="sm">
        <SegmentedControl w="fit-content" value={mode} onChange={(v) => setMode(v as typeof mode)} data-testid="entry-mode"
          data={[{ value: 'note', label: 'Note' }, { value: 'communication', label: 'Communication' }]} />
        <ErrorAlert error={error} />
        {mode === 'communication' && (
          <Group grow align="flex-start">
            <Select label="Direction" data={DIRECTIONS} value={comm.direction} allowDeselect={false}
              onChange={(v) => v && setComm((c) => ({ ...c, direction: v }))} comboboxProps={{ withinPortal: true }} data-testid="comm-direction" />
            <Select label="Channel" data={CHANNELS} value={comm.channel} allowDeselect={false}
              onChange={(v) => v && setComm((c) => ({ ...c, channel: v }))} comboboxProps={{ withinPortal: true }} data-testid="comm-channel" />
            <TextInput label="With" required placeholder="Person, organisation or authority" maxLength={300} value={comm.party}
              onChange={(e) => { const party = e.currentTarget.value; setComm((c) => ({ ...c, party })); }} data-testid="comm-party" />
            <TextInput label="When" type="datetime-local" description="Leave empty for now" value={comm.when}
              onChange={(e) => { const when = e.currentTarget.value; setComm((c) => ({ ...c, when })); }} data-testid="comm-when" />
          </Group>
        )}
        <Textarea label={mode === 'note' ? 'Add note' : 'What was said or agreed'}
          placeholder={mode === 'note' ? 'What was found, done or decided. Markdown: **bold**, lists, `code`, links.' : 'Markdown.'}
          autosize minRows={3} maxRows={14} value={body} onChange={(e) => setBody(e.currentTarget.value)} data-testid="note-body" />
        <Group justify="space-between" align="flex-end">
          <Select label="TLP of this entry" w={260} clearable value={tlp} onChange={(v) => setTlp(v as Tlp | null)}
            placeholder={`Incident's TLP (${incident.tlp})`} data={TLPS.map((t) => ({ value: t, label: `TLP:${t}` }))}
            data-testid="note-tlp" comboboxProps={{ withinPortal: true }} />
          <Button type="submit" leftSection={mode === 'note' ? <IconMessage size={16} /> : <IconPhoneCall size={16} />} loading={busy}
            disabled={!ready} data-testid="note-submit">
            {mode === 'note' ? 'Add note' : 'Record communication'}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

export function TimelineTab() {
  const { incident, canWrite } = useIncident();
  const { label } = useRsit();
  const nameOf = useUserNames();
  const [filter, setFilter] = useState('all');
  const kinds = FILTERS.find((f) => f.value === filter)?.kinds;
  const query = useInfiniteQuery({
    queryKey: [...timelineKey(incident.id), filter],
    initialPageParam: null as number | null,
    queryFn: ({ pageParam }) =>
      api.get<Answer<'incidents.timeline'>>(
        `/incidents/${encodeURIComponent(incident.id)}/timeline${qs({ after: pageParam, limit: 500, kind: kinds?.join(',') })}`,
      ),
    getNextPageParam: (last) => last.nextAfter,
  });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Stack gap="lg">
      <Select w={280} label="Show" value={filter} onChange={(v) => setFilter(v ?? 'all')} allowDeselect={false}
        data={FILTERS.map((f) => ({ value: f.value, label: f.label }))} data-testid="timeline-filter" comboboxProps={{ withinPortal: true }} />
      <ErrorAlert error={query.error} />
      {!query.isLoading && items.length === 0 && <Text size="sm" c="dimmed">Nothing of this kind yet.</Text>}
      {query.isLoading && <Text size="sm" c="dimmed">Loading the timeline…</Text>}
      <Timeline bulletSize={14} lineWidth={2} data-testid="timeline">
        {items.map((e) => (
          <Timeline.Item key={e.id} data-kind={e.kind}
            color={e.kind === 'incident.note_added' ? 'signal' : e.kind === 'incident.communication' ? 'violet' : e.kind === 'incident.closed' ? 'gray' : 'dark.2'}>
            <Group gap={8} wrap="wrap" align="center">
              <DateText value={e.at} />
              {e.occurredAt && e.occurredAt !== e.at && <Text span size="xs" c="dimmed">(happened {formatDate(e.occurredAt)})</Text>}
              {e.tlp && <TlpBadge tlp={e.tlp} size="xs" />}
              {e.incidentId !== incident.id && <Text span size="xs" c="dimmed">from a merged incident</Text>}
            </Group>
            <Text size="sm" mt={2} data-testid="timeline-sentence">
              <Text span fw={600} size="sm">{e.actorName}</Text> {describe(e, label, nameOf)}
            </Text>
            {(e.kind === 'incident.note_added' || e.kind === 'incident.communication') && <NoteBody body={typeof e.data.body === 'string' ? e.data.body : ''} />}
          </Timeline.Item>
        ))}
      </Timeline>
      {query.hasNextPage && (
        <Group justify="center">
          <Button variant="default" loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>Load later entries</Button>
        </Group>
      )}
      {canWrite && <AddEntry />}
    </Stack>
  );
}
