// Rota patterns (how a team covers the clock, ENISA guide 2.3.4) and their validation.
import { z } from 'zod';
import { hhmm, isTimeZone, localToUtc, minutesOf, offsetAt } from '../../lib/tz.ts';

export const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time HH:MM (00:00–23:59)');
const Weekday = z.number().int().min(1).max(7).describe('ISO weekday: 1 = Monday … 7 = Sunday');
const Zone = z.string().min(1).max(64).describe('an IANA time zone, e.g. Europe/Berlin');
const Uuid = z.uuid();

export const Pattern = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('business_hours'),
    days: z.array(Weekday).min(1).max(7).describe('working days'),
    start: HHMM, end: HHMM,
    rotation: z.enum(['daily', 'weekly']).default('weekly').describe('the next member takes over each working day, or each week'),
  }).describe('covered only on working days between start and end; the rest is uncovered by design'),
  z.object({
    kind: z.literal('duty_officer'),
    handover: z.enum(['daily', 'weekly']),
    handoverTime: HHMM,
    handoverDay: Weekday.default(1).describe('weekly handover: on this weekday'),
  }).describe('one person on duty around the clock'),
  z.object({
    kind: z.literal('shifts_24x7'),
    shifts: z.array(z.object({ start: HHMM, end: HHMM })).min(1).max(12)
      .describe('local start and end of each shift of a day; together exactly 24 hours, no overlap, no gap; end <= start runs past midnight'),
  }).describe('shifts around the clock, consecutive shifts taken by consecutive members'),
  z.object({
    kind: z.literal('follow_the_sun'),
    regions: z.array(z.object({
      name: z.string().trim().min(1).max(60),
      timeZone: Zone,
      start: HHMM, end: HHMM,
      members: z.array(Uuid).min(1).max(50),
    })).min(2).max(6),
  }).describe('regions in their own zones, each covering its local working hours, together the whole day; a region\'s members take its days in turn'),
]);
export type Pattern = z.infer<typeof Pattern>;
export type PatternKind = Pattern['kind'];

export interface PatternProblem { path: string; message: string; code: 'time_zone' | 'members' | 'gap' | 'overlap' | 'window' }

interface Interval { start: number; end: number }

/** Runs of minutes of a day (0..1439) covered zero times (gaps) or more than once (overlaps). */
function coverageProblems(windows: Interval[]): { gaps: Interval[]; overlaps: Interval[] } {
  const count = new Array<number>(1440).fill(0);
  for (const w of windows) {
    const len = (((w.end - w.start) % 1440) + 1440) % 1440 || 1440;
    for (let i = 0; i < len; i++) count[(((w.start + i) % 1440) + 1440) % 1440]! += 1;
  }
  const runs = (pred: (n: number) => boolean): Interval[] => {
    const out: Interval[] = [];
    // Start scanning at a minute outside any run so a run across midnight stays one run.
    const first = count.findIndex((n) => !pred(n));
    if (first < 0) return [{ start: 0, end: 1440 }];
    for (let k = 0; k < 1440; k++) {
      const i = (first + k) % 1440;
      if (!pred(count[i]!)) continue;
      const last = out[out.length - 1];
      if (last && last.end === first + k) last.end += 1;
      else out.push({ start: first + k, end: first + k + 1 });
    }
    return out.map((r) => ({ start: r.start % 1440, end: r.end % 1440 }));
  };
  return { gaps: runs((n) => n === 0), overlaps: runs((n) => n > 1) };
}

/**
 * What is wrong with a pattern for a rota in `timeZone` anchored at `anchorDate`: unknown zones,
 * empty member lists, and for 24x7 and follow-the-sun patterns the first gaps and overlaps, named
 * in the rota's local time and in UTC (on the anchor date).
 */
export function patternProblems(p: Pattern, timeZone: string, members: readonly string[], anchorDate: string): PatternProblem[] {
  const problems: PatternProblem[] = [];
  if (!isTimeZone(timeZone)) problems.push({ path: 'timeZone', code: 'time_zone', message: `unknown time zone "${timeZone}" (use an IANA name such as Europe/Berlin)` });
  if (p.kind === 'follow_the_sun') {
    p.regions.forEach((r, i) => {
      if (!isTimeZone(r.timeZone)) problems.push({ path: `pattern.regions.${i}.timeZone`, code: 'time_zone', message: `unknown time zone "${r.timeZone}"` });
      if (r.start === r.end) problems.push({ path: `pattern.regions.${i}`, code: 'window', message: 'a region\'s start and end must differ' });
    });
  } else if (members.length === 0) {
    problems.push({ path: 'members', code: 'members', message: 'a rota needs at least one member' });
  }
  if (p.kind === 'business_hours' && minutesOf(p.end) <= minutesOf(p.start)) {
    problems.push({ path: 'pattern.end', code: 'window', message: 'business hours end after they start, on the same day' });
  }
  if (problems.length) return problems;

  const utcLabel = (zone: string, m: number) => hhmm(Math.round((localToUtc(zone, anchorDate, m) - Date.parse(`${anchorDate}T00:00:00Z`)) / 60_000));
  if (p.kind === 'shifts_24x7') {
    const windows = p.shifts.map((s) => ({ start: minutesOf(s.start), end: minutesOf(s.end) }));
    if (p.shifts.some((s) => s.start === s.end)) problems.push({ path: 'pattern.shifts', code: 'window', message: 'a shift\'s start and end must differ' });
    const { gaps, overlaps } = coverageProblems(windows);
    for (const g of gaps) problems.push({ path: 'pattern.shifts', code: 'gap', message: `nobody is on shift ${hhmm(g.start)}–${hhmm(g.end)} ${timeZone} (${utcLabel(timeZone, g.start)}–${utcLabel(timeZone, g.end)} UTC on ${anchorDate})` });
    for (const o of overlaps) problems.push({ path: 'pattern.shifts', code: 'overlap', message: `shifts overlap ${hhmm(o.start)}–${hhmm(o.end)} ${timeZone} (${utcLabel(timeZone, o.start)}–${utcLabel(timeZone, o.end)} UTC on ${anchorDate})` });
  }
  if (p.kind === 'follow_the_sun') {
    // In UTC minutes of the anchor date: where each region's local window falls.
    const base = Date.parse(`${anchorDate}T00:00:00Z`);
    const windows = p.regions.map((r) => {
      const s = localToUtc(r.timeZone, anchorDate, minutesOf(r.start));
      const e = localToUtc(r.timeZone, anchorDate, minutesOf(r.end) + (minutesOf(r.end) <= minutesOf(r.start) ? 1440 : 0));
      return { start: Math.round((s - base) / 60_000), end: Math.round((e - base) / 60_000) };
    });
    const local = (utcMin: number) => hhmm(Math.round((utcMin * 60_000 + base + offsetAt(timeZone, base + utcMin * 60_000)) / 60_000) % 1440);
    const { gaps, overlaps } = coverageProblems(windows);
    for (const g of gaps) problems.push({ path: 'pattern.regions', code: 'gap', message: `no region covers ${hhmm(g.start)}–${hhmm(g.end)} UTC (${local(g.start)}–${local(g.end)} ${timeZone}) on ${anchorDate}` });
    for (const o of overlaps) problems.push({ path: 'pattern.regions', code: 'overlap', message: `regions overlap ${hhmm(o.start)}–${hhmm(o.end)} UTC (${local(o.start)}–${local(o.end)} ${timeZone}) on ${anchorDate}` });
  }
  return problems;
}

/** Every member named by a pattern and rota: the rota's own list, or the regions' lists. */
export function membersOf(p: Pattern, members: readonly string[]): string[] {
  return p.kind === 'follow_the_sun' ? [...new Set(p.regions.flatMap((r) => r.members))] : [...new Set(members)];
}
