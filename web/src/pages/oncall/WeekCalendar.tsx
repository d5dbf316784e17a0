// A week of a rota: days as columns (in the viewer's time zone), shifts as coloured blocks per
// person, uncovered time hatched red.
import { Box, Group, Text, Tooltip } from '@mantine/core';
import type { Shift } from '../../api/oncall';

const HOUR_PX = 22;
const COLORS = ['#228be6', '#12b886', '#fab005', '#be4bdb', '#fd7e14', '#15aabf', '#82c91e', '#e64980', '#4c6ef5', '#40c057'];

/** A stable colour per person. */
export function colorOf(userId: string, order: string[]): string {
  const i = order.indexOf(userId);
  return COLORS[(i >= 0 ? i : order.length) % COLORS.length]!;
}

const time = (d: Date) => d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
const day = (d: Date) => d.toLocaleDateString([], { weekday: 'short', day: 'numeric', month: 'short' });

/** Monday 00:00 (viewer's time) of the week holding `d`. */
export function weekStart(d: Date): Date {
  const s = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  s.setDate(s.getDate() - ((s.getDay() + 6) % 7));
  return s;
}

interface Block { start: Date; end: Date }

/** Pieces of [start, end) within each of the 7 days from `monday` (local midnights, so DST days have 23 or 25 hours). */
function perDay<T extends Block>(items: T[], monday: Date): { day: number; top: number; height: number; item: T }[] {
  const out: { day: number; top: number; height: number; item: T }[] = [];
  for (let i = 0; i < 7; i++) {
    const d0 = new Date(monday.getFullYear(), monday.getMonth(), monday.getDate() + i);
    const d1 = new Date(monday.getFullYear(), monday.getMonth(), monday.getDate() + i + 1);
    for (const it of items) {
      const s = Math.max(it.start.getTime(), d0.getTime());
      const e = Math.min(it.end.getTime(), d1.getTime());
      if (e <= s) continue;
      const hours = (t: number) => (t - d0.getTime()) / 3_600_000;
      out.push({ day: i, top: hours(s) * HOUR_PX, height: Math.max((hours(e) - hours(s)) * HOUR_PX, 2), item: it });
    }
  }
  return out;
}

export function WeekCalendar({ monday, shifts, uncovered, memberOrder, myId, onShiftClick }: {
  monday: Date;
  shifts: Shift[];
  uncovered: { start: string; end: string }[];
  memberOrder: string[];
  myId: string;
  onShiftClick?: (s: Shift) => void;
}) {
  const blocks = perDay(shifts.map((s) => ({ ...s, start: new Date(s.start), end: new Date(s.end), raw: s })), monday);
  const gaps = perDay(uncovered.map((g) => ({ start: new Date(g.start), end: new Date(g.end) })), monday);
  const days = Array.from({ length: 7 }, (_, i) => new Date(monday.getFullYear(), monday.getMonth(), monday.getDate() + i));
  const height = 24 * HOUR_PX;
  return (
    <Box data-testid="oncall-calendar" style={{ display: 'grid', gridTemplateColumns: '48px repeat(7, 1fr)', gap: 2 }}>
      <div />
      {days.map((d) => <Text key={d.toISOString()} size="sm" fw={600} ta="center">{day(d)}</Text>)}
      <Box style={{ position: 'relative', height }}>
        {Array.from({ length: 24 }, (_, h) => h % 3 === 0 && (
          <Text key={h} size="xs" c="dimmed" style={{ position: 'absolute', top: h * HOUR_PX - 6, right: 4 }}>{String(h).padStart(2, '0')}:00</Text>
        ))}
      </Box>
      {days.map((d, i) => (
        <Box key={d.toISOString()} style={{ position: 'relative', height, background: 'var(--mantine-color-gray-0)', borderLeft: '1px solid var(--mantine-color-gray-3)' }}>
          {Array.from({ length: 8 }, (_, k) => <div key={k} style={{ position: 'absolute', top: k * 3 * HOUR_PX, left: 0, right: 0, borderTop: '1px dashed var(--mantine-color-gray-3)' }} />)}
          {gaps.filter((g) => g.day === i).map((g) => (
            <Tooltip key={`g${g.top}`} label={`Nobody on duty ${time(g.item.start)}–${time(g.item.end)}`}>
              <div data-testid="oncall-uncovered" style={{
                position: 'absolute', top: g.top, height: g.height, left: 0, right: 0, opacity: 0.55,
                background: 'repeating-linear-gradient(45deg, var(--mantine-color-red-2), var(--mantine-color-red-2) 4px, transparent 4px, transparent 8px)',
              }} />
            </Tooltip>
          ))}
          {blocks.filter((b) => b.day === i).map((b, k, all) => {
            // Overlapping blocks of the same day (follow-the-sun drift) sit side by side.
            const lanes = all.filter((o) => o.top < b.top + b.height && b.top < o.top + o.height);
            const lane = lanes.indexOf(b);
            const s = b.item.raw;
            const mine = s.userId === myId;
            return (
              <Tooltip key={`${s.start}-${s.userId}-${k}`} multiline w={240} label={
                <>
                  <div>{s.displayName}{s.region ? ` (${s.region})` : ''}</div>
                  <div>{time(b.item.start)}–{time(b.item.end)}{s.source !== 'rota' ? ` · ${s.source}` : ''}</div>
                  {mine && onShiftClick && s.source === 'rota' && <div>Click to ask someone to take this shift</div>}
                </>
              }>
                <Box
                  data-testid="oncall-shift"
                  data-user={s.userId}
                  data-source={s.source}
                  onClick={onShiftClick && s.source === 'rota' ? () => onShiftClick(s) : undefined}
                  style={{
                    position: 'absolute', top: b.top, height: b.height, left: `${(lane / lanes.length) * 100}%`, width: `${100 / lanes.length}%`,
                    background: colorOf(s.userId, memberOrder), color: 'white', borderRadius: 4, padding: '1px 4px', overflow: 'hidden',
                    fontSize: 11, lineHeight: 1.2, cursor: onShiftClick && s.source === 'rota' ? 'pointer' : 'default',
                    border: s.source === 'override' ? '2px dashed var(--mantine-color-text)' : s.source === 'swap' ? '2px solid var(--mantine-color-text)' : mine ? '2px solid #fff' : 'none',
                    boxSizing: 'border-box',
                  }}
                >
                  {b.height >= 14 && <span>{s.displayName}</span>}
                  {b.height >= 28 && <div style={{ opacity: 0.9 }}>{time(b.item.start)}–{time(b.item.end)}</div>}
                </Box>
              </Tooltip>
            );
          })}
        </Box>
      ))}
    </Box>
  );
}

export function Legend({ people, order }: { people: { id: string; displayName: string }[]; order: string[] }) {
  return (
    <Group gap="md">
      {people.map((p) => (
        <Group key={p.id} gap={4}><div style={{ width: 12, height: 12, borderRadius: 3, background: colorOf(p.id, order) }} /><Text size="xs">{p.displayName}</Text></Group>
      ))}
      <Group gap={4}><div style={{ width: 12, height: 12, background: 'var(--mantine-color-red-2)' }} /><Text size="xs">nobody on duty</Text></Group>
      <Group gap={4}><div style={{ width: 12, height: 12, border: '2px dashed var(--mantine-color-text)' }} /><Text size="xs">override</Text></Group>
      <Group gap={4}><div style={{ width: 12, height: 12, border: '2px solid var(--mantine-color-text)' }} /><Text size="xs">swap</Text></Group>
    </Group>
  );
}
