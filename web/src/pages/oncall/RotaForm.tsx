// Create or edit a rota: name, zone, anchor date, members and the pattern for its kind.
import { useState } from 'react';
import { ActionIcon, Button, Chip, Group, Modal, MultiSelect, Select, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { api } from '../../api/client';
import { KIND_LABELS, timeZones, WEEKDAYS, type Pattern, type PatternKind, type Region, type Rota } from '../../api/oncall';
import { memberOptions, useTeamMembers } from '../../components/TeamMemberSelect';
import { ErrorAlert } from '../../components/errors';

const DEFAULTS: Record<PatternKind, Pattern> = {
  business_hours: { kind: 'business_hours', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', rotation: 'weekly' },
  duty_officer: { kind: 'duty_officer', handover: 'weekly', handoverTime: '09:00', handoverDay: 1 },
  shifts_24x7: { kind: 'shifts_24x7', shifts: [{ start: '06:00', end: '14:00' }, { start: '14:00', end: '22:00' }, { start: '22:00', end: '06:00' }] },
  follow_the_sun: {
    kind: 'follow_the_sun', regions: [
      { name: 'APAC', timeZone: 'Asia/Singapore', start: '08:00', end: '16:00', members: [] },
      { name: 'EMEA', timeZone: 'Europe/Berlin', start: '09:00', end: '17:00', members: [] },
      { name: 'AMER', timeZone: 'America/New_York', start: '11:00', end: '19:00', members: [] },
    ],
  },
};

const Time = ({ label, value, onChange }: { label: string; value: string; onChange: (v: string) => void }) => (
  <TextInput label={label} type="time" w={140} value={value} onChange={(e) => onChange(e.currentTarget.value)} />
);

export function RotaForm({ rota, opened, onClose, onSaved }: { rota: Rota | null; opened: boolean; onClose: () => void; onSaved: (r: Rota) => void }) {
  const team = memberOptions(useTeamMembers(opened).members);
  const [name, setName] = useState(rota?.name ?? '');
  const [description, setDescription] = useState(rota?.description ?? '');
  const [timeZone, setTimeZone] = useState(rota?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [anchorDate, setAnchorDate] = useState(rota?.anchorDate ?? new Date().toISOString().slice(0, 10));
  const [members, setMembers] = useState<string[]>(rota?.members ?? []);
  const [pattern, setPattern] = useState<Pattern>(rota?.pattern ?? DEFAULTS.duty_officer);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const zones = timeZones();
  const set = (p: Partial<Pattern>) => setPattern({ ...pattern, ...p } as Pattern);

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const body = { name, description, timeZone, anchorDate, members: pattern.kind === 'follow_the_sun' ? [] : members, pattern };
      onSaved(rota ? await api.put<Rota>(`/oncall/rotas/${rota.id}`, { ...body, version: rota.version }) : await api.post<Rota>('/oncall/rotas', body));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const region = (i: number, r: Partial<Region>) => pattern.kind === 'follow_the_sun' && set({ regions: pattern.regions.map((x, k) => (k === i ? { ...x, ...r } : x)) });
  return (
    <Modal opened={opened} onClose={onClose} title={<Text fw={600}>{rota ? `Edit ${rota.name}` : 'New rota'}</Text>} size="xl">
      <Stack gap="sm">
        <Group grow>
          <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} data-testid="rota-name" />
          <Select label="Time zone" searchable data={zones} value={timeZone} onChange={(v) => v && setTimeZone(v)} data-testid="rota-zone" />
          <TextInput label="Rotation counts from" type="date" value={anchorDate} onChange={(e) => setAnchorDate(e.currentTarget.value)} />
        </Group>
        <Textarea label="Description" autosize minRows={1} value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
        <Select label="How the team covers the clock" data={Object.entries(KIND_LABELS).map(([value, label]) => ({ value, label }))} value={pattern.kind}
          onChange={(v) => v && setPattern(DEFAULTS[v as PatternKind])} data-testid="rota-kind" allowDeselect={false} />
        {pattern.kind === 'business_hours' && (
          <Stack gap="xs">
            <Chip.Group multiple value={pattern.days.map(String)} onChange={(v) => set({ days: v.map(Number).sort() })}>
              <Group gap={4}>{WEEKDAYS.map((d, i) => <Chip key={d} value={String(i + 1)} size="xs">{d}</Chip>)}</Group>
            </Chip.Group>
            <Group>
              <Time label="From" value={pattern.start} onChange={(v) => set({ start: v })} />
              <Time label="To" value={pattern.end} onChange={(v) => set({ end: v })} />
              <Select label="Next member takes over" w={180} data={[{ value: 'daily', label: 'every working day' }, { value: 'weekly', label: 'every week' }]} value={pattern.rotation} onChange={(v) => v && set({ rotation: v as 'daily' })} />
            </Group>
            <Text size="xs" c="dimmed">Outside these hours nobody is on duty: the calendar shows it as uncovered.</Text>
          </Stack>
        )}
        {pattern.kind === 'duty_officer' && (
          <Group>
            <Select label="Handover" w={140} data={['daily', 'weekly']} value={pattern.handover} onChange={(v) => v && set({ handover: v as 'daily' })} />
            {pattern.handover === 'weekly' && <Select label="On" w={120} data={WEEKDAYS.map((d, i) => ({ value: String(i + 1), label: d }))} value={String(pattern.handoverDay)} onChange={(v) => v && set({ handoverDay: Number(v) })} />}
            <Time label="At" value={pattern.handoverTime} onChange={(v) => set({ handoverTime: v })} />
          </Group>
        )}
        {pattern.kind === 'shifts_24x7' && (
          <Stack gap={4}>
            {pattern.shifts.map((s, i) => (
              <Group key={i} align="flex-end">
                <Time label={`Shift ${i + 1} from`} value={s.start} onChange={(v) => set({ shifts: pattern.shifts.map((x, k) => (k === i ? { ...x, start: v } : x)) })} />
                <Time label="to" value={s.end} onChange={(v) => set({ shifts: pattern.shifts.map((x, k) => (k === i ? { ...x, end: v } : x)) })} />
                <ActionIcon variant="subtle" color="red" aria-label="Remove shift" onClick={() => set({ shifts: pattern.shifts.filter((_, k) => k !== i) })}><IconTrash size={16} /></ActionIcon>
              </Group>
            ))}
            <Group><Button size="xs" variant="light" leftSection={<IconPlus size={14} />} onClick={() => set({ shifts: [...pattern.shifts, { start: '00:00', end: '08:00' }] })}>Add shift</Button></Group>
            <Text size="xs" c="dimmed">Together the shifts must cover 24 hours without overlap; consecutive shifts go to consecutive members.</Text>
          </Stack>
        )}
        {pattern.kind === 'follow_the_sun' ? (
          <Stack gap={4}>
            {pattern.regions.map((r, i) => (
              <Group key={i} align="flex-end" wrap="nowrap">
                <TextInput label="Region" w={100} value={r.name} onChange={(e) => region(i, { name: e.currentTarget.value })} />
                <Select label="Time zone" w={190} searchable data={zones} value={r.timeZone} onChange={(v) => v && region(i, { timeZone: v })} />
                <Time label="From" value={r.start} onChange={(v) => region(i, { start: v })} />
                <Time label="To" value={r.end} onChange={(v) => region(i, { end: v })} />
                <MultiSelect label="Members" style={{ flex: 1 }} data={team} value={r.members} onChange={(v) => region(i, { members: v })} searchable />
              </Group>
            ))}
            <Text size="xs" c="dimmed">The regions' local hours must together cover the whole day on the rotation date; a region's members take its days in turn.</Text>
          </Stack>
        ) : (
          <MultiSelect label="Members, in rotation order" data={team} value={members} onChange={setMembers} searchable data-testid="rota-members" />
        )}
        <ErrorAlert error={error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button onClick={save} loading={busy} data-testid="rota-save">Save rota</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
