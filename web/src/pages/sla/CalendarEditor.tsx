// The calendar of an SLA policy: around the clock, or business hours on some weekdays in a time
// zone, without the holidays listed.
import { useState } from 'react';
import { ActionIcon, Autocomplete, Badge, Button, Checkbox, Group, Input, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { IconPlus, IconX } from '@tabler/icons-react';
import { calendarProblems, knownZones, WEEKDAY_NAMES } from './format';
import type { CalendarKind, SlaCalendar } from './slaApi';

export function CalendarEditor({ value, onChange, keepZone }: {
  value: SlaCalendar;
  onChange: (c: SlaCalendar) => void;
  /** The zone the policy was stored with: accepted even when this browser does not list it. */
  keepZone?: string;
}) {
  const [holiday, setHoliday] = useState('');
  const set = (p: Partial<SlaCalendar>) => onChange({ ...value, ...p });
  const problems = calendarProblems(value, keepZone);
  const zones = [...knownZones()];
  const business = value.kind === 'business_hours';
  const validHoliday = /^\d{4}-\d{2}-\d{2}$/.test(holiday) && !value.holidays.includes(holiday);

  const addHoliday = () => {
    if (!validHoliday) return;
    set({ holidays: [...value.holidays, holiday].sort() });
    setHoliday('');
  };

  return (
    <Stack gap="sm" data-testid="sla-calendar">
      <Group align="flex-start" gap="lg" wrap="wrap">
        <Input.Wrapper label="Calendar">
          <SegmentedControl display="flex" mt={4} value={value.kind} onChange={(v) => set({ kind: v as CalendarKind })} data-testid="sla-calendar-kind"
            data={[{ value: '24x7', label: 'Around the clock' }, { value: 'business_hours', label: 'Business hours' }]} />
        </Input.Wrapper>
        <Autocomplete label="Time zone" style={{ flex: 1, minWidth: 220 }} data={zones} limit={30} value={value.timeZone}
          onChange={(v) => set({ timeZone: v })} error={problems.timeZone} placeholder="e.g. Europe/Berlin" data-testid="sla-timezone"
          comboboxProps={{ withinPortal: true }} />
      </Group>
      {business && (
        <>
          <Group align="flex-start" gap="lg" wrap="wrap">
            <Checkbox.Group label="Working days" value={value.days.map(String)} error={problems.days}
              onChange={(v) => set({ days: v.map(Number).sort((a, b) => a - b) })}>
              <Group gap="sm" mt={8}>
                {WEEKDAY_NAMES.map((d, i) => <Checkbox key={d} value={String(i + 1)} label={d} data-testid={`sla-day-${i + 1}`} />)}
              </Group>
            </Checkbox.Group>
            <TextInput label="From" w={100} value={value.start} onChange={(e) => set({ start: e.currentTarget.value.trim() })}
              error={problems.start} placeholder="09:00" data-testid="sla-start" />
            <TextInput label="Until" w={100} value={value.end} onChange={(e) => set({ end: e.currentTarget.value.trim() })}
              error={problems.end} placeholder="17:00" data-testid="sla-end" />
          </Group>
          <Text size="xs" c="dimmed">Local time in the zone above, so daylight-saving changes follow the clock on the wall. Use 24:00 for midnight.</Text>
          <Input.Wrapper label="Holidays" description="Local dates without business hours">
            <Group gap="xs" mt={6} align="center">
              <TextInput type="date" w={170} value={holiday} onChange={(e) => setHoliday(e.currentTarget.value)} aria-label="Holiday date"
                onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); addHoliday(); } }} data-testid="sla-holiday-date" />
              <Button size="xs" variant="light" leftSection={<IconPlus size={14} />} disabled={!validHoliday} onClick={addHoliday} data-testid="sla-holiday-add">Add</Button>
              {value.holidays.length === 0 && <Text size="xs" c="dimmed">none</Text>}
              {value.holidays.map((h) => (
                <Badge key={h} variant="light" color="gray" size="lg" tt="none" fw={500} data-testid="sla-holiday" pr={4}
                  rightSection={(
                    <ActionIcon size="xs" variant="transparent" color="gray" aria-label={`Remove ${h}`}
                      onClick={() => set({ holidays: value.holidays.filter((x) => x !== h) })}><IconX size={12} /></ActionIcon>
                  )}>{h}</Badge>
              ))}
            </Group>
          </Input.Wrapper>
        </>
      )}
    </Stack>
  );
}
