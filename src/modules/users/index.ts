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

// Still the whole repositories, for src/modules/auth/service.ts only (another helper's folder when
// this was narrowed; see test/dependencies.allowed.json): it signs in, checks MFA and changes
// passwords with findByUsername, findById, lockById, update and recoveryCodeRepo.consume.
export { recoveryCodeRepo, userRepo } from './repo.ts';
export { toUserView } from './service.ts';
export type { UserCredentials } from './service.ts';
