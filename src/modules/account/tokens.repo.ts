import type { Executor } from '../../db/index.ts';
import type { ApiTokenRow, Role, UserRow } from '../../db/schema.ts';
import { constituentIdsSql, scopeIds } from '../../lib/authz/access.repo.ts';

export const tokenRepo = {
  insert: (
    x: Executor,
    t: { userId: string; name: string; tokenHash: string; roles: Role[]; expiresAt: Date },
  ): Promise<ApiTokenRow> => x.insertInto('apiToken').values(t).returningAll().executeTakeFirstOrThrow(),

  /** The live token for a hash with its owner and the owner's constituents (null: unscoped), in one statement (every API request asks). */
  findLiveByHash: async (
    x: Executor,
    tokenHash: string,
  ): Promise<{ token: Pick<ApiTokenRow, 'id' | 'roles' | 'expiresAt' | 'lastUsedAt'>; user: UserRow; constituentIds: string[] | null } | undefined> => {
    const row = await x
      .selectFrom('apiToken')
      .innerJoin('appUser', 'appUser.id', 'apiToken.userId')
      .selectAll('appUser')
      .select(['apiToken.id as tokenId', 'apiToken.roles as tokenRoles', 'apiToken.expiresAt as tokenExpiresAt', 'apiToken.lastUsedAt as tokenLastUsedAt'])
      .select(constituentIdsSql('app_user.id').as('userConstituentIds'))
      .where('apiToken.tokenHash', '=', tokenHash)
      .where('apiToken.revokedAt', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    const { tokenId, tokenRoles, tokenExpiresAt, tokenLastUsedAt, userConstituentIds, ...user } = row;
    return { token: { id: tokenId, roles: tokenRoles, expiresAt: tokenExpiresAt, lastUsedAt: tokenLastUsedAt }, user, constituentIds: scopeIds(userConstituentIds) };
  },

  listForUser: (x: Executor, userId: string): Promise<ApiTokenRow[]> =>
    x.selectFrom('apiToken').selectAll().where('userId', '=', userId).orderBy('createdAt', 'desc').execute(),

  findById: (x: Executor, id: string): Promise<ApiTokenRow | undefined> =>
    x.selectFrom('apiToken').selectAll().where('id', '=', id).executeTakeFirst(),

  touch: (x: Executor, id: string, now: Date) =>
    x.updateTable('apiToken').set({ lastUsedAt: now }).where('id', '=', id).execute(),

  revoke: (x: Executor, id: string, now: Date): Promise<ApiTokenRow> =>
    x.updateTable('apiToken').set({ revokedAt: now }).where('id', '=', id).returningAll().executeTakeFirstOrThrow(),

  revokeAllForUser: async (x: Executor, userId: string, now: Date): Promise<number> => {
    const r = await x
      .updateTable('apiToken')
      .set({ revokedAt: now })
      .where('userId', '=', userId)
      .where('revokedAt', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  },
};
