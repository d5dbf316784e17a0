import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, login, makeApp, userWith, type TestApp } from '../../../test/app.ts';
import { systemActor } from '../../lib/actor.ts';
import { stores } from '../../../test/db.ts';

const PASSWORD = 'Correct-Horse-Battery-9';

/** The code of the next 30-second step, so a code is never one the server has already seen. */
async function codeAt(secret: string, offsetSteps = 0): Promise<string> {
  return generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSteps * 30 });
}

describe.each(stores())('MFA and API tokens on %s', (store) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp(store);
  });
  afterAll(() => t?.close());

  async function enrol(headers: Record<string, string>) {
    const start = await t.app.inject({ method: 'POST', url: '/api/v1/account/mfa/enrol', headers });
    expect(start.statusCode).toBe(200);
    const { secret, otpauthUrl, qrDataUrl } = start.json();
    expect(otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    expect(qrDataUrl).toMatch(/^data:image\/png;base64,/);
    const verify = await t.app.inject({ method: 'POST', url: '/api/v1/account/mfa/verify', headers, payload: { code: await codeAt(secret) } });
    expect(verify.statusCode).toBe(200);
    const codes = verify.json().recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    return { secret, codes };
  }

  it('enrols TOTP, then asks for the second factor at sign-in', async () => {
    const u = await userWith(t, ['handler']);
    const { secret } = await enrol(u.headers);
    const stored = await t.db.db.selectFrom('appUser').select('mfaSecret').where('id', '=', u.id).executeTakeFirstOrThrow();
    expect(stored.mfaSecret).not.toContain(secret); // sealed at rest

    const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: u.username, password: PASSWORD } });
    expect(r.json().status).toBe('mfa_required');
    expect(r.json().user).toBeUndefined();
    const pending = { cookie: `vigil_session=${r.cookies[0]!.value}`, 'x-csrf-token': r.json().csrfToken };
    const blocked = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: pending });
    expect(blocked.statusCode).toBe(401);
    expect(blocked.json().code).toBe('VIG_AUTH_MFA_PENDING');

    const wrong = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login/mfa', headers: pending, payload: { code: '000000' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().code).toBe('VIG_AUTH_MFA_INVALID');

    // The enrolment used this step's code; the next step's code is accepted (one step of drift).
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login/mfa', headers: pending, payload: { code: await codeAt(secret, 1) } });
    expect(ok.statusCode).toBe(200);
    const full = { cookie: `vigil_session=${ok.cookies[0]!.value}`, 'x-csrf-token': ok.json().csrfToken };
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/account/tokens', headers: full })).statusCode).toBe(200);
    // The pending session was replaced, not upgraded.
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/login/mfa', headers: pending, payload: { code: await codeAt(secret, 1) } })).statusCode).toBe(401);
  });

  it('refuses a TOTP code whose step was already used (replay)', async () => {
    const u = await userWith(t, ['viewer']);
    const { secret } = await enrol(u.headers);
    const code = await codeAt(secret);
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: u.username, password: PASSWORD } });
    const pending = { cookie: `vigil_session=${r.cookies[0]!.value}`, 'x-csrf-token': r.json().csrfToken };
    const replay = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login/mfa', headers: pending, payload: { code } });
    expect(replay.statusCode).toBe(401);
  });

  it('accepts each recovery code once', async () => {
    const u = await userWith(t, ['viewer']);
    const { codes } = await enrol(u.headers);
    const signIn = async (code: string) => {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: u.username, password: PASSWORD } });
      const pending = { cookie: `vigil_session=${r.cookies[0]!.value}`, 'x-csrf-token': r.json().csrfToken };
      return t.app.inject({ method: 'POST', url: '/api/v1/auth/login/mfa', headers: pending, payload: { code } });
    };
    expect((await signIn(codes[0]!.toUpperCase())).statusCode).toBe(200);
    expect((await signIn(codes[0]!)).statusCode).toBe(401);
    expect((await signIn(codes[1]!)).statusCode).toBe(200);
  });

  it('lets an admin require MFA for everyone: users without it must enrol first', async () => {
    const admin = await adminSession(t);
    const u = await userWith(t, ['handler']);
    const set = await t.app.inject({ method: 'PATCH', url: '/api/v1/settings', headers: admin.headers, payload: { requireMfa: true } });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({ requireMfa: true });
    // The admin's own session is gated too (settings are cached for at most 5 s per process; this one updated its cache).
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: u.headers });
    expect(me.json().mfaEnrolmentRequired).toBe(true);
    const gated = await t.app.inject({ method: 'GET', url: '/api/v1/account/tokens', headers: u.headers });
    expect(gated.statusCode).toBe(403);
    expect(gated.json().code).toBe('VIG_AUTH_MFA_ENROLMENT_REQUIRED');
    await enrol(u.headers);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/account/tokens', headers: u.headers })).statusCode).toBe(200);
    const off = await t.app.inject({ method: 'POST', url: '/api/v1/account/mfa/disable', headers: u.headers, payload: { password: PASSWORD } });
    expect(off.json().code).toBe('VIG_MFA_REQUIRED_BY_POLICY');
    // Admin turns the policy off again for the other tests (the admin has no MFA: enrolment is owed first).
    const adminNow = await t.app.inject({ method: 'PATCH', url: '/api/v1/settings', headers: admin.headers, payload: { requireMfa: false } });
    expect(adminNow.json().code).toBe('VIG_AUTH_MFA_ENROLMENT_REQUIRED');
    await t.services.settings.update(systemActor('cli'), { requireMfa: false });
  });

  describe('API tokens', () => {
    it('creates a token shown once, stored hashed, usable as Bearer, and revocable', async () => {
      const u = await userWith(t, ['handler', 'viewer']);
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/account/tokens', headers: u.headers, payload: { name: 'siem', expiresInDays: 7 } });
      expect(r.statusCode).toBe(201);
      const { token, item } = r.json();
      expect(token).toMatch(/^vgl_[A-Za-z0-9_-]{43}$/);
      expect(item.roles.sort()).toEqual(['handler', 'viewer']);
      const rows = await t.db.db.selectFrom('apiToken').select('tokenHash').execute();
      expect(JSON.stringify(rows)).not.toContain(token);
      const list = await t.app.inject({ method: 'GET', url: '/api/v1/account/tokens', headers: u.headers });
      expect(JSON.stringify(list.json())).not.toContain(token);

      const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } });
      expect(me.statusCode).toBe(200);
      expect(me.json()).toMatchObject({ via: 'token', user: { username: u.username } });

      const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/account/tokens/${item.id}`, headers: u.headers });
      expect(del.statusCode).toBe(204);
      const after = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } });
      expect(after.statusCode).toBe(401);
      expect(after.json().code).toBe('VIG_AUTH_TOKEN_INVALID');
    });

    it('never gives a token more than its owner holds, now or later', async () => {
      const admin = await adminSession(t).catch(() => login(t.app, 'admin', 'A-Much-Better-Passphrase-2026'));
      const u = await userWith(t, ['manager']);
      const tooMuch = await t.app.inject({ method: 'POST', url: '/api/v1/account/tokens', headers: u.headers, payload: { name: 'x', expiresInDays: 1, roles: ['admin'] } });
      expect(tooMuch.statusCode).toBe(403);
      expect(tooMuch.json().code).toBe('VIG_TOKEN_ROLE_NOT_HELD');
      const { token } = (await t.app.inject({ method: 'POST', url: '/api/v1/account/tokens', headers: u.headers, payload: { name: 'reports', expiresInDays: 1 } })).json();
      const bearer = { authorization: `Bearer ${token}` };
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer })).statusCode).toBe(200);
      // The owner loses the manager role: the token loses it too.
      const demote = await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${u.id}`, headers: admin.headers, payload: { roles: ['viewer'] } });
      expect(demote.statusCode).toBe(200);
      const denied = await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer });
      expect(denied.statusCode).toBe(403);
      expect(denied.json().code).toBe('VIG_AUTHZ_FORBIDDEN');
    });

    it('refuses an expired token, and a token cannot mint tokens', async () => {
      const u = await userWith(t, ['handler']);
      const { token, item } = (await t.app.inject({ method: 'POST', url: '/api/v1/account/tokens', headers: u.headers, payload: { name: 'short', expiresInDays: 1 } })).json();
      const bearer = { authorization: `Bearer ${token}` };
      const mint = await t.app.inject({ method: 'POST', url: '/api/v1/account/tokens', headers: bearer, payload: { name: 'child', expiresInDays: 1 } });
      expect(mint.statusCode).toBe(403);
      await t.db.db.updateTable('apiToken').set({ expiresAt: new Date(Date.now() - 1000) }).where('id', '=', item.id).execute();
      const r = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer });
      expect(r.statusCode).toBe(401);
      expect(r.json().code).toBe('VIG_AUTH_TOKEN_INVALID');
    });

    it('does not need CSRF for Bearer writes, and cannot revoke another user\'s token', async () => {
      const a = await userWith(t, ['handler']);
      const b = await userWith(t, ['handler']);
      const tb = (await t.app.inject({ method: 'POST', url: '/api/v1/account/tokens', headers: b.headers, payload: { name: 'b', expiresInDays: 1 } })).json();
      const cross = await t.app.inject({ method: 'DELETE', url: `/api/v1/account/tokens/${tb.item.id}`, headers: a.headers });
      expect(cross.statusCode).toBe(404);
      expect(cross.json().code).toBe('VIG_TOKEN_NOT_FOUND');
      const own = await t.app.inject({ method: 'DELETE', url: `/api/v1/account/tokens/${tb.item.id}`, headers: { authorization: `Bearer ${tb.token}` } });
      expect(own.statusCode).toBe(204);
    });

    it('revokes every API token of the owner when the owner changes the password', async () => {
      const u = await userWith(t, ['handler'], PASSWORD);
      const mint = async (name: string) =>
        (await t.app.inject({ method: 'POST', url: '/api/v1/account/tokens', headers: u.headers, payload: { name, expiresInDays: 30 } })).json() as { token: string; item: { id: string } };
      const siem = await mint('siem');
      const soar = await mint('soar');
      for (const k of [siem, soar]) expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${k.token}` } })).statusCode).toBe(200);
      const changed = await t.app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: u.headers, payload: { currentPassword: PASSWORD, newPassword: 'Another-Long-Passphrase-77' } });
      expect(changed.statusCode, changed.body).toBe(204);
      for (const k of [siem, soar]) {
        const r = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${k.token}` } });
        expect(r.statusCode).toBe(401);
        expect(r.json().code).toBe('VIG_AUTH_TOKEN_INVALID');
      }
      // The token list says so, and the audit record of the change counts them.
      const list = (await t.app.inject({ method: 'GET', url: '/api/v1/account/tokens', headers: u.headers })).json().items as { revokedAt: string | null }[];
      expect(list.every((i) => i.revokedAt !== null)).toBe(true);
      const audit = await t.db.db.selectFrom('auditLog').select('after').where('action', '=', 'user.password_changed').where('entityId', '=', u.id).executeTakeFirstOrThrow();
      expect(audit.after).toMatchObject({ apiCredentialsRevoked: 2 });
    });

    it("a token cannot change the account it belongs to: no log-out everywhere, no ending sessions, no MFA, no revoking other tokens", async () => {
      const u = await userWith(t, ['viewer'], PASSWORD);
      const other = (await t.app.inject({ method: 'POST', url: '/api/v1/account/tokens', headers: u.headers, payload: { name: 'other', expiresInDays: 1 } })).json();
      const { token, item } = (await t.app.inject({ method: 'POST', url: '/api/v1/account/tokens', headers: u.headers, payload: { name: 'read-only', expiresInDays: 1 } })).json();
      const bearer = { authorization: `Bearer ${token}` };
      const session = (await t.app.inject({ method: 'GET', url: '/api/v1/account/sessions', headers: u.headers })).json().items[0].id as string;
      const refused: [string, string, object?][] = [
        ['POST', '/api/v1/auth/logout-all'],
        ['DELETE', `/api/v1/account/sessions/${session}`],
        ['POST', '/api/v1/account/mfa/enrol'],
        ['POST', '/api/v1/account/mfa/verify', { code: '123456' }],
        ['POST', '/api/v1/account/mfa/disable', { password: PASSWORD }],
        ['POST', '/api/v1/account/mfa/recovery-codes', { password: PASSWORD }],
        ['DELETE', `/api/v1/account/tokens/${other.item.id}`],
      ];
      for (const [method, url, payload] of refused) {
        const r = await t.app.inject({ method: method as 'POST', url, headers: bearer, ...(payload ? { payload } : {}) });
        expect(r.statusCode, `${method} ${url}: ${r.body}`).toBe(403);
        expect(r.json().code).toBe('VIG_AUTHZ_FORBIDDEN');
      }
      // The session lives on, the other token too; the token still reads, and may retire itself.
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: u.headers })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${other.token}` } })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/account/tokens', headers: bearer })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/account/tokens/${item.id}`, headers: bearer })).statusCode).toBe(204);
    });
  });
});
