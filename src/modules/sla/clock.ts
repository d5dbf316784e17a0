// SLA clock engine: working time under a 24x7 or business-hours calendar in an IANA time zone,
// deadlines, pauses and the state of a clock. Pure functions over epoch instants; no I/O.
//
// Choices:
// - Business hours are one window per working day, [start, end) in local wall-clock time, each end
//   turned into an instant with localToUtc (src/lib/tz.ts) so a window on a daylight-saving day has
//   its real length (a 01:00-04:00 window is 2 h on the spring-forward day, 4 h on the fall-back day).
//   A window whose start lands after its end because of the skipped hour (02:30-03:00 in Berlin on
//   the last Sunday of March) is empty. `end` may be '24:00' (local midnight at the end of the day).
// - workingMs(from, to) is 0 when to <= from (never negative).
// - addWorkingMs(cal, from, 0) returns the next working instant at or after `from` (from itself when
//   inside a window, else the next opening); a positive amount that ends exactly at a window's close
//   returns that close (17:00), not the next opening.
// - slaClock: remainingMs = target - elapsed, negative when overdue. The deadline is the instant the
//   elapsed working time reaches the target given the pauses recorded so far; breach is elapsed >
//   target, so breachedAt is that same instant. Breach is final: a breached clock that is then paused
//   stays 'breached'. A pause whose `to` is in the future counts as open until then. Pauses starting
//   after min(now, metAt) are ignored; open pauses of a met clock end at metAt.

import type { SlaCalendarValue } from '../../db/schema.ts';
import { addDays, isTimeZone, localDate, localToUtc, minutesOf, weekday } from '../../lib/tz.ts';

/** A calendar as SLA policies store it (src/db/schema-sla.ts). */
export type SlaCalendar = SlaCalendarValue;

export interface SlaPause { from: Date; to: Date | null }

export interface SlaClockInput {
  startedAt: Date;
  targetMinutes: number;
  pauses: SlaPause[];
  metAt: Date | null;
}

export type SlaState = 'running' | 'paused' | 'met' | 'breached' | 'met_late';

export interface SlaClock {
  state: SlaState;
  elapsedMs: number;
  /** target - elapsed; negative when overdue. */
  remainingMs: number;
  /** When the target is (or was) reached; null while paused. */
  deadline: Date | null;
  breachedAt: Date | null;
  /** When `fraction` of the target is (or was) used; null when a pause makes it unknown. */
  warnAt(fraction: number): Date | null;
  /** warnAt(0.8). */
  warningAt: Date | null;
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Searching for working time gives up after this many local days without any (20 years). */
const MAX_DAYS = 366 * 20;

/** Problems with a calendar, as human-readable strings; empty when it is usable. */
export function validateCalendar(c: SlaCalendar): string[] {
  const problems: string[] = [];
  if (c.kind !== '24x7' && c.kind !== 'business_hours') problems.push(`unknown calendar kind: ${String(c.kind)}`);
  if (!isTimeZone(c.timeZone)) problems.push(`unknown time zone: ${c.timeZone}`);
  const seen = new Set<string>();
  for (const h of c.holidays) {
    const valid = DATE.test(h) && new Date(`${h}T00:00:00Z`).toISOString().slice(0, 10) === h;
    if (!valid) problems.push(`invalid holiday date: ${h}`);
    else if (seen.has(h)) problems.push(`duplicate holiday date: ${h}`);
    seen.add(h);
  }
  if (c.kind !== 'business_hours') return problems;
  if (!HHMM.test(c.start)) problems.push(`invalid start time: ${c.start}`);
  if (!HHMM.test(c.end) && c.end !== '24:00') problems.push(`invalid end time: ${c.end}`);
  else if (HHMM.test(c.start) && minutesOf(c.end) <= minutesOf(c.start)) problems.push(`end ${c.end} is not after start ${c.start}`);
  if (c.days.length === 0) problems.push('no working days');
  const days = new Set<number>();
  for (const d of c.days) {
    if (!Number.isInteger(d) || d < 1 || d > 7) problems.push(`invalid weekday: ${d}`);
    else if (days.has(d)) problems.push(`duplicate weekday: ${d}`);
    days.add(d);
  }
  return problems;
}

/** The working window [start, end) of a local date as instants, or null on a day off. */
function windowOf(cal: SlaCalendar, date: string): [number, number] | null {
  if (!cal.days.includes(weekday(date)) || cal.holidays.includes(date)) return null;
  const s = localToUtc(cal.timeZone, date, minutesOf(cal.start));
  const e = localToUtc(cal.timeZone, date, minutesOf(cal.end));
  return e > s ? [s, e] : null;
}

/** Milliseconds of working time in [from, to); 0 when to <= from. */
export function workingMs(cal: SlaCalendar, from: Date | number, to: Date | number): number {
  const a = +from;
  const b = +to;
  if (!(b > a)) return 0;
  if (cal.kind === '24x7') return b - a;
  // Start a day early and stop a day late: a window belongs to its local date, and the dates of the
  // two instants are read in the zone, so neighbouring dates cover any edge case cheaply.
  const last = addDays(localDate(cal.timeZone, b), 1);
  let total = 0;
  for (let date = addDays(localDate(cal.timeZone, a), -1); date <= last; date = addDays(date, 1)) {
    const w = windowOf(cal, date);
    if (w) total += Math.max(0, Math.min(b, w[1]) - Math.max(a, w[0]));
  }
  return total;
}

/**
 * The instant at which `ms` of working time have passed after `from`: the deadline. Starting outside
 * hours counts from the next opening; 0 ms gives the next working instant at or after `from`.
 * workingMs(cal, from, addWorkingMs(cal, from, x)) === x for every x >= 0.
 */
export function addWorkingMs(cal: SlaCalendar, from: Date | number, ms: number): Date {
  const a = +from;
  if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`working time must be a finite amount >= 0: ${ms}`);
  if (cal.kind === '24x7') return new Date(a + ms);
  let remaining = ms;
  let date = addDays(localDate(cal.timeZone, a), -1);
  for (let i = 0; i < MAX_DAYS; i++, date = addDays(date, 1)) {
    const w = windowOf(cal, date);
    if (!w || w[1] <= a) continue;
    const start = Math.max(a, w[0]);
    const available = w[1] - start;
    if (remaining <= available) return new Date(start + remaining);
    remaining -= available;
  }
  throw new RangeError('the calendar has no working time in the next 20 years');
}

/** Sorted, merged pauses as [from, to) instant pairs (to may be Infinity). */
function mergePauses(pauses: [number, number][]): [number, number][] {
  const sorted = pauses.filter(([f, t]) => t > f).sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [f, t] of sorted) {
    const top = merged[merged.length - 1];
    if (top && f <= top[1]) top[1] = Math.max(top[1], t);
    else merged.push([f, t]);
  }
  return merged;
}

/** The state of an SLA clock at `now`. */
export function slaClock(cal: SlaCalendar, input: SlaClockInput, now: Date): SlaClock {
  const started = +input.startedAt;
  const nowMs = +now;
  const met = input.metAt !== null && +input.metAt <= nowMs;
  const end = met ? Math.max(started, +input.metAt!) : Math.max(started, nowMs);
  const target = input.targetMinutes * 60_000;

  // Pauses that began before the end, clipped to begin no earlier than the start; an open pause runs
  // forever, or until metAt once the clock is met.
  const pauses = mergePauses(
    input.pauses
      .filter((p) => +p.from < end)
      .map((p): [number, number] => {
        const to = p.to === null ? Infinity : +p.to;
        return [Math.max(started, +p.from), met ? Math.min(to, end) : to];
      }),
  );

  let paused = 0;
  for (const [f, t] of pauses) paused += workingMs(cal, f, Math.min(t, end));
  const elapsedMs = workingMs(cal, started, end) - paused;

  // The instant at which `x` of unpaused working time have passed since the start.
  const instantAt = (x: number): Date | null => {
    let cursor = started;
    let remaining = x;
    for (const [f, t] of pauses) {
      if (f > cursor) {
        const w = workingMs(cal, cursor, f);
        if (remaining <= w) return addWorkingMs(cal, cursor, remaining);
        remaining -= w;
      }
      cursor = Math.max(cursor, t);
      if (cursor === Infinity) return null;
    }
    return addWorkingMs(cal, cursor, remaining);
  };

  const pausedNow = !met && pauses.some(([f, t]) => f <= nowMs && nowMs < t);
  const state: SlaState = met
    ? elapsedMs > target ? 'met_late' : 'met'
    : elapsedMs > target ? 'breached' : pausedNow ? 'paused' : 'running';
  const overdue = elapsedMs > target;
  const deadline = state === 'paused' ? null : instantAt(target);

  const warnAt = (fraction: number): Date | null => {
    const x = Math.max(0, target * fraction);
    if (x < elapsedMs) return instantAt(x); // already passed: known whatever the pauses
    return state === 'paused' ? null : instantAt(x);
  };

  return {
    state,
    elapsedMs,
    remainingMs: target - elapsedMs,
    deadline,
    breachedAt: overdue ? instantAt(target) : null,
    warnAt,
    warningAt: warnAt(0.8),
  };
}
