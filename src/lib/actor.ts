import type { Role } from '../db/schema.ts';

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

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
