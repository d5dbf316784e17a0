import type { FastifyRequest } from 'fastify';
import type { Db, Executor } from '../../db/index.ts';
import { clientMeta, SESSION_COOKIE, type AuthContext } from '../../lib/http.ts';
import type { ApiTokenRow, Role, UserRow } from '../../db/schema.ts';
import { userActor, type ClientMeta, type Clock } from '../../lib/actor.ts';
import { sha256Hex } from '../../lib/crypto.ts';
import { VigilError } from '../../lib/errors.ts';
import type { SettingsService } from '../settings/index.ts';
import { sessionRepo } from './sessions.repo.ts';

/** Writes of last-seen times are skipped when the stored one is younger than this. */
const TOUCH_EVERY_MS = 60_000;
export const TOKEN_PREFIX = 'vgl_';

/**
 * What signing in needs of API tokens. The account module keeps them (its `apiTokens`) and builds on
 * auth, so auth is given them (src/services.ts) rather than importing them.
 */
export interface TokenStore {
  /** The live token for a hash, with its owner and the owner's constituents (null: unscoped), in one statement. */
  findLive(x: Executor, tokenHash: string): Promise<{ token: Pick<ApiTokenRow, 'id' | 'roles' | 'expiresAt' | 'lastUsedAt'>; user: UserRow; constituentIds: string[] | null } | undefined>;
  /** Records that a token was used now. */
  markUsed(x: Executor, id: string, now: Date): Promise<unknown>;
  /** Revokes every live token of a user; how many there were. */
  revokeAllOf(x: Executor, userId: string, now: Date): Promise<number>;
}

export function createAuthenticator(d: {
  db: Db;
  clock: Clock;
  settings: SettingsService;
  sessionIdleMs: number;
  tokens: TokenStore;
}) {
  return {
    /** The session behind a cookie token, or null when unknown, revoked, expired, idle or its user disabled. */
    async fromSession(token: string, meta: ClientMeta, opts: { touch?: boolean } = {}): Promise<AuthContext | null> {
      if (token.length < 20 || token.length > 200) return null;
      const found = await sessionRepo.findLiveByTokenHash(d.db, sha256Hex(token));
      if (!found) return null;
      const { session, user, constituentIds } = found;
      const now = d.clock.now();
      const t = now.getTime();
      if (user.disabledAt || session.expiresAt.getTime() <= t) return null;
      if (session.lastSeenAt.getTime() + d.sessionIdleMs <= t) return null;
      if (opts.touch !== false && t - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) await sessionRepo.touch(d.db, session.id, now);
      const settings = await d.settings.current();
      return {
        actor: { ...userActor(user, meta, session.id), constituentIds },
        user,
        sessionId: session.id,
        mfaPending: session.mfaPending,
        mustChangePassword: user.mustChangePassword,
        mfaEnrolmentRequired: settings.requireMfa && !user.mfaEnabledAt,
      };
    },

    /** The API token behind a Bearer header; throws VIG_AUTH_TOKEN_INVALID when it is not usable. */
    async fromToken(token: string, meta: ClientMeta, opts: { touch?: boolean } = {}): Promise<AuthContext> {
      if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) throw new VigilError('VIG_AUTH_TOKEN_INVALID');
      const found = await d.tokens.findLive(d.db, sha256Hex(token));
      const now = d.clock.now();
      if (!found || found.user.disabledAt || found.token.expiresAt.getTime() <= now.getTime()) {
        throw new VigilError('VIG_AUTH_TOKEN_INVALID');
      }
      const { token: row, user, constituentIds } = found;
      if (opts.touch !== false && (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > TOUCH_EVERY_MS)) await d.tokens.markUsed(d.db, row.id, now);
      // Never more than the owner: the token's roles the owner still holds today.
      const roles = row.roles.filter((r: Role) => user.roles.includes(r));
      return {
        actor: {
          userId: user.id, username: user.username, roles, constituentIds,
          via: 'token', tokenId: row.id, ip: meta.ip, requestId: meta.requestId,
        },
        user,
        sessionId: null,
        mfaPending: false,
        mustChangePassword: false,
        mfaEnrolmentRequired: false,
      };
    },
  };
}
export type Authenticator = ReturnType<typeof createAuthenticator>;

/**
 * The caller behind a request's credentials: an API token (`Authorization: Bearer`) or the session
 * cookie; null without either. A bad token throws VIG_AUTH_TOKEN_INVALID.
 */
export async function callerOf(req: FastifyRequest, authenticator: Authenticator, opts: { touch: boolean }): Promise<AuthContext | null> {
  const meta = clientMeta(req);
  const header = req.headers.authorization;
  if (header && /^bearer /i.test(header)) return authenticator.fromToken(header.slice(7).trim(), meta, opts);
  const token = req.cookies?.[SESSION_COOKIE];
  return token ? authenticator.fromSession(token, meta, opts) : null;
}
