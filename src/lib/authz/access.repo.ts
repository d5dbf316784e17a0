// The access module's repository: the one place that turns "who may see what" into SQL. Every read
// of incidents, and of what hangs off them (reports, alerts, observables, evidence, timelines,
// figures), joins through these fragments; every bulk action checks its ids here in one query.
// The rule (docs/access.md): role → permission (policy.ts), then TLP / need-to-know, then
// constituent scope.
import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/index.ts';
import { INCIDENT_COLUMNS, type IncidentRow } from '../../db/schema.ts';
import type { Actor } from '../actor.ts';
import { VigilError, type ErrorCode } from '../errors.ts';
import { RESTRICTED_TLP } from '../tlp.ts';
import { incidentScope, PRIVILEGED_ROLES, seesAll, TEAM_ROLES, type IncidentScope } from './incidents.ts';
import { authorize, type Permission } from './policy.ts';

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * How a need-to-know test reaches the role table: `row` probes it for each restricted incident the
 * query reaches (pages, which reach a few dozen); `set` lets the planner read all of the user's
 * roles into a hash once (counts, which reach every incident). PostgreSQL picks the hash for pages
 * too unless told otherwise, and a handler with ten thousand roles then pays for all of them on
 * every page: `offset 0` keeps the subquery a per-row probe.
 */
export type NeedToKnowReach = 'row' | 'set';

/** Whether the scope's user holds a role in, or is the assignee of, the incident `alias` names (or is privileged). */
export function needToKnow(scope: IncidentScope, alias: string, reach: NeedToKnowReach = 'row'): RawBuilder<boolean> {
  if (scope.privileged) return sql<boolean>`true`;
  const user = scope.userId ?? NIL_UUID;
  return sql<boolean>`(${sql.ref(`${alias}.assignee_id`)} = ${user} or exists (
    select 1 from incident_role r where r.incident_id = ${sql.ref(`${alias}.id`)} and r.user_id = ${user}${reach === 'row' ? sql` offset 0` : sql``}))`;
}

/**
 * Whether the incident `alias` names is of one of the scope's constituents (always, unscoped).
 * Incidents name their constituent as text; the names of the scope's constituents are read once
 * per statement (an uncorrelated sub-select), and compared case-insensitively (index, migration 0032).
 */
export function inConstituents(scope: IncidentScope, alias: string): RawBuilder<boolean> {
  if (scope.constituentIds === null) return sql<boolean>`true`;
  if (scope.constituentIds.length === 0) return sql<boolean>`false`;
  return sql<boolean>`(lower(${sql.ref(`${alias}.constituent`)}) = any(array(
    select lower(c.name) from constituent c where c.id = any(${scope.constituentIds}::uuid[]))))`;
}

const restricted = sql.join([...RESTRICTED_TLP]);

/**
 * The constituents of the user `userRef` names (a column such as `app_user.id`), as a uuid array
 * (empty: none), to be read in the same statement as the user: each request's credentials are
 * checked with it (`scopeIds` turns it into the actor's `constituentIds`).
 */
export function constituentIdsSql(userRef: string): RawBuilder<string[]> {
  return sql<string[]>`array(select uc.constituent_id from user_constituent uc where uc.user_id = ${sql.ref(userRef)} order by uc.constituent_id)`;
}

/** An actor's `constituentIds` from what `constituentIdsSql` read: null (unscoped) when none. */
export const scopeIds = (ids: readonly string[] | null | undefined): string[] | null => (ids && ids.length ? [...ids] : null);

/**
 * The access rule for incidents as SQL, applied to every read of incidents (lists, gets, counts,
 * search, similar incidents, links, observable and report searches, live updates, exports, KPIs):
 * within the scope's constituents, and RED and AMBER+STRICT only for those with a need to know.
 * `alias` names the incident table in the query.
 */
export function visibleSql(scope: IncidentScope, alias: string, reach: NeedToKnowReach = 'row'): RawBuilder<boolean> {
  if (seesAll(scope)) return sql<boolean>`true`;
  const tlp = scope.privileged ? sql<boolean>`true` : sql<boolean>`(${sql.ref(`${alias}.tlp`)} not in (${restricted}) or ${needToKnow(scope, alias, reach)})`;
  if (scope.constituentIds === null) return tlp;
  return sql<boolean>`(${inConstituents(scope, alias)} and ${tlp})`;
}

/**
 * Reports the team scope may see: a report on an incident follows that incident; one on none is
 * seen by unscoped members, and by scoped ones when it was recorded for one of their constituents.
 */
export function reportVisibleSql(scope: IncidentScope, alias = 'report', reach: NeedToKnowReach = 'row'): RawBuilder<boolean> {
  if (seesAll(scope)) return sql<boolean>`true`;
  const loose = scope.constituentIds === null
    ? sql<boolean>`true`
    : sql<boolean>`${sql.ref(`${alias}.constituent_id`)} = any(${scope.constituentIds}::uuid[])`;
  return sql<boolean>`(case when ${sql.ref(`${alias}.incident_id`)} is null then ${loose} else exists (
    select 1 from incident where incident.id = ${sql.ref(`${alias}.incident_id`)} and ${visibleSql(scope, 'incident', reach)}) end)`;
}

/**
 * Alerts the scope may see: an alert on an incident follows that incident; one on none (the
 * monitoring queue, not yet tied to any constituent) is seen by unscoped members only.
 */
export function alertVisibleSql(scope: IncidentScope, alias = 'alert', reach: NeedToKnowReach = 'row'): RawBuilder<boolean> {
  if (seesAll(scope)) return sql<boolean>`true`;
  const loose = scope.constituentIds === null ? sql<boolean>`true` : sql<boolean>`false`;
  return sql<boolean>`(case when ${sql.ref(`${alias}.incident_id`)} is null then ${loose} else exists (
    select 1 from incident where incident.id = ${sql.ref(`${alias}.incident_id`)} and ${visibleSql(scope, 'incident', reach)}) end)`;
}

/** Whether the scope may see an incident's RED and AMBER+STRICT entries (privileged, a role holder or the assignee). */
export async function seesRestricted(x: Executor, scope: IncidentScope, incidentId: string): Promise<boolean> {
  if (scope.privileged) return true;
  if (!scope.userId) return false;
  const row = await x.selectFrom('incident').select('id').where('id', '=', incidentId).where(needToKnow(scope, 'incident')).executeTakeFirst();
  return !!row;
}

/** What `requireAccess` can check, and the error a missing id gets. */
const ENTITIES = {
  incident: { code: 'VIG_INCIDENT_NOT_FOUND', table: 'incident', rule: (s: IncidentScope) => visibleSql(s, 'incident') },
  alert: { code: 'VIG_ALERT_NOT_FOUND', table: 'alert', rule: (s: IncidentScope) => alertVisibleSql(s, 'alert') },
  report: { code: 'VIG_REPORT_NOT_FOUND', table: 'report', rule: (s: IncidentScope) => reportVisibleSql(s, 'report') },
} as const satisfies Record<string, { code: ErrorCode; table: string; rule: (s: IncidentScope) => RawBuilder<boolean> }>;
export type AccessEntity = keyof typeof ENTITIES;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const accessRepo = {
  /**
   * Of these ids or references of `entity`, those the scope may see, each to its id: one
   * statement, however many.
   */
  async visible(x: Executor, scope: IncidentScope, entity: AccessEntity, keys: readonly string[]): Promise<Map<string, string>> {
    const ids = keys.filter((k) => UUID.test(k));
    const refs = keys.filter((k) => !UUID.test(k));
    const out = new Map<string, string>();
    if (keys.length === 0) return out;
    const e = ENTITIES[entity];
    const t = (c: string) => sql.ref(`${e.table}.${c}`);
    const r = await sql<{ id: string; reference: string }>`select ${t('id')} as id, ${t('reference')} as reference from ${sql.table(e.table)}
      where (${t('id')} = any(${ids}::uuid[]) or ${t('reference')} = any(${refs}::text[])) and ${e.rule(scope)}`.execute(x);
    for (const row of r.rows) {
      out.set(row.id, row.id);
      out.set(row.reference, row.id);
    }
    return out;
  },

  seesRestricted,

  /** The id of the incident with this id or reference, if the scope may see it. */
  visibleIncidentId: async (x: Executor, scope: IncidentScope, idOrRef: string): Promise<string | undefined> =>
    (await x.selectFrom('incident').select('id')
      .where(UUID.test(idOrRef) ? 'incident.id' : 'incident.reference', '=', idOrRef)
      .where(visibleSql(scope, 'incident')).executeTakeFirst())?.id,

  /** Locks an incident's row for the rest of the transaction and reads it. */
  lockIncident: async (x: Executor, id: string): Promise<IncidentRow> =>
    x.selectFrom('incident').select(INCIDENT_COLUMNS).where('id', '=', id).forUpdate().executeTakeFirstOrThrow(),

  /**
   * Which of these users may read the incident in full (notifications, pages): within their
   * constituent scope, and for a RED or AMBER+STRICT incident with a need to know (admins,
   * managers, its assignee and its role holders). Active accounts only.
   */
  usersWhoSee: async (x: Executor, incidentId: string, userIds: readonly string[]): Promise<string[]> =>
    userIds.length === 0 ? [] : (await sql<{ id: string }>`
      select u.id from app_user u, incident i
       where i.id = ${incidentId} and u.id = any(${[...userIds]}::uuid[]) and u.disabled_at is null
         and (i.tlp not in (${restricted}) or u.roles && ${[...PRIVILEGED_ROLES]}::text[] or i.assignee_id = u.id
              or exists (select 1 from incident_role r where r.incident_id = i.id and r.user_id = u.id))
         and (not exists (select 1 from user_constituent uc where uc.user_id = u.id)
              or exists (select 1 from user_constituent uc join constituent c on c.id = uc.constituent_id
                          where uc.user_id = u.id and lower(c.name) = lower(i.constituent)))`.execute(x)).rows.map((r) => r.id),

  /** The constituents a user is limited to (team) or belongs to (reporter), or null when none. */
  async constituentsOf(x: Executor, userId: string): Promise<string[] | null> {
    const rows = await x.selectFrom('userConstituent').select('constituentId').where('userId', '=', userId).orderBy('constituentId').execute();
    return rows.length ? rows.map((r) => r.constituentId) : null;
  },

  /** The constituent rows of several users at once (the users page). */
  async constituentsOfMany(x: Executor, userIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (userIds.length === 0) return out;
    const rows = await x.selectFrom('userConstituent').select(['userId', 'constituentId']).where('userId', 'in', [...userIds]).orderBy('constituentId').execute();
    for (const r of rows) out.set(r.userId, [...(out.get(r.userId) ?? []), r.constituentId]);
    return out;
  },

  /** Replaces a user's constituent rows (an empty list: unscoped). Returns the ids that do not name a constituent. */
  async setConstituents(x: Executor, userId: string, constituentIds: readonly string[]): Promise<string[]> {
    const ids = [...new Set(constituentIds)];
    const known = ids.length ? (await x.selectFrom('constituent').select('id').where('id', 'in', ids).execute()).map((r) => r.id) : [];
    const unknown = ids.filter((id) => !known.includes(id));
    if (unknown.length) return unknown;
    await x.deleteFrom('userConstituent').where('userId', '=', userId).execute();
    if (ids.length) await x.insertInto('userConstituent').values(ids.map((constituentId) => ({ userId, constituentId }))).execute();
    return [];
  },

  /** Team members (not reporters) limited to this constituent and to no other: deleting it would unscope them. */
  membersOnlyIn: async (x: Executor, constituentId: string): Promise<string[]> =>
    (await sql<{ username: string }>`
      select u.username from user_constituent uc join app_user u on u.id = uc.user_id
       where uc.constituent_id = ${constituentId} and u.roles && ${[...TEAM_ROLES]}::text[]
         and not exists (select 1 from user_constituent o where o.user_id = uc.user_id and o.constituent_id <> uc.constituent_id)
       order by u.username`.execute(x)).rows.map((r) => r.username),
};

/**
 * A member limited to constituents may name only those on an incident (declaring or editing it):
 * anything else, or none, would make an incident they could not see. Unscoped actors name anything.
 */
export async function requireConstituentName(x: Executor, actor: Actor, name: string | null): Promise<void> {
  if (!actor.constituentIds) return;
  const ok = name !== null && actor.constituentIds.length > 0 && !!(await x.selectFrom('constituent').select('id')
    .where('id', 'in', [...actor.constituentIds]).where(sql<boolean>`lower(name) = lower(${name})`).executeTakeFirst());
  if (!ok) throw new VigilError('VIG_REQUEST_INVALID', { errors: [{ path: 'constituent', message: 'one of the constituents you are limited to' }] });
}

/**
 * A set-based check (as Immich's access repository does): the actor holds `permission`, and may
 * see every one of `ids` (ids or references of incidents, alerts or reports), checked in one
 * statement whatever their number. Throws the entity's not-found error for the first it may not
 * see (never telling "exists but not yours" from "does not exist"). Returns the distinct ids, in
 * the order given.
 */
export async function requireAccess(
  x: Executor, actor: Actor | null | undefined, permission: Permission, ids: readonly string[], entity: AccessEntity = 'incident',
): Promise<string[]> {
  authorize(actor, permission);
  const keys = [...new Set(ids)];
  const seen = await accessRepo.visible(x, incidentScope(actor), entity, keys);
  const missing = keys.find((k) => !seen.has(k));
  if (missing !== undefined) throw new VigilError(ENTITIES[entity].code, { id: missing });
  return [...new Set(keys.map((k) => seen.get(k)!))];
}

/**
 * The incident (by id or reference) the actor is about to change, locked for the rest of the
 * transaction: not found (404) unless the scope may see it, then forbidden (403) unless the actor
 * holds `permission`, then the row is locked and read. Every change to an incident, in any module,
 * starts here. (Whether the caller read the current version is the incidents module's concern.)
 */
export async function lockVisible(
  x: Executor, actor: Actor, scope: IncidentScope, idOrRef: string, permission: Permission,
): Promise<IncidentRow> {
  const id = await accessRepo.visibleIncidentId(x, scope, idOrRef);
  if (!id) throw new VigilError('VIG_INCIDENT_NOT_FOUND', { id: idOrRef });
  authorize(actor, permission);
  return accessRepo.lockIncident(x, id);
}
