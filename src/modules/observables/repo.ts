import { sql, type Expression, type SqlBool } from 'kysely';
import type { Executor } from '../../db/index.ts';
import type { IncidentStatus, ObservableRow, Tlp } from '../../db/schema.ts';
import { RESTRICTED_TLP, seesAll, type IncidentScope } from '../../lib/authz/incidents.ts';
import { needToKnow, visibleSql } from '../../lib/authz/access.repo.ts';

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
      // A RED or AMBER+STRICT observable links two incidents only for a scope with a need to know on
      // both: otherwise the count would tell that they share it.
      .$if(!scope.privileged, (s) =>
        s
          .innerJoin('observable as o', 'o.id', 'mine.observableId')
          .innerJoin('incident as m', 'm.id', 'mine.incidentId')
          .where(sql<boolean>`(o.tlp not in (${sql.join([...RESTRICTED_TLP])}) or (${needToKnow(scope, 'i')} and ${needToKnow(scope, 'm')}))`),
      )
      .groupBy(['i.id', 'i.reference', 'i.title', 'i.status', 'i.priority', 'i.tlp', 'i.createdAt'])
      .orderBy(sql`count(theirs.observable_id)`, 'desc')
      .orderBy('i.createdAt', 'desc')
      .limit(limit)
      .execute(),

  /**
   * Exact value search; for an address also the networks that contain it, for a domain (suffix)
   * also its subdomains. Only observables on at least one incident the scope may see, and never
   * RED or AMBER+STRICT observables to a scope that is not privileged.
   */
  search: (
    x: Executor,
    q: { value: string; type?: string | undefined; containing?: string | undefined; suffix?: string | undefined; scope: IncidentScope },
  ): Promise<ObservableRow[]> =>
    x
      .selectFrom('observable')
      .selectAll('observable')
      .where((eb) => {
        const alts: Expression<SqlBool>[] = [eb('observable.value', '=', q.value)];
        if (q.containing) alts.push(sql<boolean>`observable.net >>= ${q.containing}::inet`);
        // reverse(value) starting with reverse('.example.com') = a subdomain; the index makes it a range scan.
        if (q.suffix) alts.push(sql<boolean>`(observable.type = 'domain' and reverse(observable.value) like ${likePrefix(reverse(`.${q.suffix}`))})`);
        return eb.or(alts);
      })
      .$if(!!q.type, (s) => s.where('observable.type', '=', q.type!))
      .$if(!seesAll(q.scope), (s) =>
        s.where(sql<boolean>`exists (
          select 1 from incident_observable io join incident i on i.id = io.incident_id
          where io.observable_id = observable.id and ${visibleSql(q.scope, 'i')}
            and (observable.tlp not in (${sql.join([...RESTRICTED_TLP])}) or ${needToKnow(q.scope, 'i')}))`),
      )
      .orderBy('observable.lastSeen', 'desc')
      .limit(200)
      .execute(),

  /**
   * The incidents (visible to the scope) each observable is on, the most recently added first, at
   * most `per` each: a walk of each observable's links in that order (index 0014), so an address
   * seen in a hundred thousand incidents costs no more than one seen in three.
   */
  visibleIncidentsOf: async (x: Executor, observableIds: string[], scope: IncidentScope, per: number) =>
    observableIds.length === 0
      ? []
      : (await sql<{ observableId: string; id: string; reference: string; title: string; status: IncidentStatus; tlp: Tlp; createdAt: Date }>`
          select o.id as observable_id, i.id, i.reference, i.title, i.status, i.tlp, i.created_at
            from unnest(${observableIds}::uuid[]) as o (id)
            cross join lateral (
              select i.id, i.reference, i.title, i.status, i.tlp, i.created_at
                from incident_observable io join incident i on i.id = io.incident_id
               where io.observable_id = o.id and ${visibleSql(scope, 'i')}
               order by io.added_at desc
               limit ${per}) i`.execute(x)).rows,
};

const reverse = (v: string) => [...v].reverse().join('');
/** A LIKE pattern matching strings that start with `v` (its wildcards escaped). */
const likePrefix = (v: string) => `${v.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
