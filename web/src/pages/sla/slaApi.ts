// SLA policies (/api/v1/sla/policies): the API's shapes (generated), the query key, the requests,
// and how a refused save is told to the user.
import { api, ApiError } from '../../api/client';
import type { Answer, Body, Schema } from '../../api/schema';

/** ISO weekdays 1 = Monday, local 'HH:MM' (end may be '24:00'), local holiday dates (src/db/schema-sla.ts). */
export type SlaCalendar = Schema<'SlaCalendar'>;
export type CalendarKind = SlaCalendar['kind'];

export const TARGETS = [
  { key: 'acknowledgeMinutes', label: 'Acknowledge', short: 'Ack.' },
  { key: 'firstResponseMinutes', label: 'First response', short: 'First response' },
  { key: 'containmentMinutes', label: 'Containment', short: 'Containment' },
  { key: 'resolutionMinutes', label: 'Resolution', short: 'Resolution' },
] as const;
export type TargetKey = (typeof TARGETS)[number]['key'];

/** What a save sends (POST, and PUT with the version). */
export type SlaPolicyInput = Body<'slaPolicies.create'>;
export type SlaPolicy = Schema<'SlaPolicy'>;

export const SLA_POLICIES_KEY = ['sla', 'policies'] as const;

export const slaApi = {
  list: () => api.get<Answer<'slaPolicies.list'>>('/sla/policies'),
  create: (p: SlaPolicyInput) => api.post<SlaPolicy>('/sla/policies', p),
  update: (id: string, p: SlaPolicyInput, version: number) => api.put<SlaPolicy>(`/sla/policies/${id}`, { ...p, version } satisfies Body<'slaPolicies.replace'>),
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
