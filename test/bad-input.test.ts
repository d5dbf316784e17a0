import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, auditCount, makeApp, userWith, type Session, type TestApp } from './app.ts';
import { systemActor } from '../src/lib/actor.ts';
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
        url: p.replace(/\{(id|\w+Id)\}/g, target).replace('{role}', 'analyst').replace('{key}', 'phishing').replace('{kind}', 'related').replace('{token}', 't'.repeat(43)).replace('{event}', 'test'),
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
    // A feed's report is whatever bytes the feed sends (JSON or not, up to VIGIL_FEED_MAX_BYTES): for an unknown feed, refused as such.
    if (method === 'POST' && /\/feeds\/[^/]+\/reports$/.test(url) && problem.code === 'VIG_FEED_NOT_FOUND') return { ...problem, code: want };
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
      const p = await send(e.method, e.url, JSON.stringify({ username: 5, password: [], code: {}, name: 7, roles: 'admin', displayName: false, teamName: 3, requireMfa: 'yes', currentPassword: 1, newPassword: 2, expiresInDays: 'x', email: 9, description: 4, tlp: 5 }));
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
      // Keeping a report's attachment as evidence needs nothing more than its path: {} goes on (to a 404 here).
      if (/\/attachments\/[^/]+\/evidence$/.test(e.url)) continue;
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

/**
 * Text PostgreSQL cannot store: a NUL character (U+0000) or an unpaired UTF-16 surrogate, in any
 * string of a JSON body (walked from the OpenAPI document), in any query parameter and in any path
 * parameter. Always 400 VIG_REQUEST_TEXT_INVALID naming the field, never a 5xx, nothing written.
 * The endpoints that keep raw bytes (alerts webhook, evidence) still take any bytes.
 */
describe.each(stores())('NUL and unpaired surrogates on %s', (store) => {
  type Schema = { [k: string]: unknown };
  type Op = { parameters?: { in: string; name: string; schema?: Schema }[]; requestBody?: { content?: Record<string, { schema?: Schema }> } };
  const POISONS = { nul: 'a\u0000b', surrogate: 'a\ud800b' } as const;
  let t: TestApp;
  let admin: Session;
  let spec: { paths: Record<string, Record<string, Op>> } & Schema;
  let incidentId: string;
  let taskId: string;
  let ids: Record<string, string>;

  beforeAll(async () => {
    t = await makeApp(store);
    // A lead holds every permission, so each request reaches the text check and then the database.
    admin = await userWith(t, ['admin', 'manager']);
    await t.app.ready();
    spec = t.app.swagger() as typeof spec;
    const inc = await t.app.inject({ method: 'POST', url: '/api/v1/incidents', headers: admin.headers, payload: { title: 'Phishing wave', impact: 'low', urgency: 'low', classifications: [{ class: 'fraud', type: 'phishing' }] } });
    incidentId = inc.json().id;
    const task = await t.app.inject({ method: 'POST', url: `/api/v1/incidents/${incidentId}/tasks`, headers: admin.headers, payload: { phase: 'triage', title: 'Block the sender' } });
    taskId = task.json().id;
    ids = { id: incidentId, taskId, userId: (await userWith(t, ['handler'])).id };
  });
  afterAll(() => t?.close());

  const urlOf = (path: string) =>
    `${path.replace(/\{([a-zA-Z]+)\}/g, (_, name: string) => ids[name] ?? ({ role: 'analyst', key: 'phishing', kind: 'related', token: 't'.repeat(43), event: 'incident.created' } as Record<string, string>)[name] ?? randomUUID())}`;

  /** Sends one request; it must be refused as a client error with a problem and write nothing. */
  async function refused(method: string, url: string, payload?: string) {
    const before = await auditCount(t);
    const r = await t.app.inject({ method: method as 'POST', url, headers: { ...admin.headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload }) });
    const where = `${method} ${url} ${payload?.slice(0, 160) ?? ''} -> ${r.statusCode} ${r.body.slice(0, 300)}`;
    expect(r.statusCode, where).toBeGreaterThanOrEqual(400);
    expect(r.statusCode, where).toBeLessThan(500);
    expect(r.headers['content-type'], where).toMatch(/^application\/problem\+json/);
    expect(await auditCount(t), `${where}: wrote nothing`).toBe(before);
    return { where, problem: r.json() as { code: string; errors?: { path: string; message: string }[] } };
  }

  function deref(s: unknown): Schema {
    let node = s as Schema;
    for (let i = 0; node && typeof node.$ref === 'string' && i < 10; i++) {
      node = (node.$ref as string).slice(2).split('/').reduce<unknown>((n, k) => (n as Schema)?.[k.replaceAll('~1', '/').replaceAll('~0', '~')], spec) as Schema;
    }
    return node ?? {};
  }

  /** A value of the schema's shape, every property and at least one item of every array filled in. */
  function sample(raw: unknown, depth = 0): unknown {
    const s = deref(raw);
    if (depth > 8) return null;
    if ('const' in s) return s.const;
    if (Array.isArray(s.enum)) return s.enum[0];
    for (const k of ['anyOf', 'oneOf'] as const) {
      const options = s[k] as unknown[] | undefined;
      if (options) return sample(options.find((o) => deref(o).type !== 'null') ?? options[0], depth + 1);
    }
    if (Array.isArray(s.allOf)) return sample(s.allOf[0], depth + 1);
    const type = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type;
    switch (type) {
      case 'string':
        return s.format === 'uuid' ? randomUUID() : s.format === 'date-time' ? new Date().toISOString() : s.format === 'email' ? 'a@example.org' : 'x'.repeat(Math.max(1, Number(s.minLength ?? 1)));
      case 'integer':
      case 'number':
        return Number(s.minimum ?? 1);
      case 'boolean':
        return true;
      case 'array':
        return Array.isArray(s.prefixItems) ? s.prefixItems.map((p) => sample(p, depth + 1)) : [sample(s.items ?? { type: 'string' }, depth + 1)];
      case 'object':
      case undefined:
        if (!s.properties && type === undefined) return 'x';
        return Object.fromEntries(Object.entries((s.properties ?? {}) as Record<string, unknown>).map(([k, v]) => [k, sample(v, depth + 1)]));
    }
    return 'x';
  }

  /** The paths of every string inside a value. */
  function stringPaths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
    if (typeof v === 'string') return [at];
    if (Array.isArray(v)) return v.flatMap((x, i) => stringPaths(x, [...at, i]));
    if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => stringPaths(x, [...at, k]));
    return [];
  }

  function withValue(v: unknown, path: (string | number)[], value: string): unknown {
    const copy = structuredClone(v) as Record<string | number, unknown>;
    let node = copy;
    for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
    node[path.at(-1)!] = value;
    return copy;
  }

  const operations = () =>
    Object.entries(spec.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op })));

  it('refuses them in the text fields that reach the database, which take clean text', async () => {
    const cases: [string, string, (text: string) => object][] = [
      ['POST', '/api/v1/incidents', (x) => ({ title: `Phishing ${x}`, impact: 'low', urgency: 'low', classifications: [{ class: 'fraud', type: 'phishing' }] })],
      ['POST', `/api/v1/incidents/${incidentId}/notes`, (x) => ({ body: `Seen at ${x}` })],
      ['POST', `/api/v1/incidents/${incidentId}/communications`, (x) => ({ direction: 'outbound', channel: 'email', party: `Hoster ${x}`, body: 'Please take the page down.' })],
      ['POST', `/api/v1/incidents/${incidentId}/tasks`, (x) => ({ phase: 'analysis', title: `Check ${x}` })],
      ['POST', `/api/v1/tasks/${taskId}/notes`, (x) => ({ body: `Done ${x}` })],
      ['POST', '/api/v1/reports', (x) => ({ title: `Phishing mail ${x}`, body: 'A mail asking for passwords.' })],
      ['POST', '/api/v1/constituents', (x) => ({ name: `Example University ${x}` })],
      ['POST', '/api/v1/constituents/import', (x) => ({ csv: `name,sector\nExample Hospital ${x},health\n` })],
      ['POST', '/api/v1/activities', (x) => ({ kind: 'training', title: `Phishing drill ${x}`, startsAt: new Date().toISOString() })],
      ['POST', '/api/v1/account/tokens', (x) => ({ name: `ci ${x}` })],
      ['PATCH', '/api/v1/settings', (x) => ({ teamName: `CERT ${x}` })],
    ];
    for (const [method, url, body] of cases) {
      for (const [kind, poison] of Object.entries(POISONS)) {
        const { where, problem } = await refused(method, url, JSON.stringify(body(poison)));
        expect(problem.code, `${kind}: ${where}`).toBe('VIG_REQUEST_TEXT_INVALID');
        expect(problem.errors?.length, where).toBe(1);
        expect(problem.errors![0]!.path, where).toMatch(/^body\./);
      }
      const ok = await t.app.inject({ method: method as 'POST', url, headers: admin.headers, payload: body('clean') });
      expect(ok.statusCode, `${method} ${url} ${ok.body.slice(0, 300)}`).toBeLessThan(300);
    }
    // Signing in and searching read the database with the text too.
    for (const poison of Object.values(POISONS)) {
      const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: JSON.stringify({ username: `admin${poison}`, password: 'x' }), headers: { 'content-type': 'application/json' } });
      expect(login.statusCode, login.body).toBe(400);
      expect(login.json().code).toBe('VIG_REQUEST_TEXT_INVALID');
      expect(login.json().errors).toEqual([expect.objectContaining({ path: 'body.username' })]);
    }
    for (const url of ['/api/v1/incidents?q=a%00b', '/api/v1/reports?q=a%00b', '/api/v1/observables?value=a%00b', '/api/v1/constituents?q=a%00b', '/api/v1/incidents/count?q=a%00b']) {
      const { where, problem } = await refused('GET', url);
      expect(problem.code, where).toBe('VIG_REQUEST_TEXT_INVALID');
      expect(problem.errors?.[0]?.path, where).toMatch(/^querystring\.(q|value)$/);
    }
  });

  it('refuses them in every string of every JSON body, and in its keys', async () => {
    let checked = 0;
    for (const { path, method, op } of operations()) {
      const schema = op.requestBody?.content?.['application/json']?.schema;
      if (!schema) continue;
      const body = sample(schema);
      const url = urlOf(path);
      for (const at of stringPaths(body)) {
        for (const [kind, poison] of Object.entries(POISONS)) {
          const { where, problem } = await refused(method, url, JSON.stringify(withValue(body, at, poison)));
          // The second factor step answers only a session that awaits it: it refuses everyone else first.
          if (path.endsWith('/auth/login/mfa') && problem.code === 'VIG_AUTH_REQUIRED') continue;
          expect(problem.code, `${kind}: ${where}`).toBe('VIG_REQUEST_TEXT_INVALID');
          expect(problem.errors, where).toEqual([expect.objectContaining({ path: ['body', ...at].join('.') })]);
          checked++;
        }
      }
      if (body && typeof body === 'object' && !Array.isArray(body)) {
        const { where, problem } = await refused(method, url, JSON.stringify({ ...body, [`x${POISONS.nul}`]: 1 }));
        if (!path.endsWith('/auth/login/mfa')) expect(problem.code, where).toBe('VIG_REQUEST_TEXT_INVALID');
      }
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('refuses them in every query parameter and every path parameter', async () => {
    let checked = 0;
    for (const { path, method, op } of operations()) {
      for (const p of op.parameters ?? []) {
        if (p.in === 'query') {
          for (const poison of ['a%00b', '%00']) {
            const { where, problem } = await refused(method, `${urlOf(path)}?${encodeURIComponent(p.name)}=${poison}`);
            expect(problem.code, where).toBe('VIG_REQUEST_TEXT_INVALID');
            expect(problem.errors, where).toEqual([expect.objectContaining({ path: `querystring.${p.name}` })]);
            checked++;
          }
          // A surrogate cannot be percent-encoded in UTF-8: its CESU-8 bytes are refused or kept as they were sent.
          const r = await t.app.inject({ method: method as 'GET', url: `${urlOf(path)}?${encodeURIComponent(p.name)}=%ED%A0%80`, headers: admin.headers });
          expect(r.statusCode, `${method} ${path}?${p.name}=%ED%A0%80 -> ${r.body.slice(0, 200)}`).toBeLessThan(500);
        }
        if (p.in === 'path') {
          const url = urlOf(path.replace(`{${p.name}}`, 'a%00b'));
          const { where, problem } = await refused(method, url);
          expect(problem.code, where).toBe('VIG_REQUEST_TEXT_INVALID');
          expect(problem.errors, where).toEqual([expect.objectContaining({ path: `params.${p.name}` })]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('refuses them in the text of the public web form, keeping nothing', async () => {
    const boundary = `----vigil${randomUUID()}`;
    const form = (what: string) => ({
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      remoteAddress: '203.0.113.9',
      payload: Buffer.from(
        [['name', 'Erika Mustermann'], ['email', 'erika@example.org'], ['organisation', 'Example GmbH'], ['what', what]]
          .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('') + `--${boundary}--\r\n`,
        'utf8',
      ),
    });
    const items = async () => (await t.db.db.selectFrom('intakeItem').select('id').execute()).length;
    const before = await items();
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/public/reports', ...form('Our web shop shows a defaced page \u0000 since 09:00.') });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().code).toBe('VIG_REQUEST_TEXT_INVALID');
    expect(r.json().errors).toEqual([expect.objectContaining({ path: 'body.what' })]);
    expect(await items()).toBe(before);
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/public/reports', ...form('Our web shop shows a defaced page since 09:00.') });
    expect(ok.statusCode, ok.body).toBeLessThan(300);
  });

  it('keeps any bytes where raw bytes are kept: an alert and evidence with NUL bytes', async () => {
    const { token } = await t.services.sources.create(systemActor('cli'), { name: `nul-${randomUUID().slice(0, 8)}`, mapping: { title: '$.title' } });
    const alert = Buffer.from('{"title":"Port scan from 198.51.100.7","note":"raw \u0000 byte and \\u0000 escape"}', 'utf8');
    const a = await t.app.inject({ method: 'POST', url: '/api/v1/intake/alerts', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: alert });
    expect(a.statusCode, a.body).toBe(202);
    const item = await t.db.db.selectFrom('intakeItem').select('id').orderBy('receivedAt', 'desc').executeTakeFirstOrThrow();
    expect(item).toBeTruthy();
    const bytes = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0xd8, 0x00, 0x0a, 0xed, 0xa0, 0x80]);
    const e = await t.app.inject({ method: 'POST', url: `/api/v1/incidents/${incidentId}/evidence?filename=scan.bin&collectedBy=Analyst&collectedFrom=mail%20server&collectedAt=${encodeURIComponent(new Date().toISOString())}`, headers: { ...admin.headers, 'content-type': 'application/octet-stream' }, payload: bytes });
    expect(e.statusCode, e.body).toBe(201);
  });
});
