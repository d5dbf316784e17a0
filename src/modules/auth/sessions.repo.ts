import type { Executor } from '../../db/index.ts';
import type { SessionRow, UserRow } from '../../db/schema.ts';
import { constituentIdsSql, scopeIds } from '../../lib/authz/access.repo.ts';

export interface NewSession {
  userId: string;
  tokenHash: string;
  mfaPending: boolean;
  lastSeenAt: Date;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
}

export const sessionRepo = {
  insert: (x: Executor, s: NewSession): Promise<SessionRow> =>
    x.insertInto('userSession').values(s).returningAll().executeTakeFirstOrThrow(),

  /**
   * The live session for a token hash with its user and the user's constituents (null: unscoped),
   * in one statement, or undefined. Expiry is judged by the caller.
   */
  findLiveByTokenHash: async (
    x: Executor,
    tokenHash: string,
  ): Promise<{ session: Pick<SessionRow, 'id' | 'expiresAt' | 'lastSeenAt' | 'mfaPending'>; user: UserRow; constituentIds: string[] | null } | undefined> => {
    const row = await x
      .selectFrom('userSession')
      .innerJoin('appUser', 'appUser.id', 'userSession.userId')
      .selectAll('appUser')
      .select(['userSession.id as sessionId', 'userSession.expiresAt as sessionExpiresAt', 'userSession.lastSeenAt as sessionLastSeenAt', 'userSession.mfaPending as sessionMfaPending'])
      .select(constituentIdsSql('app_user.id').as('userConstituentIds'))
      .where('userSession.tokenHash', '=', tokenHash)
      .where('userSession.revokedAt', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    const { sessionId, sessionExpiresAt, sessionLastSeenAt, sessionMfaPending, userConstituentIds, ...user } = row;
    return {
      session: { id: sessionId, expiresAt: sessionExpiresAt, lastSeenAt: sessionLastSeenAt, mfaPending: sessionMfaPending },
      user,
      constituentIds: scopeIds(userConstituentIds),
    };
  },

  findById: (x: Executor, id: string): Promise<SessionRow | undefined> =>
    x.selectFrom('userSession').selectAll().where('id', '=', id).executeTakeFirst(),

  listLiveForUser: (x: Executor, userId: string, now: Date): Promise<SessionRow[]> =>
    x
      .selectFrom('userSession')
      .selectAll()
      .where('userId', '=', userId)
      .where('revokedAt', 'is', null)
      .where('mfaPending', '=', false)
      .where('expiresAt', '>', now)
      .orderBy('lastSeenAt', 'desc')
      .execute(),

  touch: (x: Executor, id: string, now: Date) =>
    x.updateTable('userSession').set({ lastSeenAt: now }).where('id', '=', id).execute(),

  revoke: (x: Executor, id: string, now: Date) =>
    x.updateTable('userSession').set({ revokedAt: now }).where('id', '=', id).where('revokedAt', 'is', null).execute(),

  /** Revokes every live session of a user except, optionally, one; returns how many. */
  revokeAllForUser: async (x: Executor, userId: string, now: Date, exceptId?: string): Promise<number> => {
    let q = x.updateTable('userSession').set({ revokedAt: now }).where('userId', '=', userId).where('revokedAt', 'is', null);
    if (exceptId) q = q.where('id', '<>', exceptId);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows);
  },
};
