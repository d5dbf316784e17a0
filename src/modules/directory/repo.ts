import { sql, type Insertable, type Updateable } from 'kysely';
import type { Executor } from '../../db/index.ts';
import type { ContactKind, ExternalContactRow, ExternalContactTable, Seat, TeamMemberTable } from '../../db/schema-directory.ts';
import type { IncidentRoleName } from '../../db/schema.ts';

/** Roles that make an account part of the team (reporters are outsiders). */
export { TEAM_ROLES } from '../../lib/authz/incidents.ts';
import { TEAM_ROLES } from '../../lib/authz/incidents.ts';

export interface MemberFilter {
  seat?: Seat | undefined;
  skill?: string | undefined;
  includeDisabled?: boolean | undefined;
}

/** A team member: the account's name and state, and the directory profile (defaults when never edited). */
const memberColumns = [
  'u.id as userId', 'u.username', 'u.displayName', 'u.email', 'u.roles', 'u.disabledAt',
  sql<Seat[]>`coalesce(m.seats, '{}')`.as('seats'),
  sql<string[]>`coalesce(m.skills, '{}')`.as('skills'),
  sql<string>`coalesce(m.phone, '')`.as('phone'),
  'm.timeZone',
  sql<string[]>`coalesce(m.languages, '{}')`.as('languages'),
  sql<string>`coalesce(m.notes, '')`.as('notes'),
  sql<number>`coalesce(m.version, 0)`.as('version'),
  'm.updatedBy', 'm.updatedAt',
] as const;

function members(x: Executor) {
  return x
    .selectFrom('appUser as u')
    .leftJoin('teamMember as m', 'm.userId', 'u.id')
    .select(memberColumns)
    .where(sql<boolean>`u.roles && ${sql.val([...TEAM_ROLES])}::text[]`);
}
export type MemberRow = Awaited<ReturnType<ReturnType<typeof members>['executeTakeFirstOrThrow']>>;

export const teamRepo = {
  list: (x: Executor, f: MemberFilter): Promise<MemberRow[]> => {
    let q = members(x);
    if (f.seat) q = q.where(sql<boolean>`${f.seat} = any(m.seats)`);
    if (f.skill) q = q.where(sql<boolean>`${f.skill} = any(m.skills)`);
    if (!f.includeDisabled) q = q.where('u.disabledAt', 'is', null);
    return q.orderBy('u.displayName').orderBy('u.id').execute();
  },

  find: (x: Executor, userId: string): Promise<MemberRow | undefined> => members(x).where('u.id', '=', userId).executeTakeFirst(),

  /** Locks the member's profile row, creating it (version 0) first if it was never edited. */
  lockProfile: async (x: Executor, userId: string) => {
    await x.insertInto('teamMember').values({ userId }).onConflict((oc) => oc.column('userId').doNothing()).execute();
    return x.selectFrom('teamMember').selectAll().where('userId', '=', userId).forUpdate().executeTakeFirstOrThrow();
  },

  updateProfile: (x: Executor, userId: string, patch: Updateable<TeamMemberTable>) =>
    x.updateTable('teamMember').set(patch).where('userId', '=', userId).returningAll().executeTakeFirstOrThrow(),

  /** Active (not disabled) team members holding the seat, by name. */
  inSeat: (x: Executor, seat: Seat): Promise<MemberRow[]> =>
    members(x).where(sql<boolean>`${seat} = any(m.seats)`).where('u.disabledAt', 'is', null).orderBy('u.displayName').orderBy('u.id').execute(),

  /** Every skill in use, with how many active members have it (for filters and suggestions). */
  skills: (x: Executor) =>
    x
      .selectFrom(sql<{ skill: string; userId: string }>`(select unnest(m.skills) as skill, m.user_id from team_member m join app_user u on u.id = m.user_id where u.disabled_at is null)`.as('s'))
      .select(['s.skill', (eb) => eb.fn.countAll<number>().as('members')])
      .groupBy('s.skill')
      .orderBy('s.skill')
      .execute(),
};

export interface ContactFilter {
  q?: string | undefined;
  kind?: ContactKind | undefined;
  includeInactive?: boolean | undefined;
  limit: number;
  offset: number;
}

const likeEscaped = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function contactWhere(x: Executor, f: Omit<ContactFilter, 'limit' | 'offset'>) {
  let q = x.selectFrom('externalContact');
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (!f.includeInactive) q = q.where('active', '=', true);
  if (f.q) {
    const p = likeEscaped(f.q);
    q = q.where((eb) => eb.or(['name', 'organisation', 'purpose', 'contractRef', 'email', 'notes'].map((c) => eb(sql.ref(c), 'ilike', p))));
  }
  return q;
}

export const contactRepo = {
  list: (x: Executor, f: ContactFilter): Promise<ExternalContactRow[]> =>
    contactWhere(x, f).selectAll().orderBy(sql`lower(name)`).orderBy('id').limit(f.limit).offset(f.offset).execute(),

  count: (x: Executor, f: Omit<ContactFilter, 'limit' | 'offset'>): Promise<number> =>
    contactWhere(x, f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow().then((r) => Number(r.n)),

  findById: (x: Executor, id: string): Promise<ExternalContactRow | undefined> =>
    x.selectFrom('externalContact').selectAll().where('id', '=', id).executeTakeFirst(),

  lockById: (x: Executor, id: string): Promise<ExternalContactRow | undefined> =>
    x.selectFrom('externalContact').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),

  insert: (x: Executor, row: Insertable<ExternalContactTable>): Promise<ExternalContactRow> =>
    x.insertInto('externalContact').values(row).returningAll().executeTakeFirstOrThrow(),

  update: (x: Executor, id: string, patch: Updateable<ExternalContactTable>): Promise<ExternalContactRow> =>
    x.updateTable('externalContact').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow(),

  delete: (x: Executor, id: string) => x.deleteFrom('externalContact').where('id', '=', id).executeTakeFirst(),

  /** How many incident roles the contact holds (a contact in use is deactivated, not deleted). */
  roleCount: (x: Executor, id: string): Promise<number> =>
    x.selectFrom('incidentContactRole').where('contactId', '=', id).select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow().then((r) => Number(r.n)),
};

export const incidentContactRepo = {
  /** The contacts holding roles in an incident, in the order they were given them, with how to reach them. */
  list: (x: Executor, incidentId: string) =>
    x
      .selectFrom('incidentContactRole as r')
      .innerJoin('externalContact as c', 'c.id', 'r.contactId')
      .select(['r.role', 'r.contactId', 'r.assignedAt', 'c.name', 'c.organisation', 'c.kind', 'c.email', 'c.phone', 'c.emergencyPhone', 'c.hours', 'c.timeZone', 'c.active', 'c.pgpFingerprint'])
      .where('r.incidentId', '=', incidentId)
      .orderBy('r.assignedAt')
      .orderBy('c.name')
      .execute(),

  add: (x: Executor, incidentId: string, role: IncidentRoleName, contactId: string, at: Date) =>
    x.insertInto('incidentContactRole').values({ incidentId, role, contactId, assignedAt: at }).onConflict((oc) => oc.doNothing()).executeTakeFirst()
      .then((r) => Number(r.numInsertedOrUpdatedRows ?? 0) > 0),

  remove: (x: Executor, incidentId: string, role: IncidentRoleName, contactId: string) =>
    x.deleteFrom('incidentContactRole').where('incidentId', '=', incidentId).where('role', '=', role).where('contactId', '=', contactId).executeTakeFirst()
      .then((r) => Number(r.numDeletedRows) > 0),
};
