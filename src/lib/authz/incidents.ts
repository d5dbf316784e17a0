import type { Role } from '../../db/schema.ts';
import type { Actor } from '../actor.ts';
import { authorize } from './policy.ts';

export { RESTRICTED_TLP } from '../tlp.ts';

/**
 * Which incidents an actor may see, as data the access repository (access.repo.ts) turns into SQL:
 * - TLP / need-to-know: RED and AMBER+STRICT incidents (and timeline entries) only for their role
 *   holders, the assignee, managers and admins (`privileged`); every other incident for anyone
 *   holding `incident.read`;
 * - constituent scope: a member limited to constituents (`user_constituent` rows) sees only the
 *   incidents of those constituents, whatever their role; `null` is unscoped (everything).
 */
export interface IncidentScope {
  userId: string | null;
  privileged: boolean;
  /** The constituents the user is limited to; null: unscoped. An empty list sees nothing. */
  constituentIds: string[] | null;
}

/** The roles of the team (every role but the constituent's reporter). */
export const TEAM_ROLES = ['admin', 'manager', 'handler', 'viewer'] as const satisfies readonly Role[];

/** The roles that have a need to know every incident (within their constituent scope). */
export const PRIVILEGED_ROLES = ['admin', 'manager'] as const satisfies readonly Role[];

export const isPrivileged = (roles: readonly Role[]): boolean => roles.some((r) => (PRIVILEGED_ROLES as readonly Role[]).includes(r));

/** The scope of a user with these roles and constituent rows (not a request: notifications, schedules). */
export const scopeOf = (userId: string | null, roles: readonly Role[], constituentIds: readonly string[] | null | undefined): IncidentScope => ({
  userId, privileged: isPrivileged(roles), constituentIds: constituentIds ? [...constituentIds] : null,
});

export function incidentScope(actor: Actor | null | undefined): IncidentScope {
  authorize(actor, 'incident.read');
  return scopeOf(actor.userId, actor.roles, actor.constituentIds);
}

/** Whether the actor may see this constituent's record (its contacts, networks, agreements): unscoped, or one of theirs. */
export const seesConstituent = (actor: Actor, constituentId: string): boolean => !actor.constituentIds || actor.constituentIds.includes(constituentId);

/** Whether the scope sees every incident (privileged and unscoped): the SQL rule is then `true`. */
export const seesAll = (scope: IncidentScope): boolean => scope.privileged && scope.constituentIds === null;

/** A key that is equal for two scopes exactly when they see the same (to share one query among subscribers). */
export function scopeKey(scope: IncidentScope): string {
  const c = scope.constituentIds === null ? '*' : [...scope.constituentIds].sort().join(',');
  return `${scope.privileged ? '*' : (scope.userId ?? '-')}|${c}`;
}
