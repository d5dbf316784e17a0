// Shapes of the on-call API (/api/v1/oncall), as the web app uses them.
export type PatternKind = 'business_hours' | 'duty_officer' | 'shifts_24x7' | 'follow_the_sun';
export interface Region { name: string; timeZone: string; start: string; end: string; members: string[] }
export type Pattern =
  | { kind: 'business_hours'; days: number[]; start: string; end: string; rotation: 'daily' | 'weekly' }
  | { kind: 'duty_officer'; handover: 'daily' | 'weekly'; handoverTime: string; handoverDay: number }
  | { kind: 'shifts_24x7'; shifts: { start: string; end: string }[] }
  | { kind: 'follow_the_sun'; regions: Region[] };

export interface Rota {
  id: string;
  name: string;
  description: string;
  timeZone: string;
  pattern: Pattern;
  members: string[];
  anchorDate: string;
  version: number;
  people: { id: string; displayName: string }[];
  warnings: { kind: 'gap' | 'overlap'; occurrences: number; first: { start: string; end: string } }[];
}

export interface Shift {
  start: string;
  end: string;
  userId: string;
  displayName: string;
  scheduledUserId: string | null;
  source: 'rota' | 'swap' | 'override';
  region: string | null;
  overrideId: string | null;
  swapId: string | null;
}
export interface Shifts { rota: Rota; from: string; to: string; shifts: Shift[]; uncovered: { start: string; end: string }[] }

export interface NowEntry {
  rota: { id: string; name: string; timeZone: string; kind: PatternKind };
  onDuty: { userId: string; displayName: string; since: string; until: string; source: Shift['source']; region: string | null }[];
  nextCoverAt: string | null;
}
export interface OnDutyNow { at: string; rotas: NowEntry[]; uncoveredRotas: string[] }

export interface Override { id: string; rotaId: string; userId: string; startsAt: string; endsAt: string; note: string }
export interface Swap {
  id: string; rotaId: string; shiftStart: string; shiftEnd: string; fromUserId: string; toUserId: string;
  status: 'requested' | 'accepted' | 'declined'; note: string;
}

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
