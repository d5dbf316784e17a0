import { describe, expect, it } from 'vitest';
import { Pattern, patternProblems } from './pattern.ts';
import { computeShifts, onDuty, overlapping, uncovered, type RotaSpec } from './schedule.ts';
import { isTimeZone, localToUtc } from '../../lib/tz.ts';

const Z = (iso: string) => Date.parse(iso);
const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

describe('local time to UTC', () => {
  it('converts ordinary times with the offset of the season', () => {
    expect(iso(localToUtc('Europe/Berlin', '2026-01-15', 9 * 60))).toBe('2026-01-15T08:00:00Z');
    expect(iso(localToUtc('Europe/Berlin', '2026-07-01', 9 * 60))).toBe('2026-07-01T07:00:00Z');
    expect(iso(localToUtc('America/New_York', '2026-01-15', 9 * 60))).toBe('2026-01-15T14:00:00Z');
    expect(iso(localToUtc('Asia/Singapore', '2026-01-15', 8 * 60))).toBe('2026-01-15T00:00:00Z');
  });
  it('moves a time in the skipped hour forward by the gap', () => {
    // Berlin 2026-03-29 02:30 does not exist; it reads as 03:30 CEST.
    expect(iso(localToUtc('Europe/Berlin', '2026-03-29', 150))).toBe('2026-03-29T01:30:00Z');
    expect(iso(localToUtc('America/New_York', '2026-03-08', 150))).toBe('2026-03-08T07:30:00Z');
  });
  it('takes the first of a repeated hour', () => {
    expect(iso(localToUtc('Europe/Berlin', '2026-10-25', 150))).toBe('2026-10-25T00:30:00Z');
    expect(iso(localToUtc('America/New_York', '2026-11-01', 90))).toBe('2026-11-01T05:30:00Z');
  });
  it('counts minutes past midnight into the next days', () => {
    expect(iso(localToUtc('Europe/Berlin', '2026-03-28', 1440 + 6 * 60))).toBe('2026-03-29T04:00:00Z');
  });
  it('knows IANA zones and refuses others', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('+02:00')).toBe(false);
  });
});

const p = (x: unknown) => Pattern.parse(x);
const M = ['a', 'b', 'c', 'd'];

describe('24x7 shifts in Europe/Berlin', () => {
  const rota: RotaSpec = {
    timeZone: 'Europe/Berlin', members: M, anchorDate: '2026-03-01',
    pattern: p({ kind: 'shifts_24x7', shifts: [{ start: '22:00', end: '06:00' }, { start: '06:00', end: '14:00' }, { start: '14:00', end: '22:00' }] }),
  };
  it('makes the night shift into the spring change 7 hours and into the autumn change 9 hours', () => {
    const spring = computeShifts(rota, Z('2026-03-28T21:00:00Z'), Z('2026-03-28T21:00:01Z'));
    expect(spring.map((s) => [iso(s.start), iso(s.end), (s.end - s.start) / H])).toEqual([['2026-03-28T21:00:00Z', '2026-03-29T04:00:00Z', 7]]);
    const autumn = computeShifts(rota, Z('2026-10-24T20:00:00Z'), Z('2026-10-24T20:00:01Z'));
    expect(autumn.map((s) => [iso(s.start), iso(s.end), (s.end - s.start) / H])).toEqual([['2026-10-24T20:00:00Z', '2026-10-25T05:00:00Z', 9]]);
  });
  it('rotates members through consecutive shifts from the anchor date', () => {
    // 2026-03-28 is 27 days after the anchor: its shifts are numbers 81, 82, 83 → b, c, d.
    const day = computeShifts(rota, Z('2026-03-28T05:00:00Z'), Z('2026-03-28T21:00:00Z'));
    expect(day.map((s) => [iso(s.start), s.userId])).toEqual([['2026-03-28T05:00:00Z', 'b'], ['2026-03-28T13:00:00Z', 'c']]);
    expect(onDuty(computeShifts(rota, Z('2026-03-28T23:00:00Z'), Z('2026-03-29T00:00:00Z')), Z('2026-03-28T23:00:00Z')).map((s) => s.userId)).toEqual(['d']);
    // The anchor date's first shift goes to the first member.
    expect(computeShifts(rota, Z('2026-03-01T06:00:00Z'), Z('2026-03-01T06:00:01Z'))[0]!.userId).toBe('a');
  });
  it('leaves nothing uncovered across a week with both kinds of change', () => {
    for (const [from, to] of [['2026-03-25T00:00:00Z', '2026-04-01T00:00:00Z'], ['2026-10-22T00:00:00Z', '2026-10-29T00:00:00Z']] as const) {
      const s = computeShifts(rota, Z(from), Z(to));
      expect(uncovered(s, Z(from), Z(to))).toEqual([]);
      expect(overlapping(s, Z(from), Z(to))).toEqual([]);
    }
  });
});

describe('a weekly duty officer in America/New_York', () => {
  const rota: RotaSpec = { timeZone: 'America/New_York', members: ['a', 'b', 'c'], anchorDate: '2026-03-02', pattern: p({ kind: 'duty_officer', handover: 'weekly', handoverTime: '09:00', handoverDay: 1 }) };
  it('hands over on Mondays at 09:00 local, so the week of the change lasts 167 hours', () => {
    const s = computeShifts(rota, Z('2026-03-03T00:00:00Z'), Z('2026-03-10T00:00:00Z'));
    expect(s.map((x) => [iso(x.start), iso(x.end), x.userId])).toEqual([
      ['2026-03-02T14:00:00Z', '2026-03-09T13:00:00Z', 'a'],
      ['2026-03-09T13:00:00Z', '2026-03-16T13:00:00Z', 'b'],
    ]);
    expect((s[0]!.end - s[0]!.start) / H).toBe(167);
  });
  it('counts backwards before the anchor too', () => {
    const s = computeShifts(rota, Z('2026-02-24T00:00:00Z'), Z('2026-02-24T00:00:01Z'));
    expect(s.map((x) => [iso(x.start), x.userId])).toEqual([['2026-02-23T14:00:00Z', 'c']]);
  });
});

describe('business hours in Europe/Berlin', () => {
  const rota: RotaSpec = { timeZone: 'Europe/Berlin', members: ['a', 'b'], anchorDate: '2026-11-02', pattern: p({ kind: 'business_hours', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', rotation: 'daily' }) };
  it('covers working days only and hands each working day to the next member', () => {
    const from = Z('2026-11-06T00:00:00Z');
    const to = Z('2026-11-10T00:00:00Z');
    const s = computeShifts(rota, from, to);
    expect(s.map((x) => [iso(x.start), iso(x.end), x.userId])).toEqual([
      ['2026-11-06T08:00:00Z', '2026-11-06T16:00:00Z', 'a'], // Friday: working day 4
      ['2026-11-09T08:00:00Z', '2026-11-09T16:00:00Z', 'b'], // Monday: working day 5
    ]);
    expect(onDuty(s, Z('2026-11-07T12:00:00Z'))).toEqual([]);
    expect(uncovered(s, from, to).map((g) => [iso(g.start), iso(g.end)])).toEqual([
      ['2026-11-06T00:00:00Z', '2026-11-06T08:00:00Z'], ['2026-11-06T16:00:00Z', '2026-11-09T08:00:00Z'], ['2026-11-09T16:00:00Z', '2026-11-10T00:00:00Z'],
    ]);
  });
});

describe('follow the sun across Asia/Singapore, Europe/Berlin and America/New_York', () => {
  // Member ids are plain strings here (the API requires uuids); no defaults to fill in.
  const pattern = ({
    kind: 'follow_the_sun', regions: [
      { name: 'APAC', timeZone: 'Asia/Singapore', start: '08:00', end: '16:00', members: ['s1', 's2'] },
      { name: 'EMEA', timeZone: 'Europe/Berlin', start: '09:00', end: '17:00', members: ['e1'] },
      { name: 'AMER', timeZone: 'America/New_York', start: '11:00', end: '19:00', members: ['n1', 'n2'] },
    ],
  }) as Pattern;
  const rota: RotaSpec = { timeZone: 'Europe/Berlin', members: [], anchorDate: '2026-01-12', pattern };
  it('is valid in winter, when the three windows tile the UTC day', () => {
    expect(patternProblems(pattern, 'Europe/Berlin', [], '2026-01-12')).toEqual([]);
  });
  it('hands the day from region to region', () => {
    const s = computeShifts(rota, Z('2026-01-14T00:00:00Z'), Z('2026-01-15T00:00:00Z'));
    const at = (t: string) => onDuty(s, Z(t)).map((x) => `${x.region}:${x.userId}`);
    expect(at('2026-01-14T03:00:00Z')).toEqual(['APAC:s1']); // day 2 after the anchor
    expect(at('2026-01-14T12:00:00Z')).toEqual(['EMEA:e1']);
    expect(at('2026-01-14T20:00:00Z')).toEqual(['AMER:n1']);
    expect(uncovered(s, Z('2026-01-14T00:00:00Z'), Z('2026-01-15T00:00:00Z'))).toEqual([]);
  });
  it('shows the overlap and the gap while New York is on summer time and Berlin not yet', () => {
    const from = Z('2026-03-16T00:00:00Z');
    const to = Z('2026-03-17T00:00:00Z');
    const s = computeShifts(rota, from, to);
    expect(onDuty(s, Z('2026-03-16T15:30:00Z')).map((x) => x.region)).toEqual(['EMEA', 'AMER']);
    expect(overlapping(s, from, to).map((g) => [iso(g.start), iso(g.end)])).toEqual([['2026-03-16T15:00:00Z', '2026-03-16T16:00:00Z']]);
    expect(uncovered(s, from, to).map((g) => [iso(g.start), iso(g.end)])).toEqual([['2026-03-16T23:00:00Z', '2026-03-17T00:00:00Z']]);
  });
  it('names a gap in UTC and in the rota\'s local time', () => {
    const gappy = { ...pattern, regions: pattern.kind === 'follow_the_sun' ? [pattern.regions[0]!, { ...pattern.regions[1]!, end: '16:00' }, pattern.regions[2]!] : [] } as Pattern;
    expect(patternProblems(gappy, 'Europe/Berlin', [], '2026-01-12')).toEqual([
      { path: 'pattern.regions', code: 'gap', message: 'no region covers 15:00–16:00 UTC (16:00–17:00 Europe/Berlin) on 2026-01-12' },
    ]);
  });
});

describe('pattern validation', () => {
  const shifts = (s: [string, string][]) => p({ kind: 'shifts_24x7', shifts: s.map(([start, end]) => ({ start, end })) });
  it('names a gap between shifts in local time and UTC', () => {
    expect(patternProblems(shifts([['06:00', '14:00'], ['14:00', '21:00'], ['22:00', '06:00']]), 'Europe/Berlin', M, '2026-01-12')).toEqual([
      { path: 'pattern.shifts', code: 'gap', message: 'nobody is on shift 21:00–22:00 Europe/Berlin (20:00–21:00 UTC on 2026-01-12)' },
    ]);
  });
  it('names an overlap of shifts', () => {
    expect(patternProblems(shifts([['06:00', '14:30'], ['14:00', '22:00'], ['22:00', '06:00']]), 'America/New_York', M, '2026-07-01')).toEqual([
      { path: 'pattern.shifts', code: 'overlap', message: 'shifts overlap 14:00–14:30 America/New_York (18:00–18:30 UTC on 2026-07-01)' },
    ]);
  });
  it('accepts shifts that tile the day, across midnight too', () => {
    expect(patternProblems(shifts([['22:00', '06:00'], ['06:00', '14:00'], ['14:00', '22:00']]), 'Europe/Berlin', M, '2026-01-12')).toEqual([]);
  });
  it('refuses unknown zones and empty member lists', () => {
    const bh = p({ kind: 'business_hours', days: [1], start: '09:00', end: '17:00' });
    expect(patternProblems(bh, 'Europe/Atlantis', M, '2026-01-12').map((x) => x.code)).toEqual(['time_zone']);
    expect(patternProblems(bh, 'Europe/Berlin', [], '2026-01-12').map((x) => x.code)).toEqual(['members']);
  });
});
