import type { Role, UserRow } from '../db/schema.ts';

/** Who is acting, as every service sees it: a signed-in user, an API token, the CLI or Vigil itself. */
export interface Actor {
  userId: string | null;
  username: string;
  /** Effective roles: for a token, the token's roles that its owner still holds. */
  roles: readonly Role[];
  /**
   * The constituents a user is limited to (rows of user_constituent, read when the request's
   * credentials are checked); null or absent: unscoped. See src/lib/authz/ (access rule).
   */
  constituentIds?: readonly string[] | null;
  via: 'session' | 'token' | 'cli' | 'system';
  sessionId?: string;
  tokenId?: string;
  ip: string | null;
  requestId: string | null;
}

export function systemActor(via: 'cli' | 'system' = 'system', requestId: string | null = null): Actor {
  return { userId: null, username: via === 'cli' ? 'cli' : 'vigil', roles: ['admin'], via, ip: null, requestId };
}

/** Where a request came from, as the audit trail and sessions record it. */
export interface ClientMeta {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

/** For acting as (or checking the permissions of) a user outside any request. */
export const NO_CLIENT: ClientMeta = { ip: null, userAgent: null, requestId: null };

/** A user acting through a session (or, without sessionId, as themselves outside any request). */
export function userActor(user: UserRow, meta: ClientMeta, sessionId?: string): Actor {
  return {
    userId: user.id,
    username: user.username,
    roles: user.roles,
    via: 'session',
    ...(sessionId ? { sessionId } : {}),
    ip: meta.ip,
    requestId: meta.requestId,
  };
}

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
