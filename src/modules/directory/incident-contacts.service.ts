import type { IncidentRoleName } from '../../db/schema.ts';
import type { Actor } from '../../lib/actor.ts';
import { incidentScope } from '../../lib/authz/incidents.ts';
import { authorize } from '../../lib/authz/policy.ts';
import { VigilError } from '../../lib/errors.ts';
import { lockVisible } from '../../lib/authz/access.repo.ts';
import { findVisibleIncident, type IncidentDeps, recorder } from '../incidents/index.ts';
import { contactRepo, incidentContactRepo } from './repo.ts';

/**
 * External contacts in incident roles (the forensic firm as technical lead's right hand, outside
 * counsel as legal): beside the team members in the incident's roles. Each change is an incident
 * event and an audit record.
 */
export function createIncidentContactService(d: IncidentDeps) {
  const record = recorder(d);

  async function listOf(x: Parameters<typeof incidentContactRepo.list>[0], incidentId: string) {
    return incidentContactRepo.list(x, incidentId);
  }

  return {
    /** The contacts holding roles in an incident the actor can see, with how to reach them. */
    async list(actor: Actor, id: string) {
      const scope = incidentScope(actor);
      const inc = await findVisibleIncident(d.db, scope, id);
      if (!inc) throw new VigilError('VIG_INCIDENT_NOT_FOUND', { id });
      authorize(actor, 'directory.read');
      return listOf(d.db, inc.id);
    },

    async assign(actor: Actor, id: string, role: IncidentRoleName, contactId: string) {
      const scope = incidentScope(actor);
      return d.db.transaction().execute(async (tx) => {
        const inc = await lockVisible(tx, actor, scope, id, 'incident.update');
        const c = await contactRepo.findById(tx, contactId);
        if (!c) throw new VigilError('VIG_CONTACT_NOT_FOUND', { id: contactId });
        if (!c.active) throw new VigilError('VIG_CONTACT_INACTIVE', { id: contactId });
        if (await incidentContactRepo.add(tx, inc.id, role, c.id, d.clock.now())) {
          await record(tx, actor, inc.id, 'incident.contact_role_assigned', { role, contactId: c.id, name: c.name, organisation: c.organisation });
        }
        return listOf(tx, inc.id);
      });
    },

    async remove(actor: Actor, id: string, role: IncidentRoleName, contactId: string) {
      const scope = incidentScope(actor);
      return d.db.transaction().execute(async (tx) => {
        const inc = await lockVisible(tx, actor, scope, id, 'incident.update');
        if (await incidentContactRepo.remove(tx, inc.id, role, contactId)) {
          const c = await contactRepo.findById(tx, contactId);
          await record(tx, actor, inc.id, 'incident.contact_role_removed', { role, contactId, name: c?.name ?? null, organisation: c?.organisation ?? null });
        }
        return listOf(tx, inc.id);
      });
    },
  };
}
export type IncidentContactService = ReturnType<typeof createIncidentContactService>;
