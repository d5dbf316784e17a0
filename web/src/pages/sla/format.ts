// SLA policies in words: targets in human units, calendars in one line, time zones and times checked
// as the server will check them.
import { timeZones } from '../../api/oncall';
import type { SlaCalendar } from './slaApi';

export const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** 'HH:MM' → minutes after midnight; '24:00' is the end of the day; null when malformed. */
export function minutesOfDay(t: string, allowEnd = false): number | null {
  if (allowEnd && t === '24:00') return 1440;
  if (!HHMM.test(t)) return null;
  return Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
}

/** Working minutes in one working day of the calendar: 24 h around the clock, else end − start (8 h when unreadable). */
export function dayLength(c: SlaCalendar): number {
  if (c.kind === '24x7') return 1440;
  const s = minutesOfDay(c.start);
  const e = minutesOfDay(c.end, true);
  return s !== null && e !== null && e > s ? e - s : 480;
}

/** Working minutes in words: 15 min, 4 h, 1 d 6 h, where a day is one working day of `perDay` minutes. */
export function formatMinutes(minutes: number, perDay = 1440): string {
  const d = Math.floor(minutes / perDay);
  const rest = minutes - d * perDay;
  const h = Math.floor(rest / 60);
  const m = rest % 60;
  const parts = [d ? `${d} d` : '', h ? `${h} h` : '', m ? `${m} min` : ''].filter(Boolean);
  return parts.length ? parts.join(' ') : '0 min';
}

/** ISO weekdays as "Mon–Fri", "Mon, Wed, Fri" or "Mon–Wed, Sat". */
export function daysText(days: number[]): string {
  const sorted = [...new Set(days)].filter((d) => d >= 1 && d <= 7).sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const d of sorted) {
    const last = runs[runs.length - 1];
    if (last && d === last[1] + 1) last[1] = d;
    else runs.push([d, d]);
  }
  const name = (d: number) => WEEKDAY_NAMES[d - 1];
  return runs.map(([a, b]) => (a === b ? name(a) : b === a + 1 ? `${name(a)}, ${name(b)}` : `${name(a)}–${name(b)}`)).join(', ') || 'no days';
}

/** "24x7 UTC" (holidays do not apply around the clock) or "Mon–Fri 09:00–17:00 Europe/Berlin, 3 holidays". */
export function calendarText(c: SlaCalendar): string {
  if (c.kind === '24x7') return `24x7 ${c.timeZone}`;
  const holidays = c.holidays.length ? `, ${c.holidays.length} holiday${c.holidays.length === 1 ? '' : 's'}` : '';
  return `${daysText(c.days)} ${c.start}–${c.end} ${c.timeZone}${holidays}`;
}

let zoneSet: Set<string> | null = null;
/** Every IANA zone the browser lists, plus UTC (which Intl.supportedValuesOf leaves out). */
export function knownZones(): Set<string> {
  zoneSet ??= new Set(['UTC', ...timeZones()]);
  return zoneSet;
}

/** What is wrong with a calendar before it is sent (the server checks the same and says so too). */
export function calendarProblems(c: SlaCalendar, keepZone?: string): { timeZone?: string; start?: string; end?: string; days?: string } {
  const out: { timeZone?: string; start?: string; end?: string; days?: string } = {};
  const zone = c.timeZone.trim();
  if (!zone) out.timeZone = 'Choose a time zone';
  else if (zone !== keepZone && !knownZones().has(zone)) out.timeZone = `Unknown time zone: ${zone}. Use an IANA name such as Europe/Berlin.`;
  if (c.kind === '24x7') return out;
  const s = minutesOfDay(c.start);
  const e = minutesOfDay(c.end, true);
  if (s === null) out.start = 'HH:MM, e.g. 09:00';
  if (e === null) out.end = 'HH:MM, e.g. 17:00 (24:00 for midnight)';
  else if (s !== null && e <= s) out.end = 'Must be after the start';
  if (c.days.length === 0) out.days = 'Choose at least one working day';
  return out;
}

/** Today as the server reads agreement dates (UTC). */
export const todayUtc = () => new Date().toISOString().slice(0, 10);
