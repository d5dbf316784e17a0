// Signing in: passwords, sessions, MFA (TOTP and recovery codes), sign-in throttling, and checking
// the credentials of each request.
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files).
export { verifyPassword } from './passwords.ts';
export { sessionRepo } from './sessions.repo.ts';
export type { Throttle } from './throttle.ts';
export { checkTotp, hashRecoveryCode, newRecoveryCodes, newTotpSecret, totpUri } from './totp.ts';
export { callerOf, TOKEN_PREFIX } from './authenticate.ts';
export type { Authenticator, TokenStore } from './authenticate.ts';
export { requireSession } from './service.ts';
