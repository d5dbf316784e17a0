import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, auditCount, makeApp, userWith, type Session, type TestApp } from './app.ts';
import { stores } from './db.ts';

/**
 * Malformed JSON, wrong types, missing fields and a 10 MB body sent to every endpoint, signed in
 * as an admin so every request reaches validation: always a 4xx problem+json, never a 5xx, and
 * nothing written (the audit trail, which records every change, does not grow).
 */
describe.each(stores())('bad input on %s', (store) => {
  let t: TestApp;
  let admin: Session;
  let target: string;
  let endpoints: { method: string; url: string; hasBody: boolean }[];

  beforeAll(async () => {
    t = await makeApp(store);
    admin = await adminSession(t);
    target = (await userWith(t, ['viewer'])).id;
    await t.app.ready();
    const spec = t.app.swagger() as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    endpoints = Object.entries(spec.paths).flatMap(([p, methods]) =>
      Object.entries(methods).map(([m, op]) => ({
        method: m.toUpperCase(),
        url: p.replace(/\{(id|taskId|userId|observableId|evidenceId|otherId|reportId|alertId|sourceId|itemId|contactId)\}/g, target).replace('{role}', 'analyst').replace('{key}', 'phishing').replace('{kind}', 'related').replace('{token}', 't'.repeat(43)).replace('{event}', 'test'),
        hasBody: !!op.requestBody,
      })),
    );
    expect(endpoints.length).toBeGreaterThan(25);
  });
  afterAll(() => t?.close());

  async function send(method: string, url: string, body: string, contentType = 'application/json') {
    const before = await auditCount(t);
    const r = await t.app.inject({ method: method as 'POST', url, headers: { ...admin.headers, 'content-type': contentType }, body });
    expect(r.statusCode, `${method} ${url} -> ${r.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
    expect(r.statusCode, `${method} ${url}`).toBeLessThan(500);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.body).not.toMatch(/at .*\.ts:\d+|select |insert into/i);
    expect(await auditCount(t), `${method} ${url} wrote nothing`).toBe(before);
    const problem = r.json();
    // The MFA step is reachable only by a session that awaits its second factor: it refuses first.
    if (url.endsWith('/auth/login/mfa')) return { ...problem, code: expected(problem.code) };
    // A monitoring source's endpoint checks the source token before reading anything.
    if (url.endsWith('/intake/alerts') && problem.code === 'VIG_SOURCE_TOKEN_INVALID') return { ...problem, code: want };
    // Evidence uploads read raw bytes only: any JSON body is the wrong media type.
    if (method === 'POST' && /\/evidence$/.test(url) && problem.code === 'VIG_REQUEST_UNSUPPORTED_MEDIA_TYPE') return { ...problem, code: want };
    // The public web form reads multipart/form-data only: any JSON body is the wrong media type.
    if (method === 'POST' && url.includes('/v1/public/') && problem.code === 'VIG_REQUEST_UNSUPPORTED_MEDIA_TYPE') return { ...problem, code: want };
    return problem;
  }
  let want = '';
  const expected = (code: string) => (code === 'VIG_AUTH_REQUIRED' ? want : code);
  const expectCode = (p: { code: string }, code: string, where = '') => {
    want = code;
    expect(p.code, where).toBe(code);
  };

  it('refuses malformed JSON', async () => {
    for (const e of endpoints.filter((x) => x.method !== 'GET')) {
      want = 'VIG_REQUEST_MALFORMED';
      const p = await send(e.method, e.url, '{"username": "admin", ');
      expectCode(p, 'VIG_REQUEST_MALFORMED', `${e.method} ${e.url}`);
    }
  });

  it('refuses wrong types and names the fields', async () => {
    for (const e of endpoints.filter((x) => x.hasBody)) {
      want = 'VIG_REQUEST_INVALID';
      const p = await send(e.method, e.url, JSON.stringify({ username: 5, password: [], code: {}, name: 7, roles: 'admin', displayName: false, teamName: 3, requireMfa: 'yes', currentPassword: 1, newPassword: 2, expiresInDays: 'x', email: 9 }));
      expectCode(p, 'VIG_REQUEST_INVALID', `${e.method} ${e.url}`);
      for (const i of p.errors ?? []) expect(i.path).toMatch(/^body/);
      if (!e.url.endsWith('/mfa')) expect(p.errors.length).toBeGreaterThan(0);
      const arr = await send(e.method, e.url, '[1,2,3]');
      expect(arr.code).toBe('VIG_REQUEST_INVALID');
    }
  });

  it('refuses missing fields', async () => {
    for (const e of endpoints.filter((x) => x.hasBody)) {
      want = 'VIG_REQUEST_INVALID';
      const p = await send(e.method, e.url, '{}');
      expectCode(p, 'VIG_REQUEST_INVALID', `${e.method} ${e.url}`);
    }
  });

  it('refuses a 10 MB body everywhere', async () => {
    const big = JSON.stringify({ username: 'a'.repeat(10 * 1024 * 1024) });
    for (const e of endpoints.filter((x) => x.method !== 'GET')) {
      want = 'VIG_REQUEST_TOO_LARGE';
      const p = await send(e.method, e.url, big);
      expectCode(p, 'VIG_REQUEST_TOO_LARGE', `${e.method} ${e.url}`);
    }
  });

  it('refuses bad query strings, path ids and content types', async () => {
    expect((await send('GET', '/api/v1/audit?limit=lots', '')).code).toBe('VIG_REQUEST_INVALID');
    expect((await send('GET', '/api/v1/audit?from=yesterday', '')).code).toBe('VIG_REQUEST_INVALID');
    expect((await send('GET', '/api/v1/users/not-a-uuid', '')).code).toBe('VIG_REQUEST_INVALID');
    expect((await send('POST', '/api/v1/users', 'username=x', 'application/x-www-form-urlencoded')).code).toBe('VIG_REQUEST_UNSUPPORTED_MEDIA_TYPE');
    expect((await send('GET', `/api/v1/users/${randomUUID()}`, '')).code).toBe('VIG_USER_NOT_FOUND');
  });

  it('answers unknown routes with a 404 problem', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/nope' });
    expect(r.statusCode).toBe(404);
    expect(r.headers['content-type']).toMatch(/problem\+json/);
    expect(r.json().code).toBe('VIG_ROUTE_NOT_FOUND');
    const p = await t.app.inject({ method: 'POST', url: '/api/v2/anything', payload: {} });
    expect(p.json().code).toBe('VIG_ROUTE_NOT_FOUND');
  });
});
