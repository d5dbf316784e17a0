// User accounts: creating, changing roles, disabling, recovery codes; the user table's SQL.
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files).
export { recoveryCodeRepo, userRepo } from './repo.ts';
export { toUserView } from './service.ts';
export type { UserCredentials } from './service.ts';
