// The shifts of a rota between two instants, and who is on duty at an instant: pure functions.
import type { Pattern } from './pattern.ts';
import { addDays, daysBetween, localDate, localToUtc, minutesOf, weekday } from '../../lib/tz.ts';

export interface RotaSpec {
  timeZone: string;
  pattern: Pattern;
  /** Ordered members (unused by follow-the-sun, whose regions have their own). */
  members: readonly string[];
  /** Rotation counts from this local date (YYYY-MM-DD, in the rota's zone; a region's own zone for follow-the-sun). */
  anchorDate: string;
}

export interface Shift {
  start: number;
  end: number;
  /** Who is on duty. */
  userId: string;
  /** Who the rota put there (differs after a swap or an override). */
  scheduledUserId: string | null;
  source: 'rota' | 'swap' | 'override';
  region: string | null;
  overrideId: string | null;
  swapId: string | null;
}

export interface OverrideSpec { id: string; userId: string; startsAt: number; endsAt: number }
/** An accepted swap: the shift of `fromUserId` that starts at `shiftStart` goes to `toUserId`. */
export interface SwapSpec { id: string; shiftStart: number; fromUserId: string; toUserId: string }
export interface Interval { start: number; end: number }

const mod = (n: number, m: number) => ((n % m) + m) % m;

/** Working days (weekday in `days`) from the anchor up to but not including `date`; negative before it. */
function workingDayIndex(anchor: string, date: string, days: readonly number[]): number {
  const n = daysBetween(anchor, date);
  const weeks = Math.floor(n / 7);
  let count = weeks * new Set(days).size;
  for (let i = 0; i < n - weeks * 7; i++) if (days.includes(weekday(addDays(anchor, i)))) count += 1;
  return count;
}

function datesCovering(timeZone: string, from: number, to: number, before: number): string[] {
  const first = addDays(localDate(timeZone, from), -before);
  const last = addDays(localDate(timeZone, to), 1);
  const out: string[] = [];
  for (let d = first; d <= last; d = addDays(d, 1)) out.push(d);
  return out;
}

/** The shifts the pattern makes (before swaps and overrides) that overlap [from, to). */
export function rotaShifts(rota: RotaSpec, from: number, to: number): Shift[] {
  const { pattern: p, timeZone: tz, members, anchorDate: anchor } = rota;
  const out: Shift[] = [];
  const add = (start: number, end: number, userId: string | undefined, region: string | null = null) => {
    if (userId && end > from && start < to && end > start) out.push({ start, end, userId, scheduledUserId: userId, source: 'rota', region, overrideId: null, swapId: null });
  };
  const who = (i: number) => members[mod(i, members.length)];
  if (p.kind === 'business_hours') {
    for (const d of datesCovering(tz, from, to, 1)) {
      if (!p.days.includes(weekday(d))) continue;
      const i = p.rotation === 'weekly' ? Math.floor(daysBetween(anchor, d) / 7) : workingDayIndex(anchor, d, p.days);
      add(localToUtc(tz, d, minutesOf(p.start)), localToUtc(tz, d, minutesOf(p.end)), who(i));
    }
  } else if (p.kind === 'duty_officer') {
    const t = minutesOf(p.handoverTime);
    for (const d of datesCovering(tz, from, to, 8)) {
      if (p.handover === 'daily') add(localToUtc(tz, d, t), localToUtc(tz, addDays(d, 1), t), who(daysBetween(anchor, d)));
      else if (weekday(d) === p.handoverDay) add(localToUtc(tz, d, t), localToUtc(tz, addDays(d, 7), t), who(Math.floor(daysBetween(anchor, d) / 7)));
    }
  } else if (p.kind === 'shifts_24x7') {
    const shifts = [...p.shifts].sort((a, b) => minutesOf(a.start) - minutesOf(b.start));
    for (const d of datesCovering(tz, from, to, 1)) {
      shifts.forEach((s, k) => {
        const a = minutesOf(s.start);
        const b = minutesOf(s.end) + (minutesOf(s.end) <= a ? 1440 : 0);
        add(localToUtc(tz, d, a), localToUtc(tz, d, b), who(daysBetween(anchor, d) * shifts.length + k));
      });
    }
  } else {
    for (const r of p.regions) {
      const a = minutesOf(r.start);
      const b = minutesOf(r.end) + (minutesOf(r.end) <= a ? 1440 : 0);
      for (const d of datesCovering(r.timeZone, from, to, 1)) {
        add(localToUtc(r.timeZone, d, a), localToUtc(r.timeZone, d, b), r.members[mod(daysBetween(anchor, d), r.members.length)], r.name);
      }
    }
  }
  return out.sort((x, y) => x.start - y.start || x.end - y.end);
}

/** Accepted swaps hand a member's shift (matched by its start) to another member. */
export function applySwaps(shifts: Shift[], swaps: readonly SwapSpec[]): Shift[] {
  return shifts.map((s) => {
    const w = swaps.find((x) => x.shiftStart === s.start && x.fromUserId === s.userId);
    return w ? { ...s, userId: w.toUserId, source: 'swap' as const, swapId: w.id } : s;
  });
}

/** Overrides replace whoever the rota (or a swap) put on duty for their period, and cover uncovered time too. */
export function applyOverrides(shifts: Shift[], overrides: readonly OverrideSpec[], from: number, to: number): Shift[] {
  let out = shifts;
  for (const o of overrides) {
    out = out.flatMap((s) => {
      if (s.end <= o.startsAt || s.start >= o.endsAt) return [s];
      const parts: Shift[] = [];
      if (s.start < o.startsAt) parts.push({ ...s, end: o.startsAt });
      if (s.end > o.endsAt) parts.push({ ...s, start: o.endsAt });
      return parts;
    });
  }
  for (const o of overrides) {
    if (o.endsAt > from && o.startsAt < to) {
      out.push({ start: o.startsAt, end: o.endsAt, userId: o.userId, scheduledUserId: null, source: 'override', region: null, overrideId: o.id, swapId: null });
    }
  }
  return out.sort((x, y) => x.start - y.start || x.end - y.end);
}

/** The shifts of a rota overlapping [from, to), with accepted swaps and overrides applied. */
export function computeShifts(rota: RotaSpec, from: number, to: number, swaps: readonly SwapSpec[] = [], overrides: readonly OverrideSpec[] = []): Shift[] {
  return applyOverrides(applySwaps(rotaShifts(rota, from, to), swaps), overrides, from, to);
}

/** Stretches of [from, to) that no shift covers. */
export function uncovered(shifts: readonly Interval[], from: number, to: number): Interval[] {
  const gaps: Interval[] = [];
  let at = from;
  for (const s of [...shifts].sort((a, b) => a.start - b.start)) {
    if (s.start > at) gaps.push({ start: at, end: Math.min(s.start, to) });
    at = Math.max(at, s.end);
    if (at >= to) break;
  }
  if (at < to) gaps.push({ start: at, end: to });
  return gaps.filter((g) => g.end > g.start);
}

/** Stretches of [from, to) that two or more shifts cover at once. */
export function overlapping(shifts: readonly Interval[], from: number, to: number): Interval[] {
  const edges = shifts.flatMap((s) => [{ t: Math.max(s.start, from), d: 1 }, { t: Math.min(s.end, to), d: -1 }]).filter((e) => e.t <= to);
  edges.sort((a, b) => a.t - b.t || a.d - b.d);
  const out: Interval[] = [];
  let n = 0;
  let since = 0;
  for (const e of edges) {
    const was = n;
    n += e.d;
    if (was < 2 && n >= 2) since = e.t;
    if (was >= 2 && n < 2 && e.t > since) {
      const last = out[out.length - 1];
      if (last && last.end === since) last.end = e.t;
      else out.push({ start: since, end: e.t });
    }
  }
  return out;
}

/** Who is on duty at an instant: the shifts that contain it. */
export function onDuty(shifts: readonly Shift[], at: number): Shift[] {
  return shifts.filter((s) => s.start <= at && at < s.end);
}
