// Shapes of the on-call API (/api/v1/oncall), as the web app uses them (the server's types).
import type { Answer, ItemOf, Schema } from './schema';

export type PatternKind = Pattern['kind'];
export type Region = ItemOf<Extract<Pattern, { kind: 'follow_the_sun' }>['regions']>;
export type Pattern = Rota['pattern'];

export type Rota = Schema<'OncallRota'>;

export type Shift = ItemOf<Shifts['shifts']>;
export type Shifts = Answer<'oncall.rotas.shifts'>;

export type NowEntry = ItemOf<OnDutyNow['rotas']>;
export type OnDutyNow = Answer<'oncall.now'>;

export type Override = Schema<'OncallOverride'>;
export type Swap = Schema<'OncallSwap'>;

export const ONCALL_KEY = ['oncall'] as const;

export const KIND_LABELS: Record<PatternKind, string> = {
  business_hours: 'Business hours only',
  duty_officer: 'Duty officer',
  shifts_24x7: '24/7 shifts',
  follow_the_sun: 'Follow the sun',
};

export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** The viewer's own time zone (the calendar shows times in it). */
export const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Every IANA zone the browser knows, for pickers. */
export function timeZones(): string[] {
  const f = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf;
  return f ? f('timeZone') : ['UTC', 'Europe/Berlin', 'Europe/London', 'America/New_York', 'Asia/Singapore'];
}
