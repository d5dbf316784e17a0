import { useState, type FormEvent } from 'react';
import { Button, Group, Paper, Select, Stack, Text, Textarea, Timeline } from '@mantine/core';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { IconMessage } from '@tabler/icons-react';
import { api, qs } from '../../api/client';
import { timelineKey, TLPS, type Tlp, type TimelineEntry } from '../../api/incidents';
import { DateText } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { TlpBadge } from '../../components/incidentBadges';
import { useRsit } from './ClassificationPicker';
import { describe, NoteBody } from './timelineText';
import { useIncident } from './useIncidentWrite';
import { useUserNames } from './RolesTab';

function AddNote() {
  const { incident } = useIncident();
  const client = useQueryClient();
  const [body, setBody] = useState('');
  const [tlp, setTlp] = useState<Tlp | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!body.trim()) return;
    setBusy(true);
    setError(null);
    try {
      await api.post<TimelineEntry>(`/incidents/${encodeURIComponent(incident.id)}/notes`, { body, ...(tlp ? { tlp } : {}) });
      setBody('');
      setTlp(null);
      await client.invalidateQueries({ queryKey: timelineKey(incident.id) });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Paper withBorder p="md" component="form" onSubmit={(e: FormEvent) => void submit(e)} aria-label="Add note">
      <Stack gap="sm">
        <ErrorAlert error={error} />
        <Textarea label="Add note" placeholder="What was found, done or decided. Markdown: **bold**, lists, `code`, links."
          autosize minRows={3} maxRows={14} value={body} onChange={(e) => setBody(e.currentTarget.value)} data-testid="note-body" />
        <Group justify="space-between" align="flex-end">
          <Select label="Note TLP" w={260} clearable value={tlp} onChange={(v) => setTlp(v as Tlp | null)}
            placeholder={`Incident's TLP (${incident.tlp})`} data={TLPS.map((t) => ({ value: t, label: `TLP:${t}` }))}
            data-testid="note-tlp" comboboxProps={{ withinPortal: true }} />
          <Button type="submit" leftSection={<IconMessage size={16} />} loading={busy} disabled={!body.trim()} data-testid="note-submit">
            Add note
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
  const query = useInfiniteQuery({
    queryKey: timelineKey(incident.id),
    initialPageParam: null as number | null,
    queryFn: ({ pageParam }) =>
      api.get<{ items: TimelineEntry[]; nextAfter: number | null }>(
        `/incidents/${encodeURIComponent(incident.id)}/timeline${qs({ after: pageParam, limit: 500 })}`,
      ),
    getNextPageParam: (last) => last.nextAfter,
  });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Stack gap="lg">
      <ErrorAlert error={query.error} />
      {query.isLoading && <Text size="sm" c="dimmed">Loading the timeline…</Text>}
      <Timeline bulletSize={14} lineWidth={2} data-testid="timeline">
        {items.map((e) => (
          <Timeline.Item key={e.id} data-kind={e.kind}
            color={e.kind === 'incident.note_added' ? 'signal' : e.kind === 'incident.closed' ? 'gray' : 'dark.2'}>
            <Group gap={8} wrap="wrap" align="center">
              <DateText value={e.at} />
              {e.tlp && <TlpBadge tlp={e.tlp} size="xs" />}
              {e.incidentId !== incident.id && <Text span size="xs" c="dimmed">from a merged incident</Text>}
            </Group>
            <Text size="sm" mt={2} component="div">
              <Text span fw={600} size="sm">{e.actorName}</Text> {describe(e, label, nameOf)}
            </Text>
            {e.kind === 'incident.note_added' && <NoteBody body={typeof e.data.body === 'string' ? e.data.body : ''} />}
          </Timeline.Item>
        ))}
      </Timeline>
      {query.hasNextPage && (
        <Group justify="center">
          <Button variant="default" loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>Load later entries</Button>
        </Group>
      )}
      {canWrite && <AddNote />}
    </Stack>
  );
}
