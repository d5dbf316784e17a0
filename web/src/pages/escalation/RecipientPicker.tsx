// One recipient of an escalation level: a kind and, for most kinds, who or what. The lists come
// from the team, on-call, the contact directory and the notification channels.
import { ActionIcon, Group, Select, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconX } from '@tabler/icons-react';
import { api } from '../../api/client';
import type { Answer } from '../../api/schema';
import { RECIPIENT_KINDS, type Recipient, type RecipientKind } from '../../api/escalation';
import { humanize, INCIDENT_ROLES } from '../../api/incidents';
import { memberOptions, useTeamMembers } from '../../components/TeamMemberSelect';
import { SEAT_LABELS, SEATS } from '../team/directoryApi';

/** Everything a recipient can name, loaded once for the editor. */
export function useRecipientOptions() {
  const { members } = useTeamMembers();
  const rotas = useQuery({ queryKey: ['oncall', 'rotas'], queryFn: () => api.get<Answer<'oncall.rotas.list'>>('/oncall/rotas'), staleTime: 60_000 });
  const contacts = useQuery({ queryKey: ['contacts', 'all'], queryFn: () => api.get<Answer<'contacts.list'>>('/contacts?limit=200'), staleTime: 60_000 });
  const channels = useQuery({ queryKey: ['notification-channels'], queryFn: () => api.get<Answer<'notificationChannels.list'>>('/notification-channels'), staleTime: 60_000, retry: false });
  return {
    user: memberOptions(members),
    rota: (rotas.data?.items ?? []).map((r) => ({ value: r.id, label: r.name })),
    contact: (contacts.data?.items ?? []).map((c) => ({ value: c.id, label: c.name })),
    channel: (channels.data?.items ?? []).map((c) => ({ value: c.id, label: c.name })),
    seat: SEATS.map((s) => ({ value: s, label: SEAT_LABELS[s] })),
    incident_role: INCIDENT_ROLES.map((r) => ({ value: r, label: humanize(r) })),
  };
}
export type RecipientOptions = ReturnType<typeof useRecipientOptions>;

const FIELD: Record<Exclude<RecipientKind, 'on_duty'>, string> = {
  seat: 'seat', rota: 'rotaId', user: 'userId', incident_role: 'role', contact: 'contactId', channel: 'channelId',
};

export function valueOf(r: Recipient): string | null {
  if (r.kind === 'on_duty') return null;
  return (r as Record<string, string>)[FIELD[r.kind]] ?? null;
}

export function isComplete(r: Recipient): boolean {
  return r.kind === 'on_duty' || !!valueOf(r);
}

export function RecipientPicker({ value, onChange, onRemove, options, testId }: {
  value: Recipient;
  onChange: (r: Recipient) => void;
  onRemove: () => void;
  options: RecipientOptions;
  testId: string;
}) {
  const setKind = (kind: RecipientKind) => onChange((kind === 'on_duty' ? { kind } : { kind, [FIELD[kind]]: '' }) as Recipient);
  return (
    <Group gap="xs" wrap="nowrap" data-testid={testId}>
      <Select size="xs" w={220} data={RECIPIENT_KINDS} value={value.kind} allowDeselect={false}
        onChange={(k) => k && setKind(k as RecipientKind)} aria-label="Recipient kind" data-testid={`${testId}-kind`} />
      {value.kind === 'on_duty' && <Text size="xs" c="dimmed" style={{ flex: 1 }}>in any rota, when the level goes out</Text>}
      {value.kind !== 'on_duty' && (
        <Select size="xs" style={{ flex: 1 }} searchable data={options[value.kind]} value={valueOf(value) || null}
          placeholder="Choose…" nothingFoundMessage="Nothing to choose" aria-label="Recipient"
          onChange={(v) => onChange({ ...value, [FIELD[value.kind as Exclude<RecipientKind, 'on_duty'>]]: v ?? '' } as Recipient)}
          data-testid={`${testId}-value`} />
      )}
      <ActionIcon variant="subtle" color="gray" onClick={onRemove} aria-label="Remove recipient"><IconX size={14} /></ActionIcon>
    </Group>
  );
}
