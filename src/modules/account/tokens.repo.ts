import type { Executor } from '../../db/index.ts';
import type { ApiTokenRow, Role, UserRow } from '../../db/schema.ts';

export const tokenRepo = {
  insert: (
    x: Executor,
    t: { userId: string; name: string; tokenHash: string; roles: Role[]; expiresAt: Date },
  ): Promise<ApiTokenRow> => x.insertInto('apiToken').values(t).returningAll().executeTakeFirstOrThrow(),

  findLiveByHash: async (x: Executor, tokenHash: string): Promise<{ token: ApiTokenRow; user: UserRow } | undefined> => {
    const token = await x
      .selectFrom('apiToken')
      .selectAll()
      .where('tokenHash', '=', tokenHash)
      .where('revokedAt', 'is', null)
      .executeTakeFirst();
    if (!token) return undefined;
    const user = await x.selectFrom('appUser').selectAll().where('id', '=', token.userId).executeTakeFirst();
    return user ? { token, user } : undefined;
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
