// The incident's running escalation: which level was told, when the next one goes out, and the
// button that stops it, for those the incident's `allowed` lets acknowledge (those who work incidents).
import { Alert, Button, Group, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { IconCircleCheck, IconSpeakerphone } from '@tabler/icons-react';
import { useState } from 'react';
import { api } from '../../api/client';
import type { Answer } from '../../api/schema';
import { runsKey } from '../../api/escalation';
import { incidentKey } from '../../api/incidents';
import { DateText } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { useUserNames } from './RolesTab';
import { useIncident } from './useIncidentWrite';

export function EscalationBanner() {
  const { incident, param } = useIncident();
  const client = useQueryClient();
  const nameOf = useUserNames();
  const runs = useQuery({
    queryKey: runsKey(incident.id),
    queryFn: () => api.get<Answer<'incidents.escalations'>>(`/incidents/${encodeURIComponent(incident.id)}/escalations`),
    refetchInterval: 30_000,
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const last = runs.data?.items[0];
  if (!last) return null;

  const acknowledge = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.post(`/incidents/${encodeURIComponent(incident.id)}/escalation/acknowledge`);
      await Promise.all([
        client.invalidateQueries({ queryKey: runsKey(incident.id) }),
        client.invalidateQueries({ queryKey: incidentKey(param) }),
      ]);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const policy = last.policyName ?? 'a deleted policy';
  if (last.state !== 'active') {
    const how = last.state === 'acknowledged'
      ? <>acknowledged by {last.acknowledgedBy ? nameOf(last.acknowledgedBy) : 'someone'}</>
      : last.state === 'exhausted' ? 'ran through every level without an acknowledgement' : 'ended';
    const Icon = last.state === 'acknowledged' ? IconCircleCheck : IconSpeakerphone;
    return (
      <Group gap={6} wrap="nowrap" data-testid="escalation-state" data-value={last.state}>
        <Icon size={16} color="var(--mantine-color-dimmed)" style={{ flexShrink: 0 }} />
        <Text size="sm" c="dimmed">
          {policy}: escalation {how}, <DateText value={last.endedAt} />.
        </Text>
      </Group>
    );
  }
  const told = last.lastNotifiedAt !== null;
  return (
    <Alert color="orange" variant="light" icon={<IconSpeakerphone size={18} />} data-testid="escalation-state" data-value="active"
      title={`Escalating: ${policy}`}>
      <Group justify="space-between" wrap="wrap" gap="sm">
        <Text size="sm">
          {told
            ? <>{last.round === 0 && last.level > 1 ? `Level ${last.level - 1} notified` : 'Last notified'} <DateText value={last.lastNotifiedAt} />. </>
            : <>Started <DateText value={last.startedAt} />. </>}
          Level {last.level} of {last.levels}{last.round > 0 ? ` (round ${last.round + 1})` : ''} goes out <DateText value={last.nextAt} /> unless someone acknowledges.
        </Text>
        {incident.allowed.acknowledgeEscalation && (
          <Button size="xs" color="orange" onClick={() => void acknowledge()} loading={busy} data-testid="escalation-acknowledge">Acknowledge</Button>
        )}
      </Group>
      {error !== null && <ErrorAlert error={error} />}
    </Alert>
  );
}
