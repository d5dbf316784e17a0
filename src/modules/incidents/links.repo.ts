import type { Executor } from '../../db/index.ts';
import type { LinkKind } from '../../db/schema.ts';
import type { IncidentScope } from '../../lib/authz/incidents.ts';
import { visibleSql } from '../../lib/authz/access.repo.ts';

export const linkRepo = {
  insert: (x: Executor, l: { fromId: string; toId: string; kind: LinkKind; createdBy: string | null; createdAt: Date }): Promise<boolean> =>
    x.insertInto('incidentLink').values(l).onConflict((oc) => oc.doNothing()).executeTakeFirst().then((r) => Number(r.numInsertedOrUpdatedRows ?? 0) > 0),

  remove: (x: Executor, fromId: string, toId: string, kind: LinkKind): Promise<boolean> =>
    x.deleteFrom('incidentLink').where('fromId', '=', fromId).where('toId', '=', toId).where('kind', '=', kind).executeTakeFirst()
      .then((r) => Number(r.numDeletedRows) > 0),

  /** Links from and to an incident, with the other incident's reference and title. */
  forIncident: (x: Executor, id: string, scope: IncidentScope) =>
    x
      .selectFrom('incidentLink as l')
      .innerJoin('incident as o', (j) =>
        j.on((eb) =>
          eb.or([
            eb.and([eb('l.fromId', '=', id), eb('o.id', '=', eb.ref('l.toId'))]),
            eb.and([eb('l.toId', '=', id), eb('o.id', '=', eb.ref('l.fromId'))]),
          ]),
        ),
      )
      .select(['l.fromId', 'l.toId', 'l.kind', 'l.createdAt', 'o.id as otherId', 'o.reference', 'o.title', 'o.status', 'o.tlp'])
      .where((eb) => eb.or([eb('l.fromId', '=', id), eb('l.toId', '=', id)]))
      .where(visibleSql(scope, 'o'))
      .orderBy('l.createdAt')
      .execute(),

  /** Incidents merged into this one (their timelines show in its timeline). */
  mergedInto: (x: Executor, id: string): Promise<string[]> =>
    x.selectFrom('incidentLink').select('fromId').where('toId', '=', id).where('kind', '=', 'merged_into').execute().then((r) => r.map((i) => i.fromId)),

  moveTasks: (x: Executor, fromId: string, toId: string, at: Date) =>
    x.updateTable('incidentTask').set({ incidentId: toId, updatedAt: at }).where('incidentId', '=', fromId).executeTakeFirst().then((r) => Number(r.numUpdatedRows)),

  /** Links B's observables to A (keeping one link per value) and drops B's links. */
  /**
   * Reports linked to (or merged onto) the merged incident follow it. Like tasks and observables,
   * what follows an incident in a merge is moved here, by the merge, so incidents need not import
   * the reports module (which builds on incidents).
   */
  async moveReports(x: Executor, fromId: string, toId: string, at: Date): Promise<number> {
    const r = await x
      .updateTable('report')
      .set((eb) => ({ incidentId: toId, updatedAt: at, version: eb('version', '+', 1) }))
      .where('incidentId', '=', fromId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  },

  async moveObservables(x: Executor, fromId: string, toId: string, by: string | null, at: Date): Promise<number> {
    const rows = await x.selectFrom('incidentObservable').select('observableId').where('incidentId', '=', fromId).execute();
    if (rows.length) {
      await x
        .insertInto('incidentObservable')
        .values(rows.map((r) => ({ incidentId: toId, observableId: r.observableId, addedBy: by, addedAt: at })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    await x.deleteFrom('incidentObservable').where('incidentId', '=', fromId).execute();
    return rows.length;
  },

  /** Gives A's role holders those of B they lack. */
  copyRoles: async (x: Executor, fromId: string, toId: string, at: Date) => {
    const rows = await x.selectFrom('incidentRole').select(['role', 'userId']).where('incidentId', '=', fromId).execute();
    if (rows.length) {
      await x.insertInto('incidentRole').values(rows.map((r) => ({ incidentId: toId, role: r.role, userId: r.userId, assignedAt: at }))).onConflict((oc) => oc.doNothing()).execute();
    }
  },
};
