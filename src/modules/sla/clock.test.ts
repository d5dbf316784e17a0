import { describe, expect, it } from 'vitest';
import { addWorkingMs, slaClock, validateCalendar, workingMs, type SlaCalendar, type SlaClockInput } from './clock.ts';

// Instants are written with their local offset so the arithmetic is visible:
// Berlin is +01:00 (CET) in winter and +02:00 (CEST) in summer; New York is -05:00 (EST) / -04:00 (EDT).
// 2026: Wed 14 Jan, Fri 16 Jan, Mon 19 Jan; Berlin changes on Sun 29 Mar and Sun 25 Oct (01:00 UTC);
// New York on Sun 8 Mar and Sun 1 Nov (02:00 local).
const t = (iso: string) => new Date(iso);
const H = 3_600_000;
const M = 60_000;

const berlin: SlaCalendar = { kind: 'business_hours', timeZone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', holidays: [] };
const newYork: SlaCalendar = { ...berlin, timeZone: 'America/New_York' };
const berlin24: SlaCalendar = { kind: '24x7', timeZone: 'Europe/Berlin', days: [], start: '00:00', end: '00:00', holidays: [] };
const newYork24: SlaCalendar = { ...berlin24, timeZone: 'America/New_York' };

describe('validateCalendar', () => {
  it('accepts good calendars', () => {
    expect(validateCalendar(berlin)).toEqual([]);
    expect(validateCalendar(berlin24)).toEqual([]);
    expect(validateCalendar({ ...berlin, end: '24:00', holidays: ['2026-12-25', '2026-12-26'] })).toEqual([]);
  });

  it('lists every problem', () => {
    expect(validateCalendar({ ...berlin, timeZone: 'Mars/Olympus' })).toEqual(['unknown time zone: Mars/Olympus']);
    expect(validateCalendar({ ...berlin, timeZone: '+02:00' })).toEqual(['unknown time zone: +02:00']);
    expect(validateCalendar({ ...berlin, start: '9:00', end: '25:00' })).toEqual(['invalid start time: 9:00', 'invalid end time: 25:00']);
    expect(validateCalendar({ ...berlin, start: '17:00', end: '09:00' })).toEqual(['end 09:00 is not after start 17:00']);
    expect(validateCalendar({ ...berlin, start: '09:00', end: '09:00' })).toEqual(['end 09:00 is not after start 09:00']);
    expect(validateCalendar({ ...berlin, days: [] })).toEqual(['no working days']);
    expect(validateCalendar({ ...berlin, days: [0, 1, 1, 8] })).toEqual(['invalid weekday: 0', 'duplicate weekday: 1', 'invalid weekday: 8']);
    expect(validateCalendar({ ...berlin, holidays: ['2026-02-30', '2026-1-01', '2026-12-25', '2026-12-25'] }))
      .toEqual(['invalid holiday date: 2026-02-30', 'invalid holiday date: 2026-1-01', 'duplicate holiday date: 2026-12-25']);
    // 24x7 ignores days and hours, but still needs a zone and clean holiday dates.
    expect(validateCalendar({ ...berlin24, timeZone: 'Nowhere', holidays: ['x'] })).toEqual(['unknown time zone: Nowhere', 'invalid holiday date: x']);
  });
});

describe('workingMs and addWorkingMs on business hours (Berlin, Mon-Fri 09:00-17:00)', () => {
  it('counts only the window at its boundaries', () => {
    // 07:00 -> 10:30: the window opens at 09:00, so 1 h 30.
    expect(workingMs(berlin, t('2026-01-14T07:00+01:00'), t('2026-01-14T10:30+01:00'))).toBe(1.5 * H);
    // 16:00 -> 19:00: closes at 17:00, so 1 h.
    expect(workingMs(berlin, t('2026-01-14T16:00+01:00'), t('2026-01-14T19:00+01:00'))).toBe(1 * H);
    // exactly 09:00 -> 17:00: 8 h; 06:00 -> 20:00 also 8 h.
    expect(workingMs(berlin, t('2026-01-14T09:00+01:00'), t('2026-01-14T17:00+01:00'))).toBe(8 * H);
    expect(workingMs(berlin, t('2026-01-14T06:00+01:00'), t('2026-01-14T20:00+01:00'))).toBe(8 * H);
    // 17:00 -> next day 09:00: none. A reversed range is 0, not negative.
    expect(workingMs(berlin, t('2026-01-14T17:00+01:00'), t('2026-01-15T09:00+01:00'))).toBe(0);
    expect(workingMs(berlin, t('2026-01-14T12:00+01:00'), t('2026-01-14T10:00+01:00'))).toBe(0);
    // Wed 12:00 -> Thu 12:00: 5 h (12-17) + 3 h (09-12) = 8 h.
    expect(workingMs(berlin, t('2026-01-14T12:00+01:00'), t('2026-01-15T12:00+01:00'))).toBe(8 * H);
  });

  it('finds deadlines from inside and outside the window', () => {
    // 07:00 + 1 h: counting starts at 09:00, so 10:00.
    expect(addWorkingMs(berlin, t('2026-01-14T07:00+01:00'), H)).toEqual(t('2026-01-14T10:00+01:00'));
    // 16:00 + 1 h ends exactly at the close: 17:00, not the next morning.
    expect(addWorkingMs(berlin, t('2026-01-14T16:00+01:00'), H)).toEqual(t('2026-01-14T17:00+01:00'));
    // 16:00 + 1 h 01 min: 1 h today, 1 min from Thursday 09:00.
    expect(addWorkingMs(berlin, t('2026-01-14T16:00+01:00'), H + M)).toEqual(t('2026-01-15T09:01+01:00'));
    // 0 ms: inside the window it is `from`; at or after the close it is the next opening.
    expect(addWorkingMs(berlin, t('2026-01-14T12:00+01:00'), 0)).toEqual(t('2026-01-14T12:00+01:00'));
    expect(addWorkingMs(berlin, t('2026-01-14T17:00+01:00'), 0)).toEqual(t('2026-01-15T09:00+01:00'));
    expect(addWorkingMs(berlin, t('2026-01-14T09:00+01:00'), 0)).toEqual(t('2026-01-14T09:00+01:00'));
    expect(() => addWorkingMs(berlin, t('2026-01-14T09:00+01:00'), -1)).toThrow(RangeError);
  });

  it('skips weekends', () => {
    // Friday 16:00 + 2 h: 1 h on Friday (16-17), Saturday and Sunday none, 1 h on Monday -> Monday 10:00.
    expect(addWorkingMs(berlin, t('2026-01-16T16:00+01:00'), 2 * H)).toEqual(t('2026-01-19T10:00+01:00'));
    expect(workingMs(berlin, t('2026-01-16T16:00+01:00'), t('2026-01-19T10:00+01:00'))).toBe(2 * H);
    expect(workingMs(berlin, t('2026-01-17T00:00+01:00'), t('2026-01-19T00:00+01:00'))).toBe(0);
    // Saturday 11:00 + 30 min -> Monday 09:30.
    expect(addWorkingMs(berlin, t('2026-01-17T11:00+01:00'), 30 * M)).toEqual(t('2026-01-19T09:30+01:00'));
  });

  it('skips holidays', () => {
    const cal = { ...berlin, holidays: ['2026-01-19'] };
    // Monday 19 is off: Friday 16:00 + 2 h -> Tuesday 20 Jan 10:00.
    expect(addWorkingMs(cal, t('2026-01-16T16:00+01:00'), 2 * H)).toEqual(t('2026-01-20T10:00+01:00'));
    // Friday 16:00 -> Tuesday 12:00: 1 h (Fri) + 3 h (Tue 09-12) = 4 h.
    expect(workingMs(cal, t('2026-01-16T16:00+01:00'), t('2026-01-20T12:00+01:00'))).toBe(4 * H);
    // Christmas week: Thu 24 Dec 16:00 + 2 h with 24-26 Dec off: 0 on Thu (holiday), Fri 25 holiday,
    // weekend, Mon 28 Dec 09:00-11:00 -> Monday 11:00.
    const xmas = { ...berlin, holidays: ['2026-12-24', '2026-12-25', '2026-12-26'] };
    expect(addWorkingMs(xmas, t('2026-12-24T16:00+01:00'), 2 * H)).toEqual(t('2026-12-28T11:00+01:00'));
  });
});

describe('daylight-saving changes', () => {
  it('24x7 in Berlin counts real hours across both changes', () => {
    // Sat 28 Mar 12:00 CET (11:00Z) + 24 h = Sun 29 Mar 11:00Z = 13:00 CEST.
    expect(addWorkingMs(berlin24, t('2026-03-28T12:00+01:00'), 24 * H)).toEqual(t('2026-03-29T13:00+02:00'));
    // Sat 24 Oct 12:00 CEST (10:00Z) + 24 h = Sun 25 Oct 10:00Z = 11:00 CET.
    expect(addWorkingMs(berlin24, t('2026-10-24T12:00+02:00'), 24 * H)).toEqual(t('2026-10-25T11:00+01:00'));
    // Local midnight to midnight: 23 h on 29 Mar, 25 h on 25 Oct.
    expect(workingMs(berlin24, t('2026-03-29T00:00+01:00'), t('2026-03-30T00:00+02:00'))).toBe(23 * H);
    expect(workingMs(berlin24, t('2026-10-25T00:00+02:00'), t('2026-10-26T00:00+01:00'))).toBe(25 * H);
  });

  it('a Sunday window in Berlin has its real length on change days', () => {
    const sundayDay: SlaCalendar = { ...berlin, days: [7] };
    // 09:00-17:00 is 8 h on both change days (the change happens at night).
    expect(workingMs(sundayDay, t('2026-03-29T00:00+01:00'), t('2026-03-30T00:00+02:00'))).toBe(8 * H);
    expect(workingMs(sundayDay, t('2026-10-25T00:00+02:00'), t('2026-10-26T00:00+01:00'))).toBe(8 * H);
    // Sun 29 Mar 09:00 CEST + 8 h = 17:00 CEST.
    expect(addWorkingMs(sundayDay, t('2026-03-29T09:00+02:00'), 8 * H)).toEqual(t('2026-03-29T17:00+02:00'));

    const night: SlaCalendar = { ...berlin, days: [7], start: '01:00', end: '04:00' };
    // Normal Sunday: 3 h. 29 Mar: 01:00 CET (00:00Z) -> 04:00 CEST (02:00Z) = 2 h.
    // 25 Oct: 01:00 CEST (23:00Z Sat) -> 04:00 CET (03:00Z) = 4 h.
    expect(workingMs(night, t('2026-03-22T00:00+01:00'), t('2026-03-23T00:00+01:00'))).toBe(3 * H);
    expect(workingMs(night, t('2026-03-29T00:00+01:00'), t('2026-03-30T00:00+02:00'))).toBe(2 * H);
    expect(workingMs(night, t('2026-10-25T00:00+02:00'), t('2026-10-26T00:00+01:00'))).toBe(4 * H);
    // 29 Mar from 00:00 + 90 min: opens 00:00Z, + 1 h 30 = 01:30Z = 03:30 CEST.
    expect(addWorkingMs(night, t('2026-03-29T00:00+01:00'), 90 * M)).toEqual(t('2026-03-29T03:30+02:00'));
    // 25 Oct from 00:00 + 3 h 30: opens 23:00Z, + 3 h 30 = 02:30Z = 03:30 CET (after the repeat).
    expect(addWorkingMs(night, t('2026-10-25T00:00+02:00'), 3.5 * H)).toEqual(t('2026-10-25T03:30+01:00'));

    // 02:30-03:00 lies in the skipped hour on 29 Mar: 02:30 reads as 03:30 CEST, after 03:00 CEST,
    // so the window is empty that day; a normal Sunday has 30 min.
    const gap: SlaCalendar = { ...berlin, days: [7], start: '02:30', end: '03:00' };
    expect(workingMs(gap, t('2026-03-29T00:00+01:00'), t('2026-03-30T00:00+02:00'))).toBe(0);
    expect(workingMs(gap, t('2026-03-22T00:00+01:00'), t('2026-03-23T00:00+01:00'))).toBe(30 * M);
    // and 30 min from Sat 28 Mar lands at the end of the next window: Sun 5 Apr 03:00 CEST.
    expect(addWorkingMs(gap, t('2026-03-28T12:00+01:00'), 30 * M)).toEqual(t('2026-04-05T03:00+02:00'));
  });

  it('America/New_York business hours and 24x7 across both changes', () => {
    // Fri 6 Mar 16:00 EST + 2 h: 1 h Friday, 1 h Monday 9 Mar (now EDT) -> 10:00 EDT (14:00Z).
    expect(addWorkingMs(newYork, t('2026-03-06T16:00-05:00'), 2 * H)).toEqual(t('2026-03-09T10:00-04:00'));
    // The same span is 65 h of wall time (Fri 21:00Z -> Mon 14:00Z) but 2 h of work.
    expect(workingMs(newYork, t('2026-03-06T16:00-05:00'), t('2026-03-09T10:00-04:00'))).toBe(2 * H);
    expect(workingMs(newYork24, t('2026-03-06T16:00-05:00'), t('2026-03-09T10:00-04:00'))).toBe(65 * H);
    // Fri 30 Oct 16:00 EDT + 2 h -> Mon 2 Nov 10:00 EST (15:00Z).
    expect(addWorkingMs(newYork, t('2026-10-30T16:00-04:00'), 2 * H)).toEqual(t('2026-11-02T10:00-05:00'));
    // Monday 9 Mar 09:00-17:00 EDT is still 8 h.
    expect(workingMs(newYork, t('2026-03-09T00:00-04:00'), t('2026-03-10T00:00-04:00'))).toBe(8 * H);
    // 24x7: Sat 7 Mar 12:00 EST (17:00Z) + 24 h = Sun 17:00Z = 13:00 EDT.
    expect(addWorkingMs(newYork24, t('2026-03-07T12:00-05:00'), 24 * H)).toEqual(t('2026-03-08T13:00-04:00'));
  });
});

describe('slaClock', () => {
  // Started Wed 14 Jan 09:00 Berlin, 4 h target, business hours.
  const base: SlaClockInput = { startedAt: t('2026-01-14T09:00+01:00'), targetMinutes: 240, pauses: [], metAt: null };

  it('runs, then is breached after the deadline', () => {
    // now 11:00: 2 h used, 2 h left, deadline 13:00, 80 % (3 h 12) at 12:12.
    const c = slaClock(berlin, base, t('2026-01-14T11:00+01:00'));
    expect(c).toMatchObject({ state: 'running', elapsedMs: 2 * H, remainingMs: 2 * H, deadline: t('2026-01-14T13:00+01:00'), breachedAt: null });
    expect(c.warningAt).toEqual(t('2026-01-14T12:12+01:00'));
    expect(c.warnAt(0.5)).toEqual(t('2026-01-14T11:00+01:00'));
    // Exactly at the deadline: 4 h used, not yet over.
    expect(slaClock(berlin, base, t('2026-01-14T13:00+01:00'))).toMatchObject({ state: 'running', remainingMs: 0, breachedAt: null });
    // 14:00: 5 h used, 1 h over.
    expect(slaClock(berlin, base, t('2026-01-14T14:00+01:00')))
      .toMatchObject({ state: 'breached', elapsedMs: 5 * H, remainingMs: -H, breachedAt: t('2026-01-14T13:00+01:00') });
  });

  it('does not count outside hours: started in the evening, deadline next morning', () => {
    // Wed 20:00 + 1 h -> Thu 10:00; at 23:00 nothing is used yet.
    const c = slaClock(berlin, { ...base, startedAt: t('2026-01-14T20:00+01:00'), targetMinutes: 60 }, t('2026-01-14T23:00+01:00'));
    expect(c).toMatchObject({ state: 'running', elapsedMs: 0, remainingMs: H, deadline: t('2026-01-15T10:00+01:00') });
  });

  it('is met on time or late', () => {
    // met at 12:30: 3 h 30 used of 4 h.
    expect(slaClock(berlin, { ...base, metAt: t('2026-01-14T12:30+01:00') }, t('2026-01-15T12:00+01:00')))
      .toMatchObject({ state: 'met', elapsedMs: 3.5 * H, remainingMs: 0.5 * H, deadline: t('2026-01-14T13:00+01:00'), breachedAt: null });
    // met at 15:00: 6 h used, 2 h late, breached at 13:00.
    expect(slaClock(berlin, { ...base, metAt: t('2026-01-14T15:00+01:00') }, t('2026-01-15T12:00+01:00')))
      .toMatchObject({ state: 'met_late', elapsedMs: 6 * H, remainingMs: -2 * H, breachedAt: t('2026-01-14T13:00+01:00') });
    // metAt after now is not met yet: at 12:00, 3 h used.
    expect(slaClock(berlin, { ...base, metAt: t('2026-01-14T12:30+01:00') }, t('2026-01-14T12:00+01:00')))
      .toMatchObject({ state: 'running', elapsedMs: 3 * H });
  });

  it('pauses inside a window stop the clock', () => {
    // paused 10:00-11:00; now 12:00: 3 h - 1 h = 2 h used. Deadline 09:00 + 4 h + 1 h paused = 14:00.
    // 80 % = 192 min: 60 min (09-10), then 132 min from 11:00 -> 13:12.
    const c = slaClock(berlin, { ...base, pauses: [{ from: t('2026-01-14T10:00+01:00'), to: t('2026-01-14T11:00+01:00') }] }, t('2026-01-14T12:00+01:00'));
    expect(c).toMatchObject({ state: 'running', elapsedMs: 2 * H, remainingMs: 2 * H, deadline: t('2026-01-14T14:00+01:00') });
    expect(c.warningAt).toEqual(t('2026-01-14T13:12+01:00'));
  });

  it('pauses across windows, merged when they overlap, count only their working time', () => {
    // Started Wed 15:00; paused Wed 16:00 -> Thu 10:00; now Thu 11:00.
    // Working: Wed 15-17 (2 h) + Thu 09-11 (2 h) = 4 h; paused working: Wed 16-17 + Thu 09-10 = 2 h; used 2 h.
    // Deadline: 1 h Wed (15-16), 3 h from Thu 10:00 -> Thu 13:00.
    const input = { ...base, startedAt: t('2026-01-14T15:00+01:00') };
    const expected = { state: 'running', elapsedMs: 2 * H, remainingMs: 2 * H, deadline: t('2026-01-15T13:00+01:00') };
    const now = t('2026-01-15T11:00+01:00');
    expect(slaClock(berlin, { ...input, pauses: [{ from: t('2026-01-14T16:00+01:00'), to: t('2026-01-15T10:00+01:00') }] }, now)).toMatchObject(expected);
    // The same span as three overlapping pauses, listed out of order (one wholly overnight).
    expect(slaClock(berlin, {
      ...input,
      pauses: [
        { from: t('2026-01-15T09:00+01:00'), to: t('2026-01-15T10:00+01:00') },
        { from: t('2026-01-14T20:00+01:00'), to: t('2026-01-15T08:00+01:00') },
        { from: t('2026-01-14T16:00+01:00'), to: t('2026-01-15T09:30+01:00') },
      ],
    }, now)).toMatchObject(expected);
    // A pause that began before the clock started counts from the start only: paused 14:00-16:00,
    // started 15:00 -> 1 h paused; now 17:00: 2 h - 1 h = 1 h used.
    expect(slaClock(berlin, { ...input, pauses: [{ from: t('2026-01-14T14:00+01:00'), to: t('2026-01-14T16:00+01:00') }] }, t('2026-01-14T17:00+01:00')))
      .toMatchObject({ elapsedMs: H, remainingMs: 3 * H });
  });

  it('an open pause means paused, without a deadline', () => {
    // Paused since 11:00, still open at 15:00: 2 h used, 2 h left, no deadline, 80 % not reached.
    const c = slaClock(berlin, { ...base, pauses: [{ from: t('2026-01-14T11:00+01:00'), to: null }] }, t('2026-01-14T15:00+01:00'));
    expect(c).toMatchObject({ state: 'paused', elapsedMs: 2 * H, remainingMs: 2 * H, deadline: null, breachedAt: null, warningAt: null });
    // 25 % (1 h) was reached at 10:00, before the pause.
    expect(c.warnAt(0.25)).toEqual(t('2026-01-14T10:00+01:00'));
    // A pause that has a later end but covers now is also paused.
    expect(slaClock(berlin, { ...base, pauses: [{ from: t('2026-01-14T11:00+01:00'), to: t('2026-01-14T16:00+01:00') }] }, t('2026-01-14T15:00+01:00')).state).toBe('paused');
    // Breach is final: over the target at 13:00, paused at 13:30, now 16:00 -> breached, 4 h 30 used.
    expect(slaClock(berlin, { ...base, pauses: [{ from: t('2026-01-14T13:30+01:00'), to: null }] }, t('2026-01-14T16:00+01:00')))
      .toMatchObject({ state: 'breached', elapsedMs: 4.5 * H, breachedAt: t('2026-01-14T13:00+01:00') });
    // Met while paused: the open pause ends at metAt. Paused 11:00, met 12:00 -> 2 h used, met.
    expect(slaClock(berlin, { ...base, pauses: [{ from: t('2026-01-14T11:00+01:00'), to: null }], metAt: t('2026-01-14T12:00+01:00') }, t('2026-01-14T15:00+01:00')))
      .toMatchObject({ state: 'met', elapsedMs: 2 * H, deadline: t('2026-01-14T14:00+01:00') });
  });

  it('24x7 across the Berlin spring change', () => {
    // Started Sat 28 Mar 12:00 CET, 24 h target: deadline Sun 13:00 CEST; at Sun 12:00 CEST 23 h are used.
    const c = slaClock(berlin24, { startedAt: t('2026-03-28T12:00+01:00'), targetMinutes: 24 * 60, pauses: [], metAt: null }, t('2026-03-29T12:00+02:00'));
    expect(c).toMatchObject({ state: 'running', elapsedMs: 23 * H, remainingMs: H, deadline: t('2026-03-29T13:00+02:00') });
  });
});

describe('addWorkingMs is the inverse of workingMs', () => {
  // mulberry32, fixed seed.
  function rng(seed: number) {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
    };
  }
  const calendars: [string, SlaCalendar][] = [
    ['Berlin business hours', { ...berlin, holidays: ['2026-03-30', '2026-10-26', '2026-12-25'] }],
    ['New York business hours', newYork],
    ['Berlin Sunday nights (spans both changes)', { ...berlin, days: [6, 7], start: '01:00', end: '04:00' }],
    ['Berlin 24x7', berlin24],
  ];
  for (const [name, cal] of calendars) {
    it(name, () => {
      const random = rng(20260329);
      const yearStart = Date.UTC(2026, 0, 1);
      for (let i = 0; i < 150; i++) {
        const from = yearStart + Math.floor(random() * 365 * 24 * H);
        const x = Math.floor(random() * 40 * H);
        const deadline = addWorkingMs(cal, from, x);
        expect(workingMs(cal, from, deadline)).toBe(x);
        // and it is the first such instant: one millisecond earlier, one millisecond is missing.
        if (x > 0) expect(workingMs(cal, from, +deadline - 1)).toBe(x - 1);
      }
    });
  }
});
