// Local wall-clock time <-> UTC instants in an IANA time zone, with Intl only (no Temporal yet).
//
// How odd local times resolve (the same as Temporal's `disambiguation: 'compatible'`):
// - a local time that does not exist (the hour skipped when clocks go forward) moves forward by
//   the length of the gap: 02:30 on the last Sunday of March in Europe/Berlin is 03:30 CEST;
// - a local time that happens twice (the hour repeated when clocks go back) is its first, earlier
//   occurrence: 02:30 on the last Sunday of October in Europe/Berlin is 02:30 CEST (00:30 UTC).

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether Intl knows this IANA zone name (e.g. Europe/Berlin); offsets like +02:00 are refused. */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name)) return false;
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

export interface LocalParts { year: number; month: number; day: number; hour: number; minute: number; second: number }

/** The wall-clock reading of an instant in a zone. */
export function localParts(timeZone: string, at: number): LocalParts {
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(at))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { year: p.year!, month: p.month!, day: p.day!, hour: p.hour!, minute: p.minute!, second: p.second! };
}

/** The zone's offset from UTC at an instant, in milliseconds (Berlin in summer: +7,200,000). */
export function offsetAt(timeZone: string, at: number): number {
  const p = localParts(timeZone, at);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(at / 1000) * 1000;
}

const DAY = 86_400_000;

/**
 * The instant at which the clocks of a zone show a local date and time (minutes after local
 * midnight, may be 1440 or more to mean the following days). Gaps and repeats resolve as above.
 */
export function localToUtc(timeZone: string, date: string, minutes: number): number {
  // SLA clocks ask for the same working-day edges again and again (every clock of every incident
  // walks the days from its start): each answer costs five Intl readings, so answers are kept.
  const key = `${timeZone}|${date}|${minutes}`;
  let at = resolved.get(key);
  if (at === undefined) {
    if (resolved.size >= RESOLVED_MAX) resolved.clear();
    at = resolve(timeZone, date, minutes);
    resolved.set(key, at);
  }
  return at;
}
const resolved = new Map<string, number>();
const RESOLVED_MAX = 50_000;

function resolve(timeZone: string, date: string, minutes: number): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const local = Date.UTC(y, m - 1, d) + minutes * 60_000;
  const before = offsetAt(timeZone, local - DAY);
  const after = offsetAt(timeZone, local + DAY);
  const valid = [...new Set([before, after])].map((o) => local - o).filter((t) => offsetAt(timeZone, t) === local - t);
  if (valid.length) return Math.min(...valid);
  // Not on the clocks (the skipped hour): read it with the offset before the change, which lands
  // as far after the gap as the time was into it.
  return local - before;
}

/** The local calendar date (YYYY-MM-DD) of an instant in a zone. */
export function localDate(timeZone: string, at: number): string {
  const p = localParts(timeZone, at);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** A date string moved by whole days (calendar arithmetic, no zone involved). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Whole calendar days from a to b (b - a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY);
}

/** ISO weekday of a date: 1 = Monday … 7 = Sunday. */
export function weekday(date: string): number {
  const w = new Date(`${date}T00:00:00Z`).getUTCDay();
  return w === 0 ? 7 : w;
}

/** "HH:MM" to minutes after midnight. */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/** Minutes after midnight to "HH:MM" (modulo a day). */
export function hhmm(minutes: number): string {
  const m = ((minutes % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}
