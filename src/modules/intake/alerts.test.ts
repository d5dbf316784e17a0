import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiOf, makeApp, testClock, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import { MAPPING, wazuh } from '../../../test/alerts-fixture.ts';

describe.each(stores())('monitoring alerts on %s', (store) => {
  let t: TestApp;
  let admin: Session;
  let handler: Session;
  let viewer: Session;
  let token: string;
  let sourceId: string;
  const clock = testClock(new Date('2026-11-29T10:00:00Z'));
  const api = apiOf(() => t, () => handler);

  const post = (body: unknown, headers: Record<string, string> = {}, tok = token) =>
    t.app.inject({
      method: 'POST', url: '/api/v1/intake/alerts',
      headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json', ...headers },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    t = await makeApp(store, {}, clock);
    admin = await userWith(t, ['admin']);
    handler = await userWith(t, ['handler']);
    viewer = await userWith(t, ['viewer']);
    const r = await api.call(admin, 'POST', '/intake/sources', { name: 'wazuh', description: 'Wazuh manager', mapping: MAPPING, dedupWindowSeconds: 600 });
    expect(r.statusCode, r.body).toBe(201);
    token = r.json().token;
    sourceId = r.json().source.id;
    expect(token).toMatch(/^vgs_/);
    expect(JSON.stringify(r.json().source)).not.toContain(token);
  });
  afterAll(() => t?.close());

  it('maps a posted alert and keeps the body byte for byte', async () => {
    const text = JSON.stringify(wazuh(), null, 2);
    const r = await post(text);
    expect(r.statusCode, r.body).toBe(202);
    const out = r.json();
    expect(out).toMatchObject({ state: 'parsed', error: null, replayed: false });
    expect(out.alerts).toHaveLength(1);
    expect(out.alerts[0].reference).toMatch(/^VIG-A-2026-\d{6}$/);
    const a = (await api.call(handler, 'GET', `/alerts/${out.alerts[0].reference}`)).json();
    expect(a).toMatchObject({
      status: 'new', severity: 'high', title: 'sshd: brute force trying to get access to the system on web-01', sourceName: 'wazuh',
      sourceRef: '1700000000.1234', classification: { class: 'intrusion-attempts', type: 'brute-force' }, arrivals: 1,
      fields: { rule: '5712', agent: 'web-01' }, tlp: 'AMBER',
    });
    expect(new Date(a.observedAt).toISOString()).toBe('2026-11-29T10:00:00.000Z');
    expect(a.observables).toEqual(expect.arrayContaining([
      { type: 'ipv4', value: '203.0.113.7' }, { type: 'user-account', value: 'root' }, { type: 'url', value: 'http://evil.example/x' },
    ]));
    const raw = await api.call(handler, 'GET', `/alerts/${a.id}/raw`);
    expect(raw.statusCode).toBe(200);
    expect(raw.rawPayload.equals(Buffer.from(text))).toBe(true);
    expect(raw.headers['x-content-sha256']).toBe(createHash('sha256').update(text).digest('hex'));
  });

  it('collapses repeats within the window into one alert with every arrival listed, and opens a new one after it', async () => {
    const body = wazuh({ agent: { name: 'db-02' } });
    const first = (await post(body)).json().alerts[0];
    clock.advance(60_000);
    const second = (await post({ ...body, id: 'other-id', timestamp: '2026-11-29T10:01:00Z' })).json().alerts[0];
    expect(second).toEqual({ id: first.id, reference: first.reference, repeat: true });
    // Two in one body, both repeats of the same alert.
    const batch = (await post([body, body])).json();
    expect(batch.alerts.map((x: { id: string }) => x.id)).toEqual([first.id, first.id]);
    const a = (await api.call(handler, 'GET', `/alerts/${first.id}`)).json();
    expect(a.arrivals).toBe(4);
    expect(a.arrivalList).toHaveLength(4);
    // The window slides with each arrival; after it, a new alert.
    clock.advance(601_000);
    const later = (await post(body)).json().alerts[0];
    expect(later.repeat).toBe(false);
    expect(later.id).not.toBe(first.id);
  });

  it('makes nothing new for a retried POST with the same idempotency key; another body with it is refused', async () => {
    const body = wazuh({ agent: { name: 'idem-01' } });
    const a = await post(body, { 'idempotency-key': 'batch-42' });
    const b = await post(body, { 'idempotency-key': 'batch-42' });
    expect(a.statusCode).toBe(202);
    expect(b.statusCode).toBe(200);
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect(b.json().item).toBe(a.json().item);
    expect(b.json().alerts).toEqual(a.json().alerts);
    const items = await t.db.db.selectFrom('intakeItem').select('id').where('envelope', '@>', JSON.stringify({ idempotencyKey: 'batch-42' }) as never).execute();
    expect(items).toHaveLength(1);
    const c = await post(wazuh({ agent: { name: 'other' } }), { 'idempotency-key': 'batch-42' });
    expect(c.statusCode).toBe(422);
    expect(c.json().code).toBe('VIG_IDEMPOTENCY_KEY_REUSED');
  });

  it('keeps a body the mapping cannot read as a failed item, and files it once the mapping is fixed', async () => {
    const odd = { alert: { name: 'Port scan', sev: 'urgent' } };
    const r = await post(odd);
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({ state: 'failed', alerts: [] });
    expect(r.json().error).toMatch(/title/);
    const queue = (await api.call(handler, 'GET', '/intake/items?state=failed')).json();
    const item = queue.items.find((i: { id: string }) => i.id === r.json().item);
    expect(item).toMatchObject({ channel: 'monitoring', state: 'failed', sourceId });
    const rerunBefore = await api.call(handler, 'POST', `/intake/items/${item.id}/rerun`);
    expect(rerunBefore.json().state).toBe('failed');
    // Fix the mapping: preview first, then save.
    const src = (await api.call(admin, 'GET', '/intake/sources/wazuh')).json();
    const mapping = { ...MAPPING, title: '$.alert.name', severity: { from: '$.alert.sev', map: { urgent: 'critical' } }, fingerprint: ['$.alert.name'], classification: undefined };
    const preview = await api.call(admin, 'POST', '/intake/sources/wazuh/preview', { sample: odd, mapping });
    expect(preview.json()).toMatchObject({ ok: true, alerts: [{ title: 'Port scan', severity: 'critical' }] });
    const saved = await api.call(admin, 'PATCH', '/intake/sources/wazuh', { mapping, version: src.version });
    expect(saved.statusCode, saved.body).toBe(200);
    const rerun = await api.call(handler, 'POST', `/intake/items/${item.id}/rerun`);
    expect(rerun.json()).toMatchObject({ state: 'parsed', error: null });
    const list = (await api.call(handler, 'GET', '/alerts?q=port')).json();
    expect(list.items.map((a: { title: string }) => a.title)).toContain('Port scan');
    await api.call(admin, 'PATCH', '/intake/sources/wazuh', { mapping: MAPPING, version: saved.json().version });
  });

  it('refuses unknown, rotated and disabled tokens, and mappings that point outside RSIT or the severities', async () => {
    expect((await post(wazuh(), {}, 'vgs_nope')).json().code).toBe('VIG_SOURCE_TOKEN_INVALID');
    expect((await post(wazuh(), {}, '')).statusCode).toBe(401);
    const other = (await api.call(admin, 'POST', '/intake/sources', { name: 'edr', mapping: { title: '$.t' } })).json();
    const rotated = (await api.call(admin, 'POST', `/intake/sources/${other.source.id}/token`)).json();
    expect((await post({ t: 'x' }, {}, other.token)).statusCode).toBe(401);
    expect((await post({ t: 'x' }, {}, rotated.token)).statusCode).toBe(202);
    await api.call(admin, 'PATCH', '/intake/sources/edr', { enabled: false, version: rotated.source.version });
    expect((await post({ t: 'x' }, {}, rotated.token)).statusCode).toBe(401);
    const bad = await api.call(admin, 'POST', '/intake/sources', { name: 'bad', mapping: { title: '$.t', severity: { from: '$.s', map: { a: 'severe' } }, classification: 'malware/nothing' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VIG_SOURCE_MAPPING_INVALID');
    expect(bad.json().errors.map((e: { message: string }) => e.message).join(' ')).toMatch(/severe.*not one of.*\n?|nothing/);
    const dup = await api.call(admin, 'POST', '/intake/sources', { name: 'wazuh', mapping: { title: '$.t' } });
    expect(dup.json().code).toBe('VIG_SOURCE_EXISTS');
    expect((await api.call(handler, 'GET', '/intake/sources')).statusCode).toBe(403);
    // A JSON body that is not JSON is still kept.
    const broken = await post('{"rule": ');
    expect(broken.statusCode).toBe(202);
    expect(broken.json().state).toBe('failed');
  });

  it('keeps the raw items: their bytes cannot be changed or removed, even with SQL', async () => {
    const item = await t.db.db.selectFrom('intakeItem').select('id').limit(1).executeTakeFirstOrThrow();
    await expect(t.db.db.updateTable('intakeItem').set({ contentType: 'x' }).where('id', '=', item.id).execute()).rejects.toThrow(/never changes/);
    await expect(t.db.db.deleteFrom('intakeItem').where('id', '=', item.id).execute()).rejects.toThrow(/kept/);
  });
});
