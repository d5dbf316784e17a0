import QRCode from 'qrcode';
import type { Db } from '../../db/index.ts';
import type { ApiTokenRow, Role } from '../../db/schema.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { authorize } from '../../lib/authz/policy.ts';
import { randomToken, seal, sha256Hex, unseal } from '../../lib/crypto.ts';
import { VigilError } from '../../lib/errors.ts';
import type { AuditService } from '../audit/index.ts';
import { checkTotp, hashRecoveryCode, newRecoveryCodes, newTotpSecret, endSession, liveSessionsOf, requireSession, sessionById, type Throttle, TOKEN_PREFIX, totpUri, verifyPassword } from '../auth/index.ts';
import type { SettingsService } from '../settings/index.ts';
import { lockUser, replaceRecoveryCodes, setUserMfa, userById } from '../users/index.ts';
import { tokenRepo } from './tokens.repo.ts';

export interface TokenView {
  id: string;
  name: string;
  roles: Role[];
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}
const tokenView = (t: ApiTokenRow): TokenView => ({
  id: t.id, name: t.name, roles: t.roles, createdAt: t.createdAt, expiresAt: t.expiresAt, lastUsedAt: t.lastUsedAt, revokedAt: t.revokedAt,
});

/** One's own account: sessions, two-factor authentication and API tokens. */
export function createAccountService(d: {
  db: Db; audit: AuditService; clock: Clock; secretKey: Buffer; settings: SettingsService; throttle: Throttle;
}) {
  function self(actor: Actor): string {
    authorize(actor, 'account.manage');
    if (!actor.userId) throw new VigilError('VIG_AUTH_REQUIRED');
    return actor.userId;
  }

  async function confirmPassword(userId: string, password: string) {
    const key = `pw:${userId}`;
    await d.throttle.check([key]);
    const u = await userById(d.db, userId);
    if (!u || !(await verifyPassword(u.passwordHash, password))) {
      await d.db.transaction().execute((tx) => d.throttle.fail(tx, [key]));
      throw new VigilError('VIG_AUTH_INVALID_CREDENTIALS', { errors: [{ path: 'password', message: 'is wrong' }] });
    }
    return u;
  }

  async function issueRecoveryCodes(tx: Parameters<typeof replaceRecoveryCodes>[0], userId: string) {
    const codes = newRecoveryCodes();
    await replaceRecoveryCodes(tx, userId, codes.map(hashRecoveryCode));
    return codes;
  }

  return {
    async listSessions(actor: Actor) {
      const userId = self(actor);
      const rows = await liveSessionsOf(d.db, userId, d.clock.now());
      return rows.map((s) => ({
        id: s.id, createdAt: s.createdAt, lastSeenAt: s.lastSeenAt, expiresAt: s.expiresAt,
        ip: s.ip, userAgent: s.userAgent, current: s.id === actor.sessionId,
      }));
    },

    async revokeSession(actor: Actor, id: string): Promise<void> {
      const userId = self(actor);
      requireSession(actor, 'ending a session');
      await d.db.transaction().execute(async (tx) => {
        const s = await sessionById(tx, id);
        if (!s || s.userId !== userId || s.revokedAt) throw new VigilError('VIG_SESSION_NOT_FOUND', { id });
        await endSession(tx, id, d.clock.now());
        await d.audit.record(tx, actor, { action: 'session.revoked', entity: 'session', entityId: id });
      });
    },

    /** Starts enrolment: a new secret, kept pending until a code from it is verified. */
    async startMfa(actor: Actor) {
      const userId = self(actor);
      requireSession(actor, 'enrolling in two-factor authentication');
      const user = await userById(d.db, userId);
      if (!user) throw new VigilError('VIG_AUTH_REQUIRED');
      if (user.mfaEnabledAt) throw new VigilError('VIG_MFA_ALREADY_ENABLED');
      const secret = newTotpSecret();
      const { teamName } = await d.settings.current();
      const otpauthUrl = totpUri(secret, `Vigil (${teamName})`, user.username);
      await d.db.transaction().execute(async (tx) => {
        await setUserMfa(tx, userId, { mfaPendingSecret: seal(d.secretKey, secret) });
        await d.audit.record(tx, actor, { action: 'user.mfa_enrolment_started', entity: 'user', entityId: userId });
      });
      const qrDataUrl = await QRCode.toDataURL(otpauthUrl, { errorCorrectionLevel: 'M', margin: 1, width: 240 });
      return { secret, otpauthUrl, qrDataUrl };
    },

    /** Finishes enrolment with a code from the authenticator; returns the recovery codes once. */
    async verifyMfa(actor: Actor, code: string): Promise<{ recoveryCodes: string[] }> {
      const userId = self(actor);
      requireSession(actor, 'enrolling in two-factor authentication');
      return d.db.transaction().execute(async (tx) => {
        const user = await lockUser(tx, userId);
        if (!user) throw new VigilError('VIG_AUTH_REQUIRED');
        if (user.mfaEnabledAt) throw new VigilError('VIG_MFA_ALREADY_ENABLED');
        if (!user.mfaPendingSecret) throw new VigilError('VIG_MFA_NOT_ENROLLING');
        const step = await checkTotp(unseal(d.secretKey, user.mfaPendingSecret), code.trim(), null);
        if (step === null) throw new VigilError('VIG_AUTH_MFA_INVALID', { errors: [{ path: 'code', message: 'does not match' }] });
        const now = d.clock.now();
        await setUserMfa(tx, userId, {
          mfaSecret: user.mfaPendingSecret, mfaPendingSecret: null, mfaEnabledAt: now, mfaLastStep: step, updatedAt: now,
        });
        const recoveryCodes = await issueRecoveryCodes(tx, userId);
        await d.audit.record(tx, actor, { action: 'user.mfa_enabled', entity: 'user', entityId: userId });
        return { recoveryCodes };
      });
    },

    async disableMfa(actor: Actor, password: string): Promise<void> {
      const userId = self(actor);
      requireSession(actor, 'turning two-factor authentication off');
      if ((await d.settings.current()).requireMfa) throw new VigilError('VIG_MFA_REQUIRED_BY_POLICY');
      const user = await confirmPassword(userId, password);
      if (!user.mfaEnabledAt) throw new VigilError('VIG_MFA_NOT_ENABLED');
      await d.db.transaction().execute(async (tx) => {
        await setUserMfa(tx, userId, { mfaSecret: null, mfaPendingSecret: null, mfaEnabledAt: null, mfaLastStep: null, updatedAt: d.clock.now() });
        await replaceRecoveryCodes(tx, userId, []);
        await d.audit.record(tx, actor, { action: 'user.mfa_disabled', entity: 'user', entityId: userId });
      });
    },

    async regenerateRecoveryCodes(actor: Actor, password: string): Promise<{ recoveryCodes: string[] }> {
      const userId = self(actor);
      requireSession(actor, 'replacing recovery codes');
      const user = await confirmPassword(userId, password);
      if (!user.mfaEnabledAt) throw new VigilError('VIG_MFA_NOT_ENABLED');
      return d.db.transaction().execute(async (tx) => {
        const recoveryCodes = await issueRecoveryCodes(tx, userId);
        await d.audit.record(tx, actor, { action: 'user.recovery_codes_regenerated', entity: 'user', entityId: userId });
        return { recoveryCodes };
      });
    },

    async listTokens(actor: Actor): Promise<TokenView[]> {
      const userId = self(actor);
      return (await tokenRepo.listForUser(d.db, userId)).map(tokenView);
    },

    /** Creates a token with at most the owner's roles; the secret is returned once and stored only hashed. */
    async createToken(actor: Actor, input: { name: string; expiresInDays: number; roles?: Role[] | undefined }) {
      const userId = self(actor);
      // A token may only be made from a signed-in session: a token cannot mint further tokens.
      requireSession(actor, 'creating a token');
      const roles = [...new Set(input.roles ?? actor.roles)];
      const missing = roles.filter((r) => !actor.roles.includes(r));
      if (missing.length) throw new VigilError('VIG_TOKEN_ROLE_NOT_HELD', { roles: missing });
      const token = TOKEN_PREFIX + randomToken(32);
      const expiresAt = new Date(d.clock.now().getTime() + input.expiresInDays * 86_400_000);
      return d.db.transaction().execute(async (tx) => {
        const row = await tokenRepo.insert(tx, { userId, name: input.name.trim(), tokenHash: sha256Hex(token), roles, expiresAt });
        await d.audit.record(tx, actor, { action: 'api_token.created', entity: 'api_token', entityId: row.id, after: tokenView(row) });
        return { token, item: tokenView(row) };
      });
    },

    async revokeToken(actor: Actor, id: string): Promise<void> {
      const userId = self(actor);
      await d.db.transaction().execute(async (tx) => {
        const t = await tokenRepo.findById(tx, id);
        if (!t || t.userId !== userId) throw new VigilError('VIG_TOKEN_NOT_FOUND', { id });
        // A token may retire itself, never another.
        if (t.id !== actor.tokenId) requireSession(actor, 'revoking another token');
        if (t.revokedAt) return;
        const after = await tokenRepo.revoke(tx, id, d.clock.now());
        await d.audit.record(tx, actor, { action: 'api_token.revoked', entity: 'api_token', entityId: id, before: tokenView(t), after: tokenView(after) });
      });
    },
  };
}
export type AccountService = ReturnType<typeof createAccountService>;
