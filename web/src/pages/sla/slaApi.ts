// SLA policies (/api/v1/sla/policies): the API's shapes, the query key, the requests, and how a
// refused save is told to the user.
import { api, ApiError } from '../../api/client';
import type { Priority } from '../../api/incidents';

export type CalendarKind = '24x7' | 'business_hours';

/** As src/db/schema-sla.ts stores it: ISO weekdays 1 = Monday, local 'HH:MM' (end may be '24:00'), local holiday dates. */
export interface SlaCalendar {
  kind: CalendarKind;
  timeZone: string;
  days: number[];
  start: string;
  end: string;
  holidays: string[];
}

export const TARGETS = [
  { key: 'acknowledgeMinutes', label: 'Acknowledge', short: 'Ack.' },
  { key: 'firstResponseMinutes', label: 'First response', short: 'First response' },
  { key: 'containmentMinutes', label: 'Containment', short: 'Containment' },
  { key: 'resolutionMinutes', label: 'Resolution', short: 'Resolution' },
] as const;
export type TargetKey = (typeof TARGETS)[number]['key'];

export interface SlaPolicyInput extends Record<TargetKey, number | null> {
  priority: Priority;
  constituentId: string | null;
  calendar: SlaCalendar;
  warnPercent: number;
}

export interface SlaPolicy extends SlaPolicyInput {
  id: string;
  constituentName: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  updatedBy: string | null;
}

export const SLA_POLICIES_KEY = ['sla', 'policies'] as const;

export const slaApi = {
  list: () => api.get<{ items: SlaPolicy[] }>('/sla/policies'),
  create: (p: SlaPolicyInput) => api.post<SlaPolicy>('/sla/policies', p),
  update: (id: string, p: SlaPolicyInput, version: number) => api.put<SlaPolicy>(`/sla/policies/${id}`, { ...p, version }),
  remove: (id: string) => api.del(`/sla/policies/${id}`),
};

export const isVersionConflict = (e: unknown): e is ApiError => e instanceof ApiError && e.code === 'VIG_SLA_POLICY_VERSION_CONFLICT';

/** The policy stored now, as a version conflict reports it. */
export function currentOf(e: unknown): SlaPolicy | null {
  return isVersionConflict(e) && e.problem.current && typeof e.problem.current === 'object' ? (e.problem.current as SlaPolicy) : null;
}

/** The problems listed by VIG_SLA_CALENDAR_INVALID, or null for any other error. */
export function problemsOf(e: unknown): string[] | null {
  if (!(e instanceof ApiError) || e.code !== 'VIG_SLA_CALENDAR_INVALID') return null;
  return Array.isArray(e.problem.problems) ? e.problem.problems.map(String) : [];
}

/** A refused save in plain words, when there is more to say than the problem's title. */
export function problemText(e: unknown, constituentName: string | null): string | null {
  if (!(e instanceof ApiError)) return null;
  switch (e.code) {
    case 'VIG_SLA_POLICY_EXISTS': {
      const p = e.problem as { priority?: string };
      return `${constituentName ? `${constituentName} already has` : 'The team already has'} a ${p.priority ?? ''} policy. Edit that one instead.`;
    }
    case 'VIG_SLA_POLICY_VERSION_CONFLICT': return 'Someone saved this policy meanwhile. Your changes are still in the form: save again to replace their version, or load theirs.';
    case 'VIG_SLA_POLICY_NOT_FOUND': return 'This policy was deleted meanwhile. Close the editor and create it again.';
    case 'VIG_CONSTITUENT_NOT_FOUND': return 'That constituent no longer exists.';
    default: return null;
  }
}
