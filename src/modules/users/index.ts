// User accounts: creating, changing roles, disabling, recovery codes; the user table's SQL.
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files).
import type { Executor } from '../../db/index.ts';
import type { UserPatch } from '../../db/schema.ts';
import { recoveryCodeRepo, userRepo } from './repo.ts';

/** The user with this id (any account, disabled or not), or undefined. */
export const userById = (x: Executor, id: string) => userRepo.findById(x, id);
/** The user with this id locked (FOR UPDATE) in the caller's transaction, or undefined. */
export const lockUser = (x: Executor, id: string) => userRepo.lockById(x, id);
/** Sets a user's two-factor fields (enrolling, enabling, turning off); the row after. */
export const setUserMfa = (
  x: Executor,
  id: string,
  patch: Pick<UserPatch, 'mfaSecret' | 'mfaPendingSecret' | 'mfaEnabledAt' | 'mfaLastStep' | 'updatedAt'>,
) => userRepo.update(x, id, patch);
/** Replaces a user's recovery codes with these hashes (none: the user has no codes left). */
export const replaceRecoveryCodes = (x: Executor, userId: string, hashes: string[]) => recoveryCodeRepo.replaceAll(x, userId, hashes);

/** The user with this user name (any account, disabled or not), or undefined: signing in. */
export const userByUsername = (x: Executor, username: string) => userRepo.findByUsername(x, username);
/** Records a sign-in, a used TOTP step or a new password on a user; the row after. */
export const recordSignIn = (
  x: Executor,
  id: string,
  patch: Pick<UserPatch, 'lastLoginAt' | 'mfaLastStep' | 'passwordHash' | 'mustChangePassword' | 'passwordChangedAt' | 'updatedAt'>,
) => userRepo.update(x, id, patch);
/** Uses up one of a user's recovery codes by its hash; false if there is no such unused code. */
export const consumeRecoveryCode = (x: Executor, userId: string, hash: string, at: Date) => recoveryCodeRepo.consume(x, userId, hash, at);
export { toUserView } from './service.ts';
export type { UserCredentials } from './service.ts';
