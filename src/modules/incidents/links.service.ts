import type { LinkKind } from '../../db/schema.ts';
import type { Actor } from '../../lib/actor.ts';
import { incidentScope } from '../../lib/authz/incidents.ts';
import { lockVisible } from '../../lib/authz/access.repo.ts';
import { authorize } from '../../lib/authz/policy.ts';
import { VigilError } from '../../lib/errors.ts';
import { linkRepo } from './links.repo.ts';
import { incidentRepo } from './repo.ts';
import { lockVersion, recorder, type IncidentDeps } from './service.ts';
import { incidentViews, type IncidentView } from './view.ts';

/** Links between incidents (related, parent/child) and merges of one incident into another. */
export function createLinkService(d: IncidentDeps) {
  const record = recorder(d);

  return {
    async list(actor: Actor, id: string) {
      const scope = incidentScope(actor);
      const inc = await incidentRepo.findVisible(d.db, scope, id);
      if (!inc) throw new VigilError('VIG_INCIDENT_NOT_FOUND', { id });
      const rows = await linkRepo.forIncident(d.db, inc.id, scope);
      return rows.map((r) => ({
        kind: r.kind,
        direction: r.fromId === inc.id ? ('outgoing' as const) : ('incoming' as const),
        incident: { id: r.otherId, reference: r.reference, title: r.title, status: r.status, tlp: r.tlp },
        createdAt: r.createdAt,
      }));
    },

    /** Links two incidents; `parent_of` makes `id` the parent of the other. Recorded on both. */
    async link(actor: Actor, id: string, kind: Extract<LinkKind, 'related' | 'parent_of'>, otherId: string) {
      const scope = incidentScope(actor);
      return d.db.transaction().execute(async (tx) => {
        const a = await lockVisible(tx, actor, scope, id, 'incident.update');
        const b = await lockVisible(tx, actor, scope, otherId, 'incident.update');
        if (a.id === b.id) throw new VigilError('VIG_INCIDENT_LINK_INVALID', { reason: 'an incident cannot link to itself' });
        if (await linkRepo.insert(tx, { fromId: a.id, toId: b.id, kind, createdBy: actor.userId, createdAt: d.clock.now() })) {
          await record(tx, actor, a.id, 'incident.linked', { kind, other: { id: b.id, reference: b.reference } });
          await record(tx, actor, b.id, 'incident.linked', { kind: kind === 'parent_of' ? 'child_of' : kind, other: { id: a.id, reference: a.reference } });
        }
      });
    },

    async unlink(actor: Actor, id: string, kind: Extract<LinkKind, 'related' | 'parent_of'>, otherId: string) {
      const scope = incidentScope(actor);
      return d.db.transaction().execute(async (tx) => {
        const a = await lockVisible(tx, actor, scope, id, 'incident.update');
        const b = await lockVisible(tx, actor, scope, otherId, 'incident.update');
        if (!(await linkRepo.remove(tx, a.id, b.id, kind))) throw new VigilError('VIG_INCIDENT_LINK_INVALID', { reason: 'no such link' });
        await record(tx, actor, a.id, 'incident.unlinked', { kind, other: { id: b.id, reference: b.reference } });
        await record(tx, actor, b.id, 'incident.unlinked', { kind: kind === 'parent_of' ? 'child_of' : kind, other: { id: a.id, reference: a.reference } });
      });
    },

    /**
     * Merges `sourceId` into `id`: its tasks, observables and role holders move over, its timeline
     * shows in the target's, the merge is recorded on both, and the source closes as a duplicate.
     */
    async merge(actor: Actor, id: string, sourceId: string, sourceVersion: number): Promise<IncidentView> {
      const scope = incidentScope(actor);
      authorize(actor, 'incident.close');
      return d.db.transaction().execute(async (tx) => {
        const target = await lockVisible(tx, actor, scope, id, 'incident.update');
        if ((await incidentRepo.findVisible(tx, scope, sourceId))?.id === target.id) {
          throw new VigilError('VIG_INCIDENT_LINK_INVALID', { reason: 'an incident cannot merge into itself' });
        }
        const source = await lockVersion(tx, actor, scope, sourceId, 'incident.close', sourceVersion);
        if (target.status === 'closed') throw new VigilError('VIG_INCIDENT_CLOSED', { id: target.id });
        if (source.status === 'closed') throw new VigilError('VIG_INCIDENT_CLOSED', { id: source.id });
        const now = d.clock.now();
        const tasks = await linkRepo.moveTasks(tx, source.id, target.id, now);
        const observables = await linkRepo.moveObservables(tx, source.id, target.id, actor.userId, now);
        const reports = await linkRepo.moveReports(tx, source.id, target.id, now);
        await linkRepo.copyRoles(tx, source.id, target.id, now);
        await linkRepo.insert(tx, { fromId: source.id, toId: target.id, kind: 'merged_into', createdBy: actor.userId, createdAt: now });
        await incidentRepo.update(tx, source.id, { status: 'closed', resolution: 'duplicate', duplicateOf: target.id, closedAt: now, updatedAt: now });
        const after = await incidentRepo.update(tx, target.id, { updatedAt: now });
        const moved = { tasks, observables, reports };
        await record(tx, actor, target.id, 'incident.merged', { from: { id: source.id, reference: source.reference }, moved });
        await record(tx, actor, source.id, 'incident.merged_into', { into: { id: target.id, reference: target.reference }, moved });
        await record(tx, actor, source.id, 'incident.closed', { from: source.status, resolution: 'duplicate', duplicateOf: target.id, duplicateOfReference: target.reference });
        return (await incidentViews(tx, [after], actor))[0]!;
      });
    },
  };
}
export type LinkService = ReturnType<typeof createLinkService>;
