import type { IncidentStatus } from '../../db/schema.ts';

/** The ENISA/NIST handling phases in order; `closed` is reached only by closing. */
export const OPEN_STATUSES = ['new', 'triage', 'analysis', 'containment', 'eradication', 'recovery'] as const;
export const STATUSES: readonly IncidentStatus[] = [...OPEN_STATUSES, 'closed'];

const ANALYSIS = OPEN_STATUSES.indexOf('analysis');

/**
 * Which status changes the lifecycle allows between open phases: forward to any later phase (a
 * team may skip a phase that does not apply), and back to an earlier handling phase (analysis or
 * later) when the work proves incomplete. An incident never returns to intake (new, triage), and
 * closing and reopening are their own actions.
 */
export function canMove(from: IncidentStatus, to: IncidentStatus): boolean {
  if (from === 'closed' || to === 'closed' || from === to) return false;
  const a = OPEN_STATUSES.indexOf(from);
  const b = OPEN_STATUSES.indexOf(to);
  return b > a || b >= ANALYSIS;
}
