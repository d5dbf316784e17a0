// Signing in: passwords, sessions, MFA (TOTP and recovery codes), sign-in throttling, and checking
// the credentials of each request.
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files).
export { verifyPassword } from './passwords.ts';
import type { Executor } from '../../db/index.ts';
import { sessionRepo } from './sessions.repo.ts';

/** A user's sessions that have not ended or expired by `now`, newest first. */
export const liveSessionsOf = (x: Executor, userId: string, now: Date) => sessionRepo.listLiveForUser(x, userId, now);
/** The session with this id (ended or not), or undefined. */
export const sessionById = (x: Executor, id: string) => sessionRepo.findById(x, id);
/** Ends a session at `at` (signing it out). */
export const endSession = (x: Executor, id: string, at: Date) => sessionRepo.revoke(x, id, at);
export type { Throttle } from './throttle.ts';
export { checkTotp, hashRecoveryCode, newRecoveryCodes, newTotpSecret, totpUri } from './totp.ts';
export { callerOf, TOKEN_PREFIX } from './authenticate.ts';
export type { Authenticator, TokenStore } from './authenticate.ts';
export { requireSession } from './service.ts';
