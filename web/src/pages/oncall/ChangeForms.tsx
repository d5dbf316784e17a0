// Overrides (a manager puts someone else on duty for a period) and swap requests (a member asks
// another to take one of their shifts), and the list of swaps waiting for an answer.
import { useState } from 'react';
import { Badge, Button, Group, Modal, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { api } from '../../api/client';
import type { Override, Rota, Shift, Swap } from '../../api/oncall';
import { ErrorAlert } from '../../components/errors';

/** A datetime-local value (viewer's time) as an instant. */
const instant = (local: string) => new Date(local).toISOString();
const fmt = (iso: string) => new Date(iso).toLocaleString([], { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

export function OverrideModal({ rota, opened, onClose, onSaved }: { rota: Rota; opened: boolean; onClose: () => void; onSaved: () => void }) {
  const [userId, setUserId] = useState<string | null>(null);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>(null);
  const save = async () => {
    setError(null);
    try {
      await api.post<Override>(`/oncall/rotas/${rota.id}/overrides`, { userId, startsAt: from && instant(from), endsAt: to && instant(to), note });
      onSaved();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Modal opened={opened} onClose={onClose} title={<Text fw={600}>Override: someone else covers a period</Text>}>
      <Stack gap="sm">
        <Select label="Who covers" data={rota.people.map((p) => ({ value: p.id, label: p.displayName }))} value={userId} onChange={setUserId} data-testid="override-user" />
        <TextInput label="From (your time)" type="datetime-local" value={from} onChange={(e) => setFrom(e.currentTarget.value)} data-testid="override-from" />
        <TextInput label="To (your time)" type="datetime-local" value={to} onChange={(e) => setTo(e.currentTarget.value)} data-testid="override-to" />
        <TextInput label="Note" value={note} maxLength={500} onChange={(e) => setNote(e.currentTarget.value)} />
        <ErrorAlert error={error} />
        <Group justify="flex-end"><Button onClick={save} data-testid="override-save">Add override</Button></Group>
      </Stack>
    </Modal>
  );
}

export function SwapModal({ rota, shift, onClose, onSaved }: { rota: Rota; shift: Shift | null; onClose: () => void; onSaved: () => void }) {
  const [toUserId, setTo] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>(null);
  const save = async () => {
    setError(null);
    try {
      await api.post<Swap>(`/oncall/rotas/${rota.id}/swaps`, { shiftStart: shift!.start, fromUserId: shift!.userId, toUserId, note });
      onSaved();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Modal opened={shift !== null} onClose={onClose} title={<Text fw={600}>Ask someone to take this shift</Text>}>
      {shift && (
        <Stack gap="sm">
          <Text size="sm">{shift.displayName}: {fmt(shift.start)} – {fmt(shift.end)}</Text>
          <Select label="Ask" data={rota.people.filter((p) => p.id !== shift.userId).map((p) => ({ value: p.id, label: p.displayName }))} value={toUserId} onChange={setTo} data-testid="swap-to" />
          <TextInput label="Note" value={note} maxLength={500} onChange={(e) => setNote(e.currentTarget.value)} />
          <ErrorAlert error={error} />
          <Group justify="flex-end"><Button onClick={save} data-testid="swap-save">Ask</Button></Group>
        </Stack>
      )}
    </Modal>
  );
}

export function SwapList({ rota, swaps, myId, manager, onChanged }: { rota: Rota; swaps: Swap[]; myId: string; manager: boolean; onChanged: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const name = (id: string) => rota.people.find((p) => p.id === id)?.displayName ?? 'someone';
  const decide = async (s: Swap, what: 'accept' | 'decline') => {
    setError(null);
    try {
      await api.post<Swap>(`/oncall/swaps/${s.id}/${what}`);
      onChanged();
    } catch (e) {
      setError(e);
    }
  };
  if (!swaps.length) return <Text size="sm" c="dimmed">No swaps in the last month or ahead.</Text>;
  return (
    <Stack gap="xs">
      <ErrorAlert error={error} />
      <Table data-testid="swap-list">
        <Table.Thead><Table.Tr><Table.Th>Shift</Table.Th><Table.Th>From</Table.Th><Table.Th>To</Table.Th><Table.Th>Status</Table.Th><Table.Th /></Table.Tr></Table.Thead>
        <Table.Tbody>
          {swaps.map((s) => (
            <Table.Tr key={s.id}>
              <Table.Td>{fmt(s.shiftStart)} – {fmt(s.shiftEnd)}</Table.Td>
              <Table.Td>{name(s.fromUserId)}</Table.Td>
              <Table.Td>{name(s.toUserId)}</Table.Td>
              <Table.Td><Badge color={s.status === 'accepted' ? 'teal' : s.status === 'declined' ? 'gray' : 'yellow'} variant="light">{s.status}</Badge></Table.Td>
              <Table.Td>
                {s.status === 'requested' && (
                  <Group gap={4} justify="flex-end">
                    {(manager || s.toUserId === myId) && <Button size="xs" onClick={() => decide(s, 'accept')} data-testid="swap-accept">Accept</Button>}
                    {(manager || s.toUserId === myId || s.fromUserId === myId) && <Button size="xs" variant="default" onClick={() => decide(s, 'decline')}>{s.fromUserId === myId ? 'Withdraw' : 'Decline'}</Button>}
                  </Group>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

export function OverrideList({ rota, overrides, manager, onChanged }: { rota: Rota; overrides: Override[]; manager: boolean; onChanged: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const name = (id: string) => rota.people.find((p) => p.id === id)?.displayName ?? 'someone';
  const remove = async (o: Override) => {
    setError(null);
    try {
      await api.del(`/oncall/overrides/${o.id}`);
      onChanged();
    } catch (e) {
      setError(e);
    }
  };
  if (!overrides.length) return <Text size="sm" c="dimmed">No overrides in the last month or ahead.</Text>;
  return (
    <Stack gap="xs">
      <ErrorAlert error={error} />
      <Table data-testid="override-list">
        <Table.Thead><Table.Tr><Table.Th>Period</Table.Th><Table.Th>Who covers</Table.Th><Table.Th>Note</Table.Th><Table.Th /></Table.Tr></Table.Thead>
        <Table.Tbody>
          {overrides.map((o) => (
            <Table.Tr key={o.id}>
              <Table.Td>{fmt(o.startsAt)} – {fmt(o.endsAt)}</Table.Td>
              <Table.Td>{name(o.userId)}</Table.Td>
              <Table.Td>{o.note}</Table.Td>
              <Table.Td>{manager && <Group justify="flex-end"><Button size="xs" variant="default" color="red" onClick={() => remove(o)}>Remove</Button></Group>}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
