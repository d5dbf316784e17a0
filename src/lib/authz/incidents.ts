import type { Actor } from '../actor.ts';
import { authorize } from './policy.ts';

/**
 * Which incidents an actor may see, as data the repository turns into SQL: TLP RED and
 * AMBER+STRICT incidents (and timeline entries) only for their role holders, managers and admins;
 * every other incident for anyone holding `incident.read`.
 */
export interface IncidentScope {
  userId: string | null;
  privileged: boolean;
}

export const RESTRICTED_TLP = ['RED', 'AMBER+STRICT'] as const;

export function incidentScope(actor: Actor | null | undefined): IncidentScope {
  authorize(actor, 'incident.read');
  return { userId: actor.userId, privileged: actor.roles.includes('admin') || actor.roles.includes('manager') };
}
