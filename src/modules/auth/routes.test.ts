import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, adminSession, auditCount, login, makeApp, userWith, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';

describe.each(stores())('sign-in and sessions on %s', (store) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp(store, { VIGIL_LOGIN_LOCK_SECONDS: '1', VIGIL_LOGIN_ADDRESS_MAX_FAILURES: '1000' });
  });
  afterAll(() => t?.close());

  it('starts a session with an HttpOnly SameSite cookie and forces the first admin to change the password', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(r.statusCode).toBe(200);
    const setCookie = String(r.headers['set-cookie']);
    expect(setCookie).toMatch(/vigil_session=/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(r.json()).toMatchObject({ status: 'ok', user: { username: 'admin', mustChangePassword: true, roles: ['admin'] } });
    const cookie = `vigil_session=${r.cookies[0]!.value}`;
    const users = await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: { cookie } });
    expect(users.statusCode).toBe(403);
    expect(users.json().code).toBe('VIG_AUTH_PASSWORD_CHANGE_REQUIRED');
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
    expect(me.statusCode).toBe(200);
    expect(me.json().user.mustChangePassword).toBe(true);
  });

  it('stores only a hash of the session token', async () => {
    const s = await login(t.app, 'admin', ADMIN_PASSWORD);
    const token = s.cookie.split('=')[1]!;
    const rows = await t.db.db.selectFrom('userSession').select('tokenHash').execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.tokenHash).not.toContain(token);
  });

  it('refuses a cookie-authenticated write without the CSRF token', async () => {
    const s = await login(t.app, 'admin', ADMIN_PASSWORD);
    const before = await auditCount(t);
    const r = await t.app.inject({
      method: 'POST', url: '/api/v1/auth/password', headers: { cookie: s.cookie },
      payload: { currentPassword: ADMIN_PASSWORD, newPassword: 'Another-Long-Passphrase-1' },
    });
    expect(r.statusCode).toBe(403);
    expect(r.json().code).toBe('VIG_AUTH_CSRF');
    const wrong = await t.app.inject({
      method: 'POST', url: '/api/v1/auth/password', headers: { cookie: s.cookie, 'x-csrf-token': 'f'.repeat(64) },
      payload: { currentPassword: ADMIN_PASSWORD, newPassword: 'Another-Long-Passphrase-1' },
    });
    expect(wrong.json().code).toBe('VIG_AUTH_CSRF');
    expect(await auditCount(t)).toBe(before);
  });

  it('rejects a weak new password and names the field', async () => {
    const s = await login(t.app, 'admin', ADMIN_PASSWORD);
    const r = await t.app.inject({
      method: 'POST', url: '/api/v1/auth/password', headers: s.headers,
      payload: { currentPassword: ADMIN_PASSWORD, newPassword: 'short' },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ code: 'VIG_AUTH_PASSWORD_WEAK', errors: [{ path: 'newPassword' }] });
  });

  it('changes the password, ends the other sessions and keeps this one', async () => {
    const other = await login(t.app, 'admin', ADMIN_PASSWORD);
    const s = await adminSession(t);
    const mine = await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: s.headers });
    expect(mine.statusCode).toBe(200);
    const theirs = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: other.headers });
    expect(theirs.statusCode).toBe(401);
    const old = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(old.statusCode).toBe(401);
    expect(old.json().code).toBe('VIG_AUTH_INVALID_CREDENTIALS');
  });

  it('logs out one session, and everywhere', async () => {
    const u = await userWith(t, ['handler']);
    const second = await login(t.app, u.username, 'Correct-Horse-Battery-9');
    const out = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: u.headers });
    expect(out.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: u.headers })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: second.headers })).statusCode).toBe(200);
    const third = await login(t.app, u.username, 'Correct-Horse-Battery-9');
    const all = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout-all', headers: third.headers });
    expect(all.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: second.headers })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: third.headers })).statusCode).toBe(401);
  });

  it('lists own sessions and revokes one by id', async () => {
    const u = await userWith(t, ['viewer']);
    const other = await login(t.app, u.username, 'Correct-Horse-Battery-9');
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/account/sessions', headers: u.headers });
    const items = list.json().items as { id: string; current: boolean }[];
    expect(items).toHaveLength(2);
    expect(items.filter((i) => i.current)).toHaveLength(1);
    const victim = items.find((i) => !i.current)!;
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/account/sessions/${victim.id}`, headers: u.headers });
    expect(del.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: other.headers })).statusCode).toBe(401);
    // Another user's session id is simply not found.
    const stranger = await userWith(t, ['viewer']);
    const s2 = (await t.app.inject({ method: 'GET', url: '/api/v1/account/sessions', headers: stranger.headers })).json().items[0].id;
    const cross = await t.app.inject({ method: 'DELETE', url: `/api/v1/account/sessions/${s2}`, headers: u.headers });
    expect(cross.statusCode).toBe(404);
    expect(cross.json().code).toBe('VIG_SESSION_NOT_FOUND');
  });

  it('throttles 20 wrong passwords with 429 and Retry-After, never a 5xx, and lets the right one in after the wait', async () => {
    const u = await userWith(t, ['handler'], 'Right-Password-For-Throttle');
    const codes: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 20; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: u.username, password: `wrong-${i}` } });
      codes.push(r.statusCode);
      if (r.statusCode === 429) {
        retryAfter = String(r.headers['retry-after']);
        expect(r.json().code).toBe('VIG_AUTH_THROTTLED');
      }
    }
    expect(codes.every((c) => c === 401 || c === 429)).toBe(true);
    expect(codes).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    const during = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: u.username, password: 'Right-Password-For-Throttle' } });
    expect(during.statusCode).toBe(429);
    await new Promise((r) => setTimeout(r, Number(during.headers['retry-after']) * 1000 + 200));
    const after = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: u.username, password: 'Right-Password-For-Throttle' } });
    expect(after.statusCode).toBe(200);
  });

  it('answers the same for an unknown user as for a wrong password', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'nobody-here', password: 'whatever-it-is' } });
    expect(r.statusCode).toBe(401);
    expect(r.json().code).toBe('VIG_AUTH_INVALID_CREDENTIALS');
  });

  it('ends sessions and tokens at once when an account is disabled', async () => {
    const admin = await login(t.app, 'admin', 'A-Much-Better-Passphrase-2026');
    const u = await userWith(t, ['handler']);
    const tok = await t.app.inject({ method: 'POST', url: '/api/v1/account/tokens', headers: u.headers, payload: { name: 'script', expiresInDays: 30 } });
    const bearer = { authorization: `Bearer ${tok.json().token}` };
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer })).statusCode).toBe(200);
    const dis = await t.app.inject({ method: 'POST', url: `/api/v1/users/${u.id}/disable`, headers: admin.headers });
    expect(dis.statusCode).toBe(200);
    expect(dis.json().user.disabled).toBe(true);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: u.headers })).statusCode).toBe(401);
    const viaToken = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer });
    expect(viaToken.statusCode).toBe(401);
    expect(viaToken.json().code).toBe('VIG_AUTH_TOKEN_INVALID');
    const again = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: u.username, password: 'Correct-Horse-Battery-9' } });
    expect(again.statusCode).toBe(401);
  });

  it('records sign-ins and failures in the audit trail without the password', async () => {
    const rows = await t.db.db.selectFrom('auditLog').selectAll().where('action', 'in', ['auth.logged_in', 'auth.login_failed']).execute();
    expect(rows.some((r) => r.action === 'auth.logged_in')).toBe(true);
    expect(rows.some((r) => r.action === 'auth.login_failed')).toBe(true);
    expect(JSON.stringify(rows)).not.toContain('wrong-1');
    expect(JSON.stringify(rows)).not.toContain(ADMIN_PASSWORD);
  });
});
