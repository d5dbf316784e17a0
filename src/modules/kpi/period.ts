// Months and years counted in the team's time zone: October in Europe/Berlin runs from
// 2026-09-30T22:00Z to 2026-10-31T23:00Z (the clocks go back on the 25th).
import { localToUtc } from '../../lib/tz.ts';

export interface Period {
  /** '2026-10' for a month, '2026' for a year. */
  label: string;
  timeZone: string;
  from: Date;
  to: Date;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Moves a 'YYYY-MM' month by whole months. */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const i = y * 12 + (m - 1) + n;
  return `${Math.floor(i / 12)}-${pad((i % 12) + 1)}`;
}

export function monthPeriod(month: string, timeZone: string): Period {
  return {
    label: month, timeZone,
    from: new Date(localToUtc(timeZone, `${month}-01`, 0)),
    to: new Date(localToUtc(timeZone, `${addMonths(month, 1)}-01`, 0)),
  };
}

export function yearPeriod(year: number, timeZone: string): Period {
  return { label: String(year), timeZone, from: new Date(localToUtc(timeZone, `${year}-01-01`, 0)), to: new Date(localToUtc(timeZone, `${year + 1}-01-01`, 0)) };
}

/** The months of a period, oldest first ('2026-01' … '2026-12' for a year). */
export function monthsOf(period: Period): string[] {
  if (/^\d{4}-\d{2}$/.test(period.label)) return [period.label];
  return Array.from({ length: 12 }, (_, i) => `${period.label}-${pad(i + 1)}`);
}
