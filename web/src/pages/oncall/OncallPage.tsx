// On-call: who is on duty now in every rota, a week calendar per rota, and the forms to change
// rotas (managers), add overrides (managers) and ask for or answer swaps (members).
import { useState } from 'react';
import { Alert, Badge, Button, Card, Group, SegmentedControl, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { IconAlertTriangle, IconChevronLeft, IconChevronRight, IconPencil, IconPlus } from '@tabler/icons-react';
import { api, qs } from '../../api/client';
import type { Answer } from '../../api/schema';
import { KIND_LABELS, ONCALL_KEY, viewerZone, type OnDutyNow, type Rota, type Shift, type Shifts } from '../../api/oncall';
import { useMe } from '../../auth/session';
import { hasPermission } from '../../auth/permissions';
import { PageHeader, Section } from '../../components/common';
import { ErrorAlert } from '../../components/errors';
import { OverrideList, OverrideModal, SwapList, SwapModal } from './ChangeForms';
import { useConfirm } from '../../components/confirm';
import { RotaForm } from './RotaForm';
import { Legend, WeekCalendar, weekStart } from './WeekCalendar';

const t = (iso: string) => new Date(iso).toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit' });

function NowPanel({ now }: { now: OnDutyNow | undefined }) {
  if (!now) return null;
  if (!now.rotas.length) return <Text c="dimmed" size="sm">No rotas yet.</Text>;
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} data-testid="oncall-now">
      {now.rotas.map((r) => (
        <Card key={r.rota.id} withBorder padding="sm" style={r.onDuty.length ? undefined : { borderColor: 'var(--mantine-color-red-4)' }}>
          <Group justify="space-between" mb={4}>
            <Text fw={600}>{r.rota.name}</Text>
            <Badge variant="light" size="sm">{KIND_LABELS[r.rota.kind]}</Badge>
          </Group>
          {r.onDuty.length ? r.onDuty.map((d) => (
            <Text key={d.userId + d.since} size="sm" data-testid="on-duty-person">
              <strong>{d.displayName}</strong>{d.region ? ` (${d.region})` : ''} until {t(d.until)}{d.source !== 'rota' ? ` · ${d.source}` : ''}
            </Text>
          )) : (
            <Text size="sm" c="red" data-testid="nobody-on-duty">Nobody on duty{r.nextCoverAt ? ` until ${t(r.nextCoverAt)}` : ''}</Text>
          )}
        </Card>
      ))}
    </SimpleGrid>
  );
}

export function OncallPage() {
  const me = useMe();
  const client = useQueryClient();
  const manager = hasPermission(me, 'oncall.manage');
  const now = useQuery({ queryKey: [...ONCALL_KEY, 'now'], queryFn: () => api.get<OnDutyNow>('/oncall/now'), refetchInterval: 60_000 });
  const rotas = useQuery({ queryKey: [...ONCALL_KEY, 'rotas'], queryFn: () => api.get<Answer<'oncall.rotas.list'>>('/oncall/rotas') });
  const [picked, setPicked] = useState<string | null>(null);
  const rota = rotas.data?.items.find((r) => r.id === picked) ?? rotas.data?.items[0];
  const [monday, setMonday] = useState(() => weekStart(new Date()));
  const sunday = new Date(monday.getFullYear(), monday.getMonth(), monday.getDate() + 7);
  const shifts = useQuery({
    queryKey: [...ONCALL_KEY, 'shifts', rota?.id, monday.toISOString()],
    queryFn: () => api.get<Shifts>(`/oncall/rotas/${rota!.id}/shifts${qs({ from: monday.toISOString(), to: sunday.toISOString() })}`),
    enabled: !!rota,
  });
  const swaps = useQuery({ queryKey: [...ONCALL_KEY, 'swaps', rota?.id], queryFn: () => api.get<Answer<'oncall.swaps.list'>>(`/oncall/rotas/${rota!.id}/swaps`), enabled: !!rota });
  const overrides = useQuery({ queryKey: [...ONCALL_KEY, 'overrides', rota?.id], queryFn: () => api.get<Answer<'oncall.overrides.list'>>(`/oncall/rotas/${rota!.id}/overrides`), enabled: !!rota });
  const [confirmModal, confirm] = useConfirm();
  const [editing, setEditing] = useState<Rota | 'new' | null>(null);
  const [overriding, setOverriding] = useState(false);
  const [swapping, setSwapping] = useState<Shift | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: ONCALL_KEY });
  const move = (days: number) => setMonday(new Date(monday.getFullYear(), monday.getMonth(), monday.getDate() + days));
  const order = rota ? rota.people.map((p) => p.id) : [];
  const canSwap = (s: Shift) => manager || s.userId === me.user.id;

  return (
    <Stack gap="lg">
      <PageHeader title="On-call" description="Who covers the clock: business hours, a duty officer, 24/7 shifts or follow-the-sun."
        actions={manager && <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')} data-testid="rota-new">New rota</Button>} />
      <Section title="On duty now">
        <ErrorAlert error={now.error} />
        <NowPanel now={now.data} />
      </Section>
      {rota && (
        <Section title="Calendar" actions={manager && (
          <Group gap="xs">
            <Button size="xs" variant="default" leftSection={<IconPencil size={14} />} onClick={() => setEditing(rota)} data-testid="rota-edit">Edit rota</Button>
            <Button size="xs" variant="default" onClick={() => setOverriding(true)} data-testid="override-new">Add override</Button>
            <Button size="xs" variant="default" color="red" data-testid="rota-delete" onClick={() => confirm({
              title: 'Delete rota', confirmLabel: 'Delete rota', danger: true,
              message: <>Delete <strong>{rota.name}</strong> with its overrides and swaps? The audit trail keeps what it was.</>,
              onConfirm: async () => { await api.del(`/oncall/rotas/${rota.id}?version=${rota.version}`); setPicked(null); await refresh(); },
            })}>Delete</Button>
          </Group>
        )}>
          <Stack gap="sm">
            {rotas.data!.items.length > 1 && (
              <SegmentedControl data={rotas.data!.items.map((r) => ({ value: r.id, label: r.name }))} value={rota.id} onChange={setPicked} data-testid="rota-picker" />
            )}
            <Group justify="space-between">
              <Group gap="xs">
                <Button size="xs" variant="default" onClick={() => move(-7)} aria-label="Previous week" data-testid="week-prev"><IconChevronLeft size={14} /></Button>
                <Button size="xs" variant="default" onClick={() => setMonday(weekStart(new Date()))}>This week</Button>
                <Button size="xs" variant="default" onClick={() => move(7)} aria-label="Next week" data-testid="week-next"><IconChevronRight size={14} /></Button>
                <Title order={5} data-testid="week-label">{monday.toLocaleDateString([], { day: 'numeric', month: 'short', year: 'numeric' })} – {new Date(sunday.getTime() - 1).toLocaleDateString([], { day: 'numeric', month: 'short' })}</Title>
              </Group>
              <Text size="xs" c="dimmed" data-testid="zone-note">Times in your zone ({viewerZone}); the rota runs on {rota.timeZone} time · {KIND_LABELS[rota.pattern.kind]}</Text>
            </Group>
            {rota.warnings.map((w) => (
              <Alert key={w.kind} color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} data-testid="rota-warning">
                {w.kind === 'gap' ? 'Nobody covers' : 'Two regions overlap'} {t(w.first.start)}–{t(w.first.end)}, and {w.occurrences - 1} more time{w.occurrences === 2 ? '' : 's'} in the coming year:
                the regions' daylight-saving changes fall on different dates. Add an override or adjust the hours.
              </Alert>
            ))}
            <ErrorAlert error={shifts.error} />
            {shifts.data && (
              <>
                <WeekCalendar monday={monday} shifts={shifts.data.shifts} uncovered={shifts.data.uncovered} memberOrder={order} myId={me.user.id}
                  onShiftClick={(s) => canSwap(s) && setSwapping(s)} />
                <Legend people={rota.people} order={order} />
              </>
            )}
          </Stack>
        </Section>
      )}
      {rota && (
        <Section title="Overrides" description="Someone else covers a period, whoever the rota says.">
          <OverrideList rota={rota} overrides={overrides.data?.items ?? []} manager={manager} onChanged={refresh} />
        </Section>
      )}
      {rota && (
        <Section title="Swaps" description="Click one of your own shifts in the calendar to ask someone to take it.">
          <SwapList rota={rota} swaps={swaps.data?.items ?? []} myId={me.user.id} manager={manager} onChanged={refresh} />
        </Section>
      )}
      {confirmModal}
      {editing && (
        <RotaForm key={editing === 'new' ? 'new' : editing.id} rota={editing === 'new' ? null : editing} opened onClose={() => setEditing(null)}
          onSaved={(r) => { setEditing(null); setPicked(r.id); void refresh(); }} />
      )}
      {rota && overriding && <OverrideModal rota={rota} opened onClose={() => setOverriding(false)} onSaved={() => { setOverriding(false); void refresh(); }} />}
      {rota && <SwapModal key={swapping?.start ?? 'none'} rota={rota} shift={swapping} onClose={() => setSwapping(null)} onSaved={() => { setSwapping(null); void refresh(); }} />}
    </Stack>
  );
}
