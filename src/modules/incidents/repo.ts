import { sql, type RawBuilder } from 'kysely';
import type { Db, Executor } from '../../db/index.ts';
import { INCIDENT_COLUMNS, type IncidentRoleName, type IncidentRow, type IncidentStatus, type Priority, type Tlp } from '../../db/schema.ts';
import type { IncidentScope } from '../../lib/authz/incidents.ts';
import { needToKnow, visibleSql, type NeedToKnowReach } from '../../lib/authz/access.repo.ts';

type IncidentInsert = Omit<IncidentRow, 'id' | 'version'>;
type IncidentPatch = Partial<Omit<IncidentRow, 'id' | 'reference' | 'createdAt' | 'createdBy'>>;

export interface IncidentFilter {
  status?: IncidentStatus[] | undefined;
  open?: boolean | undefined;
  priority?: Priority[] | undefined;
  tlp?: Tlp[] | undefined;
  exercise?: boolean | undefined;
  classType?: { class: string; type?: string | undefined } | undefined;
  constituent?: string | undefined;
  roleHolder?: string | undefined;
  /** A user id, or null for incidents nobody is assigned to. */
  assignee?: string | null | undefined;
  createdFrom?: Date | undefined;
  createdTo?: Date | undefined;
  /** Full-text search over title, summary, the notes the scope may read, and the incident's reports. */
  q?: string | undefined;
  /** Only these incidents (the matches of a search, read beforehand). */
  ids?: string[] | undefined;
  sort?: IncidentSort | undefined;
  /** The sort key values of the last row of the previous page. */
  after?: (string | Date)[] | undefined;
  limit: number;
}

export type IncidentSort = 'newest' | 'oldest' | 'updated' | 'priority';

/** The columns each sort orders by, the last always the id so every row has one place. */
export const SORTS: Record<IncidentSort, { column: 'createdAt' | 'updatedAt' | 'priority' | 'id'; dir: 'asc' | 'desc' }[]> = {
  newest: [{ column: 'createdAt', dir: 'desc' }, { column: 'id', dir: 'desc' }],
  oldest: [{ column: 'createdAt', dir: 'asc' }, { column: 'id', dir: 'asc' }],
  updated: [{ column: 'updatedAt', dir: 'desc' }, { column: 'id', dir: 'desc' }],
  priority: [{ column: 'priority', dir: 'asc' }, { column: 'createdAt', dir: 'desc' }, { column: 'id', dir: 'desc' }],
};

const QUALIFIED = INCIDENT_COLUMNS.map((c) => `incident.${c}` as const);

const visible = (scope: IncidentScope, reach: NeedToKnowReach = 'row') => visibleSql(scope, 'incident', reach);

const tsquery = (words: string) => sql`websearch_to_tsquery('simple', ${words})`;

/**
 * Full-text search as one test on the incident row (migration 0013): title and summary, the open
 * search document, the restricted one where the scope has a need to know (most incidents have
 * none, hence the null test first: the need-to-know probe runs only where there is one), and the
 * notes and reports one by one for an incident whose documents could not hold them all.
 */
function matches(scope: IncidentScope, query: RawBuilder<unknown>, reach: NeedToKnowReach): RawBuilder<boolean> {
  return sql<boolean>`(incident.search @@ ${query} or incident.search_body @@ ${query}
    or (incident.search_restricted is not null and incident.search_restricted @@ ${query} and ${needToKnow(scope, 'incident', reach)})
    or (incident.search_partial and incident_search_fallback(incident.id, ${query}, ${needToKnow(scope, 'incident', reach)})))`;
}

/**
 * A search page is either the matches, all read through the GIN indexes and sorted (few
 * matches), or a walk of the list order testing each row until the page is full (many). The
 * planner cannot choose between them: it knows the frequent words, but takes every other word to
 * match one incident in two hundred, so an absent word became a walk of every incident. Vigil asks
 * the planner's estimate (EXPLAIN, no execution) and walks only words it knows to be common;
 * otherwise it reads up to FEW_MATCHES matches through the indexes alone, and walks only if there
 * are more.
 */
const FEW_MATCHES = 3000;
const COMMON_SHARE = 0.03;

async function estimatedShare(x: Executor, query: RawBuilder<unknown>): Promise<{ matches: number; total: number }> {
  // One EXPLAIN gives both estimates: the union's two branches are the matches and the whole table.
  const r = await sql<{ 'QUERY PLAN': unknown }>`explain (format json)
    select 1 from incident where incident.search @@ ${query} or incident.search_body @@ ${query}
    union all select 1 from incident`.execute(x);
  const raw = r.rows[0]?.['QUERY PLAN'];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: { Plans?: { 'Plan Rows': number }[] } }[];
  const [m, all] = plan[0]?.Plan.Plans ?? [];
  return { matches: m?.['Plan Rows'] ?? 0, total: all?.['Plan Rows'] ?? 0 };
}

/** Incidents the scope may see that match the filter (no order, no page). */
function filtered(x: Executor, scope: IncidentScope, f: IncidentFilter, reach: NeedToKnowReach = 'row') {
  let q = x.selectFrom('incident').where(visible(scope, reach));
  if (f.status?.length) q = q.where('incident.status', 'in', f.status);
  if (f.open) q = q.where('incident.status', '<>', 'closed');
  if (f.priority?.length) q = q.where('incident.priority', 'in', f.priority);
  if (f.tlp?.length) q = q.where('incident.tlp', 'in', f.tlp);
  if (f.exercise !== undefined) q = q.where('incident.exercise', '=', f.exercise);
  if (f.constituent) q = q.where('incident.constituent', '=', f.constituent);
  if (f.assignee !== undefined) q = f.assignee === null ? q.where('incident.assigneeId', 'is', null) : q.where('incident.assigneeId', '=', f.assignee);
  if (f.createdFrom) q = q.where('incident.createdAt', '>=', f.createdFrom);
  if (f.createdTo) q = q.where('incident.createdAt', '<', f.createdTo);
  if (f.classType) {
    const ct = f.classType;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('incidentClassification as c')
          .select('c.incidentId')
          .whereRef('c.incidentId', '=', 'incident.id')
          .where('c.class', '=', ct.class)
          .$if(!!ct.type, (s) => s.where('c.type', '=', ct.type!)),
      ),
    );
  }
  if (f.roleHolder) {
    const userId = f.roleHolder;
    q = q.where((eb) =>
      eb.exists(eb.selectFrom('incidentRole as r').select('r.incidentId').whereRef('r.incidentId', '=', 'incident.id').where('r.userId', '=', userId)),
    );
  }
  if (f.q) q = q.where(matches(scope, tsquery(f.q), reach));
  if (f.ids) q = q.where(sql<boolean>`incident.id = any(${f.ids}::uuid[])`);
  return q;
}

/** One page of `filtered`, in the sort's order, after the keyset cursor if there is one. */
function page(x: Executor, scope: IncidentScope, f: IncidentFilter): Promise<IncidentRow[]> {
  let q = filtered(x, scope, f).select(QUALIFIED);
  const order = SORTS[f.sort ?? 'newest'];
  if (f.after) {
    const after = f.after;
    // Keyset: rows strictly after the cursor in the sort's order, column by column.
    q = q.where((eb) =>
      eb.or(order.map((_, i) =>
        eb.and([
          ...order.slice(0, i).map((o, j) => eb(`incident.${o.column}`, '=', after[j]!)),
          eb(`incident.${order[i]!.column}`, order[i]!.dir === 'asc' ? '>' : '<', after[i]!),
        ]),
      )),
    );
  }
  for (const o of order) q = q.orderBy(`incident.${o.column}`, o.dir);
  return q.limit(f.limit).execute();
}

export const incidentRepo = {
  /** The next number of the year's sequence; numbers are never handed out twice. */
  async nextNumber(x: Executor, year: number): Promise<number> {
    const r = await sql<{ last: number }>`
      insert into incident_counter as c (year, last) values (${year}, 1)
      on conflict (year) do update set last = c.last + 1
      returning last`.execute(x);
    return Number(r.rows[0]!.last);
  },

  /**
   * Takes the next number of the year and gives the incident its reference in one statement (the
   * counter row stays locked until the commit): for an incident inserted with a provisional
   * reference, as one of its transaction's last statements.
   */
  async setNextReference(x: Executor, id: string, prefix: string, year: number): Promise<string> {
    const r = await sql<{ reference: string }>`
      with n as (
        insert into incident_counter as c (year, last) values (${year}, 1)
        on conflict (year) do update set last = c.last + 1
        returning last::text as last)
      update incident set reference = ${prefix} || '-' || ${String(year)} || '-' || (case when length(n.last) >= 5 then n.last else lpad(n.last, 5, '0') end)
      from n where incident.id = ${id}
      returning incident.reference`.execute(x);
    return r.rows[0]!.reference;
  },

  insert: (x: Executor, row: IncidentInsert): Promise<IncidentRow> =>
    x.insertInto('incident').values(row).returning(INCIDENT_COLUMNS).executeTakeFirstOrThrow(),

  findVisible: (x: Executor, scope: IncidentScope, idOrRef: string): Promise<IncidentRow | undefined> =>
    x
      .selectFrom('incident')
      .select(INCIDENT_COLUMNS)
      .where(/^[0-9a-f-]{36}$/i.test(idOrRef) ? 'incident.id' : 'incident.reference', '=', idOrRef)
      .where(visible(scope))
      .executeTakeFirst(),

  lockById: (x: Executor, id: string): Promise<IncidentRow | undefined> =>
    x.selectFrom('incident').select(INCIDENT_COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst(),

  update: (x: Executor, id: string, patch: IncidentPatch): Promise<IncidentRow> =>
    x
      .updateTable('incident')
      .set((eb) => ({ ...patch, version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .returning(INCIDENT_COLUMNS)
      .executeTakeFirstOrThrow(),

  /** A page of the incidents the scope may see that match the filter, in the filter's order. */
  async list(db: Db, scope: IncidentScope, f: IncidentFilter): Promise<IncidentRow[]> {
    if (!f.q) return page(db, scope, f);
    const query = tsquery(f.q);
    const est = await estimatedShare(db, query);
    if (est.matches > FEW_MATCHES && est.matches > COMMON_SHARE * est.total) return page(db, scope, f);
    return db.transaction().execute(async (tx) => {
      // Bitmap scans only: the GIN indexes, never a walk of the table or of the list order.
      await sql`set local enable_seqscan = off`.execute(tx);
      await sql`set local enable_indexscan = off`.execute(tx);
      const hits = await sql<{ id: string }>`
        select incident.id from incident
         where incident.search @@ ${query} or incident.search_body @@ ${query} or incident.search_partial
            or (incident.search_restricted is not null and incident.search_restricted @@ ${query})
         limit ${FEW_MATCHES + 1}`.execute(tx);
      if (hits.rows.length === 0) return [];
      if (hits.rows.length <= FEW_MATCHES) return page(tx, scope, { ...f, ids: hits.rows.map((h) => h.id) });
      await sql`set local enable_seqscan to default`.execute(tx);
      await sql`set local enable_indexscan to default`.execute(tx);
      return page(tx, scope, f);
    });
  },

  async count(x: Executor, scope: IncidentScope, f: Omit<IncidentFilter, 'limit' | 'after' | 'sort'>): Promise<number> {
    const r = await filtered(x, scope, { ...f, limit: 0 }, 'set').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  },

  /** Of these incidents, the ids the scope may see. */
  visibleIds: async (x: Executor, scope: IncidentScope, ids: string[]): Promise<string[]> =>
    ids.length === 0 ? [] : (await x.selectFrom('incident').select('id').where('id', 'in', ids).where(visible(scope)).execute()).map((r) => r.id),

  users: (x: Executor, ids: string[]) =>
    ids.length === 0 ? Promise.resolve([]) : x.selectFrom('appUser').select(['id', 'username', 'displayName']).where('id', 'in', ids).execute(),

  classifications: (x: Executor, incidentIds: string[]) =>
    incidentIds.length === 0
      ? Promise.resolve([])
      : x.selectFrom('incidentClassification').selectAll().where('incidentId', 'in', incidentIds).orderBy('isPrimary', 'desc').orderBy('class').orderBy('type').execute(),

  replaceClassifications: async (x: Executor, incidentId: string, rows: { class: string; type: string; isPrimary: boolean }[]) => {
    await x.deleteFrom('incidentClassification').where('incidentId', '=', incidentId).execute();
    await incidentRepo.addClassifications(x, incidentId, rows);
  },

  /** The classifications of an incident that has none yet (one just declared). */
  addClassifications: async (x: Executor, incidentId: string, rows: { class: string; type: string; isPrimary: boolean }[]) => {
    if (rows.length) await x.insertInto('incidentClassification').values(rows.map((r) => ({ ...r, incidentId }))).execute();
  },

  /**
   * What an incident view shows beside the row, for a page of incidents in one statement: the
   * classifications (primary first), the role holders (in the order they were given their roles)
   * and the assignee's names.
   */
  viewParts: async (x: Executor, rows: { id: string; assigneeId: string | null }[]) =>
    rows.length === 0
      ? []
      : (await sql<{
          id: string;
          classifications: { class: string; type: string; primary: boolean }[];
          roles: { role: IncidentRoleName; userId: string; username: string; displayName: string; assignedAt: string }[];
          assignee: { userId: string; username: string; displayName: string } | null;
        }>`
          select v.id,
            coalesce((select json_agg(json_build_object('class', c.class, 'type', c.type, 'primary', c.is_primary)
                        order by c.is_primary desc, c.class, c.type)
                      from incident_classification c where c.incident_id = v.id), '[]') as classifications,
            coalesce((select json_agg(json_build_object('role', r.role, 'userId', r.user_id,
                          'username', (select u.username from app_user u where u.id = r.user_id),
                          'displayName', (select u.display_name from app_user u where u.id = r.user_id),
                          'assignedAt', r.assigned_at) order by r.assigned_at)
                      from incident_role r where r.incident_id = v.id), '[]') as roles,
            (select json_build_object('userId', a.id, 'username', a.username, 'displayName', a.display_name)
               from app_user a where a.id = v.assignee_id) as assignee
          from unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.assigneeId)}::uuid[]) as v (id, assignee_id)`.execute(x)).rows,

  addRole: (x: Executor, incidentId: string, role: IncidentRoleName, userId: string, at: Date) =>
    x.insertInto('incidentRole').values({ incidentId, role, userId, assignedAt: at }).onConflict((oc) => oc.doNothing()).executeTakeFirst()
      .then((r) => Number(r.numInsertedOrUpdatedRows ?? 0) > 0),

  removeRole: (x: Executor, incidentId: string, role: IncidentRoleName, userId: string) =>
    x.deleteFrom('incidentRole').where('incidentId', '=', incidentId).where('role', '=', role).where('userId', '=', userId).executeTakeFirst()
      .then((r) => Number(r.numDeletedRows) > 0),

  lessons: (x: Executor, incidentId: string) =>
    x.selectFrom('incidentLessons').selectAll().where('incidentId', '=', incidentId).executeTakeFirst(),

  upsertLessons: (x: Executor, row: { incidentId: string; whatHappened: string; wentWell: string; toImprove: string; actions: string; recordedBy: string | null; recordedAt: Date }) =>
    x
      .insertInto('incidentLessons')
      .values(row)
      .onConflict((oc) => oc.column('incidentId').doUpdateSet({
        whatHappened: row.whatHappened, wentWell: row.wentWell, toImprove: row.toImprove, actions: row.actions, recordedBy: row.recordedBy, recordedAt: row.recordedAt,
      }))
      .returningAll()
      .executeTakeFirstOrThrow(),
};
