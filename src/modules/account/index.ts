import type { Executor } from '../../db/index.ts';
import { tokenRepo } from './tokens.repo.ts';

/**
 * The account module's front door for other modules: what they may do with API tokens. Signing in
 * with a token (auth) and ending every way into an account (password change, reset, disabling) go
 * through here; the token table and its SQL stay the account module's own. Auth and users build
 * below account, so src/services.ts hands `apiTokens` to them (auth's `TokenStore`, users'
 * `UserCredentials`) instead of their importing it.
 */
export const apiTokens = {
  /** The live token for a hash, with its owner, in one statement (every API request asks). */
  findLive: (x: Executor, tokenHash: string) => tokenRepo.findLiveByHash(x, tokenHash),
  /** Records that a token was used now. */
  markUsed: (x: Executor, id: string, now: Date) => tokenRepo.touch(x, id, now),
  /** Revokes every live token of a user; how many there were. */
  revokeAllOf: (x: Executor, userId: string, now: Date) => tokenRepo.revokeAllForUser(x, userId, now),
};
