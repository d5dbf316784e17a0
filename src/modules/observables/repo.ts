import { sql } from 'kysely';
import type { Executor } from '../../db/index.ts';
import type { ObservableRow, Tlp } from '../../db/schema.ts';
import { RESTRICTED_TLP, type IncidentScope } from '../../lib/authz/incidents.ts';
import { visibleSql } from '../incidents/repo.ts';

export interface ObservableUpsert {
  type: string;
  value: string;
  net: string | null;
  ioc: boolean;
  tlp: Tlp;
  tags: string[];
  seenAt: Date;
}

export const observableRepo = {
  /** The one record for (type, value): created, or its last-seen time moved on. */
  upsert: (x: Executor, o: ObservableUpsert): Promise<ObservableRow> =>
    x
      .insertInto('observable')
      .values({ type: o.type, value: o.value, net: o.net, ioc: o.ioc, tlp: o.tlp, tags: o.tags, firstSeen: o.seenAt, lastSeen: o.seenAt })
      .onConflict((oc) => oc.columns(['type', 'value']).doUpdateSet({ lastSeen: o.seenAt }))
      .returningAll()
      .executeTakeFirstOrThrow(),

  link: (x: Executor, incidentId: string, observableId: string, addedBy: string | null, at: Date): Promise<boolean> =>
    x
      .insertInto('incidentObservable')
      .values({ incidentId, observableId, addedBy, addedAt: at })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst()
      .then((r) => Number(r.numInsertedOrUpdatedRows ?? 0) > 0),

  unlink: (x: Executor, incidentId: string, observableId: string): Promise<boolean> =>
    x.deleteFrom('incidentObservable').where('incidentId', '=', incidentId).where('observableId', '=', observableId).executeTakeFirst()
      .then((r) => Number(r.numDeletedRows) > 0),

  findById: (x: Executor, id: string) => x.selectFrom('observable').selectAll().where('id', '=', id).executeTakeFirst(),

  lockById: (x: Executor, id: string) => x.selectFrom('observable').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),

  update: (x: Executor, id: string, patch: { ioc?: boolean; tlp?: Tlp; tags?: string[] }) =>
    x.updateTable('observable').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow(),

  /** Observables of an incident; RED and AMBER+STRICT ones only when `restricted` is allowed. */
  forIncident: (x: Executor, incidentId: string, restricted: boolean) =>
    x
      .selectFrom('incidentObservable as io')
      .innerJoin('observable as o', 'o.id', 'io.observableId')
      .select(['o.id', 'o.type', 'o.value', 'o.ioc', 'o.tlp', 'o.tags', 'o.firstSeen', 'o.lastSeen', 'io.addedAt', 'io.addedBy'])
      .where('io.incidentId', '=', incidentId)
      .$if(!restricted, (q) => q.where('o.tlp', 'not in', [...RESTRICTED_TLP]))
      .orderBy('io.addedAt')
      .orderBy('o.type')
      .orderBy('o.value')
      .execute(),

  /** Incident ids linked to an observable. */
  incidentsOf: (x: Executor, observableId: string) =>
    x.selectFrom('incidentObservable').select('incidentId').where('observableId', '=', observableId).execute().then((r) => r.map((i) => i.incidentId)),

  /**
   * Other incidents sharing observables with this one, most shared first, limited to incidents the
   * scope may see (the same TLP rule as every incident read, in SQL).
   */
  similar: (x: Executor, incidentId: string, scope: IncidentScope, limit: number) =>
    x
      .selectFrom('incidentObservable as mine')
      .innerJoin('incidentObservable as theirs', 'theirs.observableId', 'mine.observableId')
      .innerJoin('incident as i', 'i.id', 'theirs.incidentId')
      .select(['i.id', 'i.reference', 'i.title', 'i.status', 'i.priority', 'i.tlp', 'i.createdAt'])
      .select((eb) => eb.fn.count<number>('theirs.observableId').as('shared'))
      .where('mine.incidentId', '=', incidentId)
      .where('theirs.incidentId', '<>', incidentId)
      .where(visibleSql(scope, 'i'))
      .groupBy(['i.id', 'i.reference', 'i.title', 'i.status', 'i.priority', 'i.tlp', 'i.createdAt'])
      .orderBy(sql`count(theirs.observable_id)`, 'desc')
      .orderBy('i.createdAt', 'desc')
      .limit(limit)
      .execute(),

  /** Exact value search, and for an address, the networks and addresses that contain or equal it. */
  search: (x: Executor, q: { value: string; type?: string | undefined; containing?: string | undefined; restricted: boolean }): Promise<ObservableRow[]> =>
    x
      .selectFrom('observable')
      .selectAll()
      .where((eb) =>
        q.containing
          ? eb.or([eb('value', '=', q.value), sql<boolean>`net >>= ${q.containing}::inet`])
          : eb('value', '=', q.value),
      )
      .$if(!!q.type, (s) => s.where('type', '=', q.type!))
      .$if(!q.restricted, (s) => s.where('tlp', 'not in', [...RESTRICTED_TLP]))
      .orderBy('lastSeen', 'desc')
      .limit(200)
      .execute(),
};
