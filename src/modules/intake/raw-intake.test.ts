import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiOf, makeApp, testClock, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';

/** An X-ARF v4 report as an abuse desk's tooling sends it (messaging/spam). */
export const xarfSpam = (over: Record<string, unknown> = {}) => ({
  xarf_version: '4.0.0',
  report_id: randomUUID(),
  timestamp: '2026-11-28T23:41:07Z',
  reporter: { org: 'Example Mail Provider', contact: 'abuse@mail-provider.example', domain: 'mail-provider.example' },
  sender: { org: 'Example Mail Provider', contact: 'abuse@mail-provider.example', domain: 'mail-provider.example' },
  source_identifier: '198.51.100.23',
  source_port: 25,
  category: 'messaging',
  type: 'spam',
  protocol: 'smtp',
  smtp_from: 'promo@cheap-pills.example',
  subject: 'Cheap meds, no prescription',
  evidence_source: 'spamtrap',
  confidence: 0.95,
  description: 'Spam received on 14 spamtrap addresses from this host',
  ...over,
});

/** An X-ARF v4 phishing report (content/phishing): the URL and domain are what matters. */
export const xarfPhishing = (over: Record<string, unknown> = {}) => ({
  xarf_version: '4.0.0',
  report_id: randomUUID(),
  timestamp: '2026-11-29T06:12:00Z',
  reporter: { org: 'Bank of Example', contact: 'security@bank.example', domain: 'bank.example' },
  sender: { org: 'Phish Reporting Service', contact: 'reports@phish-desk.example', domain: 'phish-desk.example' },
  source_identifier: '203.0.113.80',
  category: 'content',
  type: 'phishing',
  url: 'https://secure-bank-login.example/signin/index.php',
  domain: 'secure-bank-login.example',
  target_brand: 'Bank of Example',
  evidence_source: 'user_report',
  ...over,
});

/** The X-ARF v4 schemas (xarf/xarf-spec), where this checkout has them beside it. */
export const XARF_SCHEMAS = resolve(import.meta.dirname, '../../../../shared/reference/formats/xarf-v4/v4');

/** Validates against the X-ARF v4 master schema. */
export function xarfValidator() {
  const dir = XARF_SCHEMAS;
  const ajv = new Ajv2020.default({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(JSON.parse(readFileSync(`${dir}/xarf-core.json`, 'utf8')));
  for (const f of readdirSync(`${dir}/types`)) ajv.addSchema(JSON.parse(readFileSync(`${dir}/types/${f}`, 'utf8')));
  return ajv.compile(JSON.parse(readFileSync(`${dir}/xarf-v4-master.json`, 'utf8')));
}

describe.each(stores())('raw-first intake of any content type on %s', (store) => {
  let t: TestApp;
  let admin: Session;
  let handler: Session;
  let token: string;
  const clock = testClock(new Date('2026-11-29T10:00:00Z'));
  const api = apiOf(() => t, () => handler);

  const post = (payload: Buffer, contentType: string | null, tok = token) =>
    t.app.inject({
      method: 'POST', url: '/api/v1/intake/alerts',
      headers: { authorization: `Bearer ${tok}`, ...(contentType === null ? {} : { 'content-type': contentType }) },
      payload,
    });

  beforeAll(async () => {
    t = await makeApp(store, {}, clock);
    admin = await userWith(t, ['admin']);
    handler = await userWith(t, ['handler']);
    const r = await api.call(admin, 'POST', '/intake/sources', { name: 'any-body', mapping: { title: '{{name}} on {{host}}', observables: [{ type: 'ipv4', from: '$.ip' }] }, dedupWindowSeconds: 0 });
    expect(r.statusCode, r.body).toBe(201);
    token = r.json().token;
  });
  afterAll(() => t?.close());

  const latin1Json = Buffer.concat([Buffer.from('{"name":"Connexion refus', 'latin1'), Buffer.from([0xe9]), Buffer.from('e","host":"fw-01","ip":"192.0.2.44"}', 'latin1')]);
  const cases: [string, string | null, Buffer][] = [
    ['text/plain', 'text/plain', Buffer.from('Nov 29 10:00:01 fw-01 kernel: DROP IN=eth0 SRC=192.0.2.9 DST=198.51.100.1\n')],
    ['text/csv', 'text/csv; charset=utf-8', Buffer.from('timestamp,ip,asn\r\n2026-11-29T09:58:00Z,192.0.2.10,64496\r\n')],
    ['application/x-ndjson', 'application/x-ndjson', Buffer.from('{"name":"scan","host":"a","ip":"192.0.2.11"}\n{"name":"scan","host":"b","ip":"192.0.2.12"}\n')],
    ['no content type', null, Buffer.from('{"name":"no type","host":"c","ip":"192.0.2.13"}')],
    ['a wrong charset on JSON (latin1 bytes, not UTF-8)', 'application/json; charset=utf-8', latin1Json],
    ['bytes that are no text at all', 'text/plain; charset=us-ascii', Buffer.from([0x00, 0xff, 0xfe, 0x0d, 0x0a, 0x80, 0x81, 0x1b, 0x5b])],
    ['an unknown type', 'application/vnd.example-siem+octets', Buffer.from([0xde, 0xad, 0xbe, 0xef])],
  ];

  it.each(cases)('keeps a body sent as %s byte for byte', async (_name, contentType, payload) => {
    const r = await post(payload, contentType);
    expect(r.statusCode, r.body).toBe(202);
    const item = r.json().item as string;
    const row = await t.db.db.selectFrom('intakeItem').select(['content', 'sha256', 'contentType']).where('id', '=', item).executeTakeFirstOrThrow();
    expect(Buffer.from(row.content).equals(payload)).toBe(true);
    expect(row.sha256).toBe(createHash('sha256').update(payload).digest('hex'));
    const raw = await api.call(handler, 'GET', `/intake/items/${item}/raw`);
    expect(raw.statusCode).toBe(200);
    expect(raw.rawPayload.equals(payload)).toBe(true);
  });

  it('reads NDJSON line by line and JSON whose declared charset is wrong', async () => {
    const nd = await post(cases[2]![2], 'application/x-ndjson');
    expect(nd.json()).toMatchObject({ state: 'parsed', error: null });
    expect(nd.json().alerts).toHaveLength(2);
    const wrong = await post(latin1Json, 'application/json; charset=utf-8');
    expect(wrong.json()).toMatchObject({ state: 'parsed' });
    const a = (await api.call(handler, 'GET', `/alerts/${wrong.json().alerts[0].id}`)).json();
    expect(a.title).toBe('Connexion refusée on fw-01');
    // A body no mapping can read is kept as a failed item, never as nothing.
    const csv = await post(cases[1]![2], 'text/csv');
    expect(csv.json()).toMatchObject({ state: 'failed' });
    expect(csv.json().error).toMatch(/JSON/);
  });

  it('refuses bodies other intake routes cannot read before acknowledging anything', async () => {
    // Other routes of the intake area answer 4xx for a body they cannot read: nothing is acknowledged.
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/intake/sources', headers: { ...admin.headers, 'content-type': 'text/plain' }, payload: 'name=x' });
    expect(r.statusCode).toBe(415);
    // The report API and the public web form refuse what they cannot keep and read, before acknowledging anything.
    const before = await t.db.db.selectFrom('report').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    for (const contentType of ['text/plain', 'text/csv', 'application/x-ndjson']) {
      const rep = await t.app.inject({ method: 'POST', url: '/api/v1/reports', headers: { ...handler.headers, 'content-type': contentType }, payload: 'title=Phishing' });
      expect(rep.statusCode, contentType).toBeGreaterThanOrEqual(400);
      expect(rep.statusCode, contentType).toBeLessThan(500);
      const form = await t.app.inject({ method: 'POST', url: '/api/v1/public/reports', headers: { 'content-type': contentType }, payload: 'title=Phishing' });
      expect(form.statusCode, contentType).toBe(415);
    }
    const after = await t.db.db.selectFrom('report').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it.skipIf(!existsSync(XARF_SCHEMAS))('writes X-ARF samples the X-ARF v4 schema accepts', () => {
    const validate = xarfValidator();
    for (const sample of [xarfSpam(), xarfPhishing()]) expect(validate(sample), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(xarfSpam({ category: 'messaging', type: 'no_such_type' }))).toBe(false);
  });

  it('understands an X-ARF v4 body without a hand-written mapping', async () => {
    const spam = xarfSpam();
    const phish = xarfPhishing();
    const r = await post(Buffer.from(JSON.stringify(spam)), 'application/json');
    expect(r.statusCode, r.body).toBe(202);
    expect(r.json()).toMatchObject({ state: 'parsed', error: null });
    const a = (await api.call(handler, 'GET', `/alerts/${r.json().alerts[0].id}`)).json();
    expect(a).toMatchObject({ classification: { class: 'abusive-content', type: 'spam' }, sourceRef: spam.report_id });
    expect(a.title).toMatch(/spam/i);
    expect(a.title).toContain('198.51.100.23');
    expect(new Date(a.observedAt).toISOString()).toBe('2026-11-28T23:41:07.000Z');
    expect(a.observables).toEqual(expect.arrayContaining([{ type: 'ipv4', value: '198.51.100.23' }, { type: 'email', value: 'promo@cheap-pills.example' }]));
    expect(a.fields).toMatchObject({ xarf_category: 'messaging', xarf_type: 'spam', reporter: 'Example Mail Provider' });
    // An array of reports, as NDJSON too.
    const nd = await post(Buffer.from(`${JSON.stringify(phish)}\n${JSON.stringify(xarfSpam({ source_identifier: '198.51.100.24' }))}\n`), 'application/x-ndjson');
    expect(nd.json().alerts).toHaveLength(2);
    const p = (await api.call(handler, 'GET', `/alerts/${nd.json().alerts[0].id}`)).json();
    expect(p.classification).toEqual({ class: 'fraud', type: 'phishing' });
    expect(p.observables).toEqual(expect.arrayContaining([
      { type: 'url', value: 'https://secure-bank-login.example/signin/index.php' }, { type: 'domain', value: 'secure-bank-login.example' }, { type: 'ipv4', value: '203.0.113.80' },
    ]));
  });
});
