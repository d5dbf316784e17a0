import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/index.ts';
import type { IncidentRoleName, IncidentRow, IncidentStatus, Priority, Tlp } from '../../db/schema.ts';
import { RESTRICTED_TLP, type IncidentScope } from '../../lib/authz/incidents.ts';

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
  /** Full-text search over title, summary and the notes the scope may read. */
  q?: string | undefined;
  after?: { createdAt: Date; id: string } | undefined;
  limit: number;
}

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * The TLP / need-to-know rule as SQL, applied to every read of incidents (lists, gets, similar
 * incidents, links): RED and AMBER+STRICT only for role holders, unless the scope is privileged.
 * `alias` names the incident table in the query.
 */
export function visibleSql(scope: IncidentScope, alias: string): RawBuilder<boolean> {
  if (scope.privileged) return sql<boolean>`true`;
  return sql<boolean>`(${sql.ref(`${alias}.tlp`)} not in (${sql.join([...RESTRICTED_TLP])}) or exists (
    select 1 from incident_role r where r.incident_id = ${sql.ref(`${alias}.id`)} and r.user_id = ${scope.userId ?? NIL_UUID}))`;
}

const visible = (scope: IncidentScope) => visibleSql(scope, 'incident');

/** Whether the scope may see an incident's RED and AMBER+STRICT entries (privileged, or a role holder). */
export async function seesRestricted(x: Executor, scope: IncidentScope, incidentId: string): Promise<boolean> {
  if (scope.privileged) return true;
  if (!scope.userId) return false;
  const row = await x
    .selectFrom('incidentRole')
    .select('incidentId')
    .where('incidentId', '=', incidentId)
    .where('userId', '=', scope.userId)
    .limit(1)
    .executeTakeFirst();
  return !!row;
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

  insert: (x: Executor, row: IncidentInsert): Promise<IncidentRow> =>
    x.insertInto('incident').values(row).returningAll().executeTakeFirstOrThrow(),

  findVisible: (x: Executor, scope: IncidentScope, idOrRef: string): Promise<IncidentRow | undefined> =>
    x
      .selectFrom('incident')
      .selectAll()
      .where(/^[0-9a-f-]{36}$/i.test(idOrRef) ? 'incident.id' : 'incident.reference', '=', idOrRef)
      .where(visible(scope))
      .executeTakeFirst(),

  lockById: (x: Executor, id: string): Promise<IncidentRow | undefined> =>
    x.selectFrom('incident').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),

  update: (x: Executor, id: string, patch: IncidentPatch): Promise<IncidentRow> =>
    x
      .updateTable('incident')
      .set((eb) => ({ ...patch, version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow(),

  list(x: Executor, scope: IncidentScope, f: IncidentFilter): Promise<IncidentRow[]> {
    let q = x.selectFrom('incident').selectAll('incident').where(visible(scope));
    if (f.status?.length) q = q.where('incident.status', 'in', f.status);
    if (f.open) q = q.where('incident.status', '<>', 'closed');
    if (f.priority?.length) q = q.where('incident.priority', 'in', f.priority);
    if (f.tlp?.length) q = q.where('incident.tlp', 'in', f.tlp);
    if (f.exercise !== undefined) q = q.where('incident.exercise', '=', f.exercise);
    if (f.constituent) q = q.where('incident.constituent', '=', f.constituent);
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
    if (f.q) {
      const query = sql`websearch_to_tsquery('simple', ${f.q})`;
      const notesVisible = scope.privileged
        ? sql<boolean>`true`
        : sql<boolean>`(e.tlp is null or e.tlp not in (${sql.join([...RESTRICTED_TLP])}) or exists (
            select 1 from incident_role r where r.incident_id = e.incident_id and r.user_id = ${scope.userId ?? NIL_UUID}))`;
      q = q.where(sql<boolean>`(incident.search @@ ${query} or exists (
        select 1 from incident_event e where e.incident_id = incident.id
          and e.kind in ('incident.note_added', 'task.note_added')
          and to_tsvector('simple', e.data->>'body') @@ ${query} and ${notesVisible}))`);
    }
    if (f.after) {
      const { createdAt, id } = f.after;
      q = q.where((eb) => eb.or([eb('incident.createdAt', '<', createdAt), eb.and([eb('incident.createdAt', '=', createdAt), eb('incident.id', '<', id)])]));
    }
    return q.orderBy('incident.createdAt', 'desc').orderBy('incident.id', 'desc').limit(f.limit).execute();
  },

  classifications: (x: Executor, incidentIds: string[]) =>
    incidentIds.length === 0
      ? Promise.resolve([])
      : x.selectFrom('incidentClassification').selectAll().where('incidentId', 'in', incidentIds).orderBy('isPrimary', 'desc').orderBy('class').orderBy('type').execute(),

  replaceClassifications: async (x: Executor, incidentId: string, rows: { class: string; type: string; isPrimary: boolean }[]) => {
    await x.deleteFrom('incidentClassification').where('incidentId', '=', incidentId).execute();
    if (rows.length) await x.insertInto('incidentClassification').values(rows.map((r) => ({ ...r, incidentId }))).execute();
  },

  roles: (x: Executor, incidentIds: string[]) =>
    incidentIds.length === 0
      ? Promise.resolve([])
      : x
          .selectFrom('incidentRole')
          .innerJoin('appUser', 'appUser.id', 'incidentRole.userId')
          .select(['incidentRole.incidentId', 'incidentRole.role', 'incidentRole.userId', 'incidentRole.assignedAt', 'appUser.username', 'appUser.displayName'])
          .where('incidentRole.incidentId', 'in', incidentIds)
          .orderBy('incidentRole.assignedAt')
          .execute(),

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
