import type { Db, Executor } from '../../db/index.ts';
import type { UserRow } from '../../db/schema.ts';
import { userActor, type Actor, type ClientMeta, type Clock } from '../../lib/actor.ts';
import { hmacHex, randomToken, sha256Hex, unseal } from '../../lib/crypto.ts';
import { VigilError } from '../../lib/errors.ts';
import type { AuditService } from '../audit/index.ts';
import { consumeRecoveryCode, lockUser, recordSignIn, userById, userByUsername } from '../users/index.ts';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './passwords.ts';
import type { TokenStore } from './authenticate.ts';
import { sessionRepo } from './sessions.repo.ts';
import type { Throttle } from './throttle.ts';
import { checkTotp, hashRecoveryCode } from './totp.ts';

export interface AuthDeps {
  db: Db;
  audit: AuditService;
  throttle: Throttle;
  clock: Clock;
  secretKey: Buffer;
  sessionIdleMs: number;
  sessionMaxMs: number;
  /** The account module's API tokens (a password change revokes them). */
  tokens: TokenStore;
}

export interface IssuedSession {
  token: string;
  sessionId: string;
  csrfToken: string;
  expiresAt: Date;
}

/**
 * What a token may not do: change the credentials or end the sessions of the account it belongs to
 * (log out everywhere, end a session, enrol or turn off MFA, replace recovery codes, create or revoke
 * other tokens, change the password). An API token works the API with its roles; a leaked read-only
 * token must not lock its owner out or take the account over. These take a signed-in session.
 */
export function requireSession(actor: Actor, what: string): void {
  if (actor.via === 'token') throw new VigilError('VIG_AUTHZ_FORBIDDEN', { reason: `${what} takes a signed-in session, not an API token` });
}

/** A session waiting for its second factor lives this long. */
const MFA_PENDING_MS = 5 * 60 * 1000;

function anonymous(meta: ClientMeta, username = 'anonymous'): Actor {
  return { userId: null, username, roles: [], via: 'session', ip: meta.ip, requestId: meta.requestId };
}

export function createAuthService(d: AuthDeps) {
  const csrfFor = (sessionId: string) => hmacHex(d.secretKey, `csrf:${sessionId}`);

  async function issue(user: UserRow, meta: ClientMeta, mfaPending: boolean, x: Executor = d.db): Promise<IssuedSession> {
    const now = d.clock.now();
    const token = randomToken(32);
    const expiresAt = new Date(now.getTime() + (mfaPending ? MFA_PENDING_MS : d.sessionMaxMs));
    const s = await sessionRepo.insert(x, {
      userId: user.id,
      tokenHash: sha256Hex(token),
      mfaPending,
      lastSeenAt: now,
      expiresAt,
      ip: meta.ip,
      userAgent: meta.userAgent?.slice(0, 400) ?? null,
    });
    return { token, sessionId: s.id, csrfToken: csrfFor(s.id), expiresAt };
  }

  return {
    csrfFor,

    /** Checks a username and password; the session it starts may still await the second factor. */
    async login(username: string, password: string, meta: ClientMeta) {
      const name = username.trim().toLowerCase();
      const keys = [`user:${name}`, ...(meta.ip ? [`ip:${meta.ip}`] : [])];
      await d.throttle.check(keys);
      const user = await userByUsername(d.db, name);
      const ok = await verifyPassword(user?.passwordHash, password);
      if (!ok || !user || user.disabledAt) {
        await d.db.transaction().execute(async (tx) => {
          await d.throttle.fail(tx, keys);
          await d.audit.record(tx, anonymous(meta), {
            action: 'auth.login_failed',
            entity: 'user',
            entityId: user?.id ?? null,
            after: { username: name.slice(0, 64), reason: !user || !ok ? 'bad_credentials' : 'disabled' },
          });
        });
        throw new VigilError('VIG_AUTH_INVALID_CREDENTIALS');
      }
      const mfaPending = !!user.mfaEnabledAt;
      return d.db.transaction().execute(async (tx) => {
        await d.throttle.clear(tx, `user:${name}`);
        const issued = await issue(user, meta, mfaPending, tx);
        let current = user;
        if (!mfaPending) current = await recordSignIn(tx, user.id, { lastLoginAt: d.clock.now() });
        await d.audit.record(tx, userActor(user, meta, issued.sessionId), {
          action: mfaPending ? 'auth.password_verified' : 'auth.logged_in',
          entity: 'session',
          entityId: issued.sessionId,
          after: { userId: user.id, method: 'password' },
        });
        return { status: mfaPending ? ('mfa_required' as const) : ('ok' as const), issued, user: current };
      });
    },

    /** Completes a login with a TOTP code or a one-time recovery code; replaces the pending session. */
    async loginMfa(userId: string, pendingSessionId: string, code: string, meta: ClientMeta) {
      const key = `mfa:${userId}`;
      await d.throttle.check([key, ...(meta.ip ? [`ip:${meta.ip}`] : [])]);
      const result = await d.db.transaction().execute(async (tx) => {
        const user = await lockUser(tx, userId);
        if (!user || user.disabledAt || !user.mfaSecret) return { ok: false as const, user };
        let method: 'totp' | 'recovery_code' | null = null;
        const step = await checkTotp(unseal(d.secretKey, user.mfaSecret), code.trim(), user.mfaLastStep);
        if (step !== null) {
          await recordSignIn(tx, user.id, { mfaLastStep: step });
          method = 'totp';
        } else if (await consumeRecoveryCode(tx, user.id, hashRecoveryCode(code), d.clock.now())) {
          method = 'recovery_code';
        }
        if (!method) return { ok: false as const, user };
        await sessionRepo.revoke(tx, pendingSessionId, d.clock.now());
        const issued = await issue(user, meta, false, tx);
        const current = await recordSignIn(tx, user.id, { lastLoginAt: d.clock.now() });
        await d.audit.record(tx, userActor(user, meta, issued.sessionId), {
          action: 'auth.logged_in',
          entity: 'session',
          entityId: issued.sessionId,
          after: { userId: user.id, method },
        });
        return { ok: true as const, issued, user: current };
      });
      if (!result.ok) {
        await d.db.transaction().execute(async (tx) => {
          await d.throttle.fail(tx, [key, ...(meta.ip ? [`ip:${meta.ip}`] : [])]);
          await d.audit.record(tx, anonymous(meta, result.user?.username), {
            action: 'auth.mfa_failed',
            entity: 'user',
            entityId: userId,
          });
        });
        throw new VigilError('VIG_AUTH_MFA_INVALID');
      }
      return { issued: result.issued, user: result.user };
    },

    async logout(actor: Actor): Promise<void> {
      if (!actor.sessionId) return;
      const sessionId = actor.sessionId;
      await d.db.transaction().execute(async (tx) => {
        await sessionRepo.revoke(tx, sessionId, d.clock.now());
        await d.audit.record(tx, actor, { action: 'auth.logged_out', entity: 'session', entityId: sessionId });
      });
    },

    async logoutEverywhere(actor: Actor): Promise<void> {
      const userId = actor.userId;
      if (!userId) throw new VigilError('VIG_AUTH_REQUIRED');
      requireSession(actor, 'logging out everywhere');
      await d.db.transaction().execute(async (tx) => {
        const n = await sessionRepo.revokeAllForUser(tx, userId, d.clock.now());
        await d.audit.record(tx, actor, { action: 'auth.logged_out_everywhere', entity: 'user', entityId: userId, after: { sessionsEnded: n } });
      });
    },

    /**
     * Changes one's own password; every other session of the user ends, and every API token of the
     * user is revoked (a token made while the old password was known to someone else must not outlive it).
     */
    async changePassword(actor: Actor, currentPassword: string, newPassword: string): Promise<void> {
      const userId = actor.userId;
      if (!userId) throw new VigilError('VIG_AUTH_REQUIRED');
      requireSession(actor, 'changing the password');
      const key = `pw:${userId}`;
      await d.throttle.check([key]);
      const user = await userById(d.db, userId);
      if (!user) throw new VigilError('VIG_AUTH_REQUIRED');
      if (!(await verifyPassword(user.passwordHash, currentPassword))) {
        await d.db.transaction().execute((tx) => d.throttle.fail(tx, [key]));
        throw new VigilError('VIG_AUTH_INVALID_CREDENTIALS', { errors: [{ path: 'currentPassword', message: 'is wrong' }] });
      }
      checkPasswordPolicy(newPassword, user.username);
      if (newPassword === currentPassword) {
        throw new VigilError('VIG_AUTH_PASSWORD_WEAK', { errors: [{ path: 'newPassword', message: 'must differ from the current password' }] });
      }
      const passwordHash = await hashPassword(newPassword);
      await d.db.transaction().execute(async (tx) => {
        const now = d.clock.now();
        await recordSignIn(tx, userId, { passwordHash, mustChangePassword: false, passwordChangedAt: now, updatedAt: now });
        const ended = await sessionRepo.revokeAllForUser(tx, userId, now, actor.sessionId);
        const tokensRevoked = await d.tokens.revokeAllOf(tx, userId, now);
        await d.throttle.clear(tx, key);
        await d.audit.record(tx, actor, {
          action: 'user.password_changed',
          entity: 'user',
          entityId: userId,
          after: { otherSessionsEnded: ended, apiCredentialsRevoked: tokensRevoked }, // the audit trail redacts keys named like tokens
        });
      });
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
