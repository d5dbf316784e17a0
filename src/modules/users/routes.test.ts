import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, auditCount, login, makeApp, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';

describe.each(stores())('user administration on %s', (store) => {
  let t: TestApp;
  let admin: Session;
  beforeAll(async () => {
    t = await makeApp(store);
    admin = await adminSession(t);
  });
  afterAll(() => t?.close());

  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    t.app.inject({ method, url: `/api/v1${url}`, headers: admin.headers, ...(payload ? { payload } : {}) });

  it('creates an account with a temporary password that must be changed at first sign-in', async () => {
    const r = await call('POST', '/users', { username: 'Dana.Duty', displayName: 'Dana (duty officer)', email: 'dana@csirt.example', roles: ['handler', 'viewer'] });
    expect(r.statusCode).toBe(201);
    const { user, temporaryPassword } = r.json();
    expect(user).toMatchObject({ username: 'dana.duty', roles: ['handler', 'viewer'], mustChangePassword: true, mfaEnabled: false, disabled: false });
    expect(user).not.toHaveProperty('passwordHash');
    expect(temporaryPassword).toMatch(/^[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){3}$/);
    const s = await login(t.app, 'dana.duty', temporaryPassword);
    const gated = await t.app.inject({ method: 'GET', url: '/api/v1/account/tokens', headers: s.headers });
    expect(gated.json().code).toBe('VIG_AUTH_PASSWORD_CHANGE_REQUIRED');
    const dup = await call('POST', '/users', { username: 'dana.duty', displayName: 'Again', roles: [] });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('VIG_USER_EXISTS');
  });

  it('validates usernames, e-mail addresses and roles, naming each field', async () => {
    const r = await call('POST', '/users', { username: 'bad name!', displayName: '', email: 'not-an-email', roles: ['root'] });
    expect(r.statusCode).toBe(400);
    const paths = r.json().errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['body.username', 'body.displayName', 'body.email', 'body.roles.0']));
  });

  it('changes roles and records before and after in the audit trail', async () => {
    const { user } = (await call('POST', '/users', { username: 'eve.analyst', displayName: 'Eve', roles: ['viewer'] })).json();
    const r = await call('PATCH', `/users/${user.id}`, { roles: ['handler', 'manager'] });
    expect(r.json().user.roles).toEqual(['handler', 'manager']);
    const audit = (await call('GET', `/audit?entity=user&entityId=${user.id}&action=user.roles_changed`)).json();
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0].before.roles).toEqual(['viewer']);
    expect(audit.items[0].after.roles).toEqual(['handler', 'manager']);
    expect(audit.items[0].actorName).toBe('admin');
    expect(audit.items[0].requestId).toBeTruthy();
  });

  it('never leaves the team without an active admin', async () => {
    const me = (await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: admin.headers })).json().user;
    const before = await auditCount(t);
    const demote = await call('PATCH', `/users/${me.id}`, { roles: ['manager'] });
    expect(demote.statusCode).toBe(409);
    expect(demote.json().code).toBe('VIG_USER_LAST_ADMIN');
    const self = await call('POST', `/users/${me.id}/disable`);
    expect(self.json().code).toBe('VIG_USER_SELF_DISABLE');
    expect(await auditCount(t)).toBe(before);
  });

  it('resets a password (old sessions end) and MFA, and disables and enables accounts', async () => {
    const { user, temporaryPassword } = (await call('POST', '/users', { username: 'frank', displayName: 'Frank', roles: ['handler'] })).json();
    const s = await login(t.app, 'frank', temporaryPassword);
    const changed = await t.app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: s.headers, payload: { currentPassword: temporaryPassword, newPassword: 'Lighthouse-Keeper-42' } });
    expect(changed.statusCode, changed.body).toBe(204);
    const fresh = await login(t.app, 'frank', 'Lighthouse-Keeper-42');
    const made = await t.app.inject({ method: 'POST', url: '/api/v1/account/tokens', headers: fresh.headers, payload: { name: 'siem', expiresInDays: 7 } });
    expect(made.statusCode).toBe(201);
    const bearer = { authorization: `Bearer ${made.json().token}` };
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer })).statusCode).toBe(200);
    const reset = await call('POST', `/users/${user.id}/reset-password`);
    expect(reset.statusCode).toBe(200);
    // The reset ends the account's API tokens too, not only its sessions.
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer })).statusCode).toBe(401);
    const next = reset.json().temporaryPassword;
    expect(next).not.toBe(temporaryPassword);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: fresh.headers })).statusCode).toBe(401);
    await login(t.app, 'frank', next);
    expect((await call('POST', `/users/${user.id}/reset-mfa`)).json().user.mfaEnabled).toBe(false);
    expect((await call('POST', `/users/${user.id}/disable`)).json().user.disabled).toBe(true);
    const refused = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'frank', password: next } });
    expect(refused.statusCode).toBe(401);
    expect((await call('POST', `/users/${user.id}/enable`)).json().user.disabled).toBe(false);
    await login(t.app, 'frank', next);
    const list = (await call('GET', '/users')).json().items.map((u: { username: string }) => u.username);
    expect(list).toEqual(expect.arrayContaining(['admin', 'frank', 'dana.duty']));
  });

  it('updates team settings for admins', async () => {
    const r = await call('PATCH', '/settings', { teamName: 'CERT-Example' });
    expect(r.json()).toEqual({ teamName: 'CERT-Example', requireMfa: false, incidentPrefix: 'VIG', priorityMatrix: null, timeZone: 'UTC' });
    const meta = await t.app.inject({ method: 'GET', url: '/api/v1/meta' });
    expect(meta.json().teamName).toBe('CERT-Example');
    expect((await call('PATCH', '/settings', {})).json().code).toBe('VIG_REQUEST_INVALID');
  });
  it('lets every team member read the team (names and roles only) for choosing a colleague; reporters may not', async () => {
    const handler = await userWith(t, ['handler']);
    const viewer = await userWith(t, ['viewer']);
    const reporter = await userWith(t, ['reporter']);
    const colleague = (await call('POST', '/users', { username: 'grace.handler', displayName: 'Grace Hopper', email: 'grace@csirt.example', roles: ['handler'] })).json().user;
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/team-members', headers: handler.headers });
    expect(r.statusCode).toBe(200);
    const items = r.json().items as Record<string, unknown>[];
    expect(items).toContainEqual({ id: colleague.id, username: 'grace.handler', displayName: 'Grace Hopper', roles: ['handler'], disabled: false });
    for (const m of items) expect(Object.keys(m).sort()).toEqual(['disabled', 'displayName', 'id', 'roles', 'username']);
    // Reporter-only accounts are not team members.
    expect(items.map((m) => m.id)).not.toContain(reporter.id);
    expect(items.map((m) => m.id)).toContain(viewer.id);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/team-members', headers: viewer.headers })).statusCode).toBe(200);
    const refused = await t.app.inject({ method: 'GET', url: '/api/v1/team-members', headers: reporter.headers });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('VIG_AUTHZ_FORBIDDEN');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/team-members' })).statusCode).toBe(401);
    // The admin list stays admin and manager only.
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: handler.headers })).statusCode).toBe(403);
  });
});
