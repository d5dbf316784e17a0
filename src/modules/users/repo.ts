import { sql } from 'kysely';
import type { Executor } from '../../db/index.ts';
import type { NewUser, Role, UserPatch, UserRow } from '../../db/schema.ts';
import { TEAM_ROLES } from '../../lib/authz/incidents.ts';

export const userRepo = {
  /** The registered constituents this organisation name names (none, or one: names are unique). */
  constituentsNamed: async (x: Executor, name: string | null): Promise<string[]> =>
    name ? (await x.selectFrom('constituent').select('id').where(sql<boolean>`lower(name) = lower(${name})`).execute()).map((r) => r.id) : [],

  findById: (x: Executor, id: string): Promise<UserRow | undefined> =>
    x.selectFrom('appUser').selectAll().where('id', '=', id).executeTakeFirst(),

  lockById: (x: Executor, id: string): Promise<UserRow | undefined> =>
    x.selectFrom('appUser').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),

  findByUsername: (x: Executor, username: string): Promise<UserRow | undefined> =>
    x.selectFrom('appUser').selectAll().where('username', '=', username).executeTakeFirst(),

  list: (x: Executor): Promise<UserRow[]> => x.selectFrom('appUser').selectAll().orderBy('username').execute(),

  /** Accounts holding a team role (not reporter-only accounts): only what a picker shows. */
  teamMembers: (x: Executor) =>
    x
      .selectFrom('appUser')
      .select(['id', 'username', 'displayName', 'roles', 'disabledAt'])
      .where(sql<boolean>`roles && ${[...TEAM_ROLES]}::text[]`)
      .orderBy('displayName')
      .orderBy('username')
      .execute(),

  count: (x: Executor): Promise<number> =>
    x
      .selectFrom('appUser')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n)),

  /** Active admins other than the given user, locked so two demotions cannot race past zero. */
  otherActiveAdmins: (x: Executor, exceptId: string): Promise<{ id: string }[]> =>
    x
      .selectFrom('appUser')
      .select('id')
      .where('id', '<>', exceptId)
      .where('disabledAt', 'is', null)
      .where(sql<boolean>`'admin' = any(roles)`)
      .forUpdate()
      .execute(),

  insert: (x: Executor, u: NewUser): Promise<UserRow> =>
    x.insertInto('appUser').values(u).returningAll().executeTakeFirstOrThrow(),

  update: (x: Executor, id: string, patch: UserPatch): Promise<UserRow> =>
    x.updateTable('appUser').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow(),

  setRoles: (x: Executor, id: string, roles: Role[], now: Date): Promise<UserRow> =>
    x.updateTable('appUser').set({ roles, updatedAt: now }).where('id', '=', id).returningAll().executeTakeFirstOrThrow(),
};

export const recoveryCodeRepo = {
  replaceAll: async (x: Executor, userId: string, hashes: string[]) => {
    await x.deleteFrom('recoveryCode').where('userId', '=', userId).execute();
    if (hashes.length) await x.insertInto('recoveryCode').values(hashes.map((codeHash) => ({ userId, codeHash }))).execute();
  },
  /** Marks an unused code as used; returns whether one matched. */
  consume: async (x: Executor, userId: string, codeHash: string, now: Date): Promise<boolean> => {
    const r = await x
      .updateTable('recoveryCode')
      .set({ usedAt: now })
      .where('userId', '=', userId)
      .where('codeHash', '=', codeHash)
      .where('usedAt', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
  countUnused: (x: Executor, userId: string): Promise<number> =>
    x
      .selectFrom('recoveryCode')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('userId', '=', userId)
      .where('usedAt', 'is', null)
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n)),
};
