// The incident's SLA clocks (computed by the server from its events): time left or overdue per
// target, the warning point, and pause/resume while the team waits on the constituent.
import { useState } from 'react';
import { Badge, Button, Group, Paper, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { IconPlayerPause, IconPlayerPlay } from '@tabler/icons-react';
import { api } from '../../api/client';
import { incidentKey, timelineKey } from '../../api/incidents';
import type { Answer, Schema } from '../../api/schema';
import { DateText } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { useIncident } from './useIncidentWrite';

type SlaView = Answer<'incidents.sla'>;
type SlaClock = Schema<'SlaClock'>;

const LABEL: Record<SlaClock['metric'], string> = {
  acknowledge: 'Acknowledge', first_response: 'First response', containment: 'Containment', resolution: 'Resolution',
};
const STATE: Record<SlaClock['state'], { color: string; text: string }> = {
  running: { color: 'blue', text: 'running' }, paused: { color: 'gray', text: 'paused' }, met: { color: 'teal', text: 'met' },
  breached: { color: 'red', text: 'breached' }, met_late: { color: 'orange', text: 'met late' },
};

export function duration(ms: number): string {
  const m = Math.round(Math.abs(ms) / 60_000);
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const parts = [d ? `${d} d` : '', h ? `${h} h` : '', m % 60 || m === 0 ? `${m % 60} min` : ''].filter(Boolean);
  return parts.slice(0, 2).join(' ');
}

export function SlaPanel() {
  const { incident, param } = useIncident();
  const client = useQueryClient();
  // Under the incident's own key: every change to the incident refreshes the clocks too.
  const key = [...incidentKey(param), 'sla'];
  const sla = useQuery({ queryKey: key, queryFn: () => api.get<SlaView>(`/incidents/${encodeURIComponent(incident.id)}/sla`), refetchInterval: 30_000 });
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const view = sla.data;
  if (!view?.policy) return null;

  const act = async (what: 'pause' | 'resume') => {
    setError(null);
    try {
      await api.post(`/incidents/${encodeURIComponent(incident.id)}/sla/${what}`, what === 'pause' ? { reason } : undefined);
      setReason('');
      await Promise.all([client.invalidateQueries({ queryKey: key }), client.invalidateQueries({ queryKey: timelineKey(incident.id) })]);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <Paper withBorder p="md" data-testid="sla-panel">
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Text fw={600} size="sm">
          SLA {view.policy.priority}{view.policy.constituentName ? ` (${view.policy.constituentName}'s agreement)` : ''}
          <Text span c="dimmed" size="xs"> · {view.policy.calendar.kind === '24x7' ? 'around the clock' : 'business hours'}, {view.policy.calendar.timeZone}</Text>
        </Text>
        {incident.allowed.update && (view.paused ? (
          <Button size="compact-xs" variant="light" leftSection={<IconPlayerPlay size={12} />} onClick={() => void act('resume')} data-testid="sla-resume">Resume clocks</Button>
        ) : (
          <Group gap={6}>
            <TextInput size="xs" placeholder="Waiting on the constituent for…" value={reason} onChange={(e) => setReason(e.currentTarget.value)} aria-label="Why the clocks pause" />
            <Button size="compact-xs" variant="light" color="gray" leftSection={<IconPlayerPause size={12} />} disabled={!reason.trim()}
              onClick={() => void act('pause')} data-testid="sla-pause">Pause</Button>
          </Group>
        ))}
      </Group>
      <SimpleGrid cols={{ base: 2, md: view.clocks.length || 1 }} spacing="sm">
        {view.clocks.map((c) => (
          <Stack key={c.metric} gap={2} data-testid={`sla-${c.metric}`} data-state={c.state}>
            <Group gap={6}><Text size="xs" c="dimmed" tt="uppercase" fw={600}>{LABEL[c.metric]}</Text><Badge size="xs" color={STATE[c.state].color}>{STATE[c.state].text}</Badge></Group>
            {c.state === 'met' || c.state === 'met_late' ? (
              <Text size="sm">at <DateText value={c.metAt} /></Text>
            ) : c.state === 'breached' ? (
              <Text size="sm" c="red">overdue by {duration(c.remainingMs)}</Text>
            ) : (
              <Text size="sm">{duration(c.remainingMs)} left{c.deadline ? <> · due <DateText value={c.deadline} /></> : ''}</Text>
            )}
            <Text size="xs" c="dimmed">target {duration(c.targetMinutes * 60_000)}</Text>
          </Stack>
        ))}
      </SimpleGrid>
      {error !== null && <ErrorAlert error={error} />}
    </Paper>
  );
}
