import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiOf, makeApp, testClock, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { saveAttachments } from './attachments.ts';
import { channelActor } from './items.service.ts';
import { stores } from '../../../test/db.ts';

/** A Wazuh-like alert, as a SIEM would post it. */
const wazuh = (over: Record<string, unknown> = {}) => ({
  id: '1700000000.1234',
  timestamp: '2026-11-29T10:00:00Z',
  rule: { id: '5712', level: 10, description: 'sshd: brute force trying to get access to the system', groups: ['authentication_failures'] },
  agent: { name: 'web-01' },
  data: { srcip: '203.0.113.7', dstuser: 'root' },
  full_log: 'Failed password for root from 203.0.113.7 port 22; see hxxp://evil[.]example/x',
  ...over,
});

const MAPPING = {
  title: '{{rule.description}} on {{agent.name}}',
  description: '$.full_log',
  severity: { from: '$.rule.level', map: { '>=12': 'critical', '>=8': 'high', '>=4': 'medium', '<4': 'low' } },
  sourceRef: '$.id',
  observedAt: '$.timestamp',
  fingerprint: ['$.rule.id', '$.agent.name', '$.data.srcip'],
  classification: { from: '$.rule.groups[0]', map: { authentication_failures: 'intrusion-attempts:brute-force' } },
  observables: [{ type: 'ipv4', from: '$.data.srcip' }, { type: 'user-account', from: '$.data.dstuser' }],
  extract: ['$.full_log'],
  keep: { rule: '$.rule.id', agent: '$.agent.name' },
};

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

  it('acknowledges, dismisses with a reason, reopens, and records each step as an alert event', async () => {
    const a = (await post(wazuh({ agent: { name: 'triage-01' } }))).json().alerts[0];
    const b = (await post(wazuh({ agent: { name: 'triage-02' } }))).json().alerts[0];
    const ack = await api.call(handler, 'POST', '/alerts/acknowledge', { alerts: [a.reference, b.id] });
    expect(ack.statusCode, ack.body).toBe(200);
    expect(ack.json().map((x: { status: string }) => x.status)).toEqual(['acknowledged', 'acknowledged']);
    expect((await api.call(viewer, 'POST', '/alerts/acknowledge', { alerts: [a.id] })).statusCode).toBe(403);
    const dis = await api.call(handler, 'POST', '/alerts/dismiss', { alerts: [a.id], reason: 'false_positive', note: 'pen test' });
    expect(dis.json()[0]).toMatchObject({ status: 'dismissed', dismissal: 'false_positive', dismissalNote: 'pen test' });
    expect((await api.call(handler, 'POST', '/alerts/dismiss', { alerts: [a.id], reason: 'benign' })).json().code).toBe('VIG_ALERT_DECIDED');
    const re = await api.call(handler, 'POST', `/alerts/${a.id}/reopen`, { reason: 'was not the pen test', version: dis.json()[0].version });
    expect(re.json()).toMatchObject({ status: 'new', dismissal: null });
    const stale = await api.call(handler, 'POST', `/alerts/${a.id}/reopen`, { reason: 'again', version: 1 });
    expect(stale.statusCode).toBe(409);
    const detail = (await api.call(viewer, 'GET', `/alerts/${a.id}`)).json();
    expect(detail.events.map((e: { kind: string }) => e.kind)).toEqual(['acknowledged', 'dismissed', 'reopened']);
    const audit = await t.db.db.selectFrom('auditLog').select('action').where('entityId', '=', a.id).execute();
    expect(audit.map((x) => x.action)).toEqual(['alert.acknowledged', 'alert.dismissed', 'alert.reopened']);
  });

  it('declares an incident from reports and alerts together; the alerts\' observables join it; correlation finds it', async () => {
    const a = (await post(wazuh({ agent: { name: 'esc-01' }, data: { srcip: '198.51.100.23', dstuser: 'admin' } }))).json().alerts[0];
    const report = (await api.call(handler, 'POST', '/reports', { title: 'Brute force seen too', body: 'from 198.51.100.23' })).json();
    const r = await api.call(handler, 'POST', '/incidents/from-items', {
      reports: [report.reference], alerts: [a.reference], title: 'SSH brute force', impact: 'medium', urgency: 'high',
      classifications: [{ class: 'intrusion-attempts', type: 'brute-force' }],
    });
    expect(r.statusCode, r.body).toBe(201);
    const inc = r.json();
    const alert = (await api.call(handler, 'GET', `/alerts/${a.id}`)).json();
    expect(alert).toMatchObject({ status: 'escalated', incidentId: inc.id, incident: { reference: inc.reference } });
    const obs = (await api.call(handler, 'GET', `/incidents/${inc.id}/observables`)).json();
    expect((obs.items ?? obs).map((o: { value: string }) => o.value)).toEqual(expect.arrayContaining(['198.51.100.23', 'admin']));
    const timeline = (await api.call(handler, 'GET', `/incidents/${inc.id}/timeline`)).json();
    const kinds = (timeline.items ?? timeline).map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['report.linked', 'alert.linked', 'observable.added']));
    // A later alert from the same address shows the incident beside it.
    const later = (await post(wazuh({ agent: { name: 'esc-02' }, data: { srcip: '198.51.100.23', dstuser: 'x' } }))).json().alerts[0];
    const corr = (await api.call(handler, 'GET', `/alerts/${later.id}`)).json().correlation;
    expect(corr[0]).toMatchObject({ reference: inc.reference, sharedObservables: expect.arrayContaining(['198.51.100.23']), sameType: true });
    // An escalated alert cannot be dismissed; linking another to a closed incident is refused.
    expect((await api.call(handler, 'POST', '/alerts/dismiss', { alerts: [a.id], reason: 'benign' })).json().code).toBe('VIG_ALERT_DECIDED');
    const link = await api.call(handler, 'POST', '/alerts/link', { alerts: [later.id], incident: inc.reference });
    expect(link.json()[0]).toMatchObject({ status: 'escalated', incidentId: inc.id });
    // Nothing half-written: a declare naming a dismissed alert makes no incident.
    const gone = (await post(wazuh({ agent: { name: 'esc-03' } }))).json().alerts[0];
    await api.call(handler, 'POST', '/alerts/dismiss', { alerts: [gone.id], reason: 'test' });
    const before = await t.db.db.selectFrom('incident').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const refused = await api.call(handler, 'POST', '/incidents/from-items', {
      reports: [], alerts: [gone.id], title: 'x', impact: 'low', urgency: 'low', classifications: [{ class: 'other', type: 'other' }],
    });
    expect(refused.statusCode).toBe(409);
    const after = await t.db.db.selectFrom('incident').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    expect((await api.call(handler, 'POST', '/incidents/from-items', { title: 'x', impact: 'low', urgency: 'low', classifications: [{ class: 'other', type: 'other' }] })).statusCode).toBe(400);
  });

  it('keeps the raw items: their bytes cannot be changed or removed, even with SQL', async () => {
    const item = await t.db.db.selectFrom('intakeItem').select('id').limit(1).executeTakeFirstOrThrow();
    await expect(t.db.db.updateTable('intakeItem').set({ contentType: 'x' }).where('id', '=', item.id).execute()).rejects.toThrow(/never changes/);
    await expect(t.db.db.deleteFrom('intakeItem').where('id', '=', item.id).execute()).rejects.toThrow(/kept/);
  });
});

describe.each(stores())('triage beside a report on %s', (store) => {
  let t: TestApp;
  let handler: Session;
  let reporter: Session;
  const api = apiOf(() => t, () => handler);
  beforeAll(async () => {
    t = await makeApp(store);
    handler = await userWith(t, ['handler']);
    reporter = await userWith(t, ['reporter']);
  });
  afterAll(() => t?.close());

  it('suggests a classification and priority from the words, and finds open incidents by observable and constituent', async () => {
    const inc = (await api.call(handler, 'POST', '/incidents', {
      title: 'Phishing campaign', impact: 'medium', urgency: 'high', constituent: 'ACME Corp', classifications: [{ class: 'fraud', type: 'phishing' }],
    })).json();
    await api.call(handler, 'POST', `/incidents/${inc.id}/observables`, { items: [{ type: 'domain', value: 'login-acme.example' }] });
    const other = (await api.call(handler, 'POST', '/incidents', {
      title: 'Unrelated', impact: 'low', urgency: 'low', constituent: 'Globex', classifications: [{ class: 'vulnerable', type: 'vulnerable-system' }],
    })).json();
    const report = (await api.call(handler, 'POST', '/reports', {
      title: 'Phishing mail to our staff', body: 'Staff got a fake login page at hxxps://login-acme[.]example/owa from 192.0.2.44', organisation: 'Initech',
    })).json();
    const r = await api.call(handler, 'GET', `/reports/${report.reference}/triage`);
    expect(r.statusCode, r.body).toBe(200);
    const tri = r.json();
    expect(tri.suggestions.classifications[0]).toMatchObject({ class: 'fraud', type: 'phishing' });
    expect(tri.suggestions).toMatchObject({ urgency: 'high', priority: expect.stringMatching(/^P[1-4]$/) });
    expect(tri.observables).toEqual(expect.arrayContaining([{ type: 'ipv4', value: '192.0.2.44' }, { type: 'url', value: 'https://login-acme.example/owa' }]));
    const found = tri.correlation.find((c: { id: string }) => c.id === inc.id);
    expect(found).toMatchObject({ sameType: true, sharedObservables: ['login-acme.example'] });
    expect(tri.correlation.some((c: { id: string }) => c.id === other.id)).toBe(false);
    // Same constituent counts too.
    const acme = (await api.call(handler, 'POST', '/reports', { title: 'Printer acting up', organisation: 'acme corp' })).json();
    const byOrg = (await api.call(handler, 'GET', `/reports/${acme.id}/triage`)).json();
    expect(byOrg.correlation.map((c: { id: string; sameConstituent: boolean }) => [c.id, c.sameConstituent])).toEqual([[inc.id, true]]);
    // A reporter never sees the team's triage panel.
    expect((await api.call(reporter, 'GET', `/reports/${acme.id}/triage`)).statusCode).toBe(403);
  });

  it('finds observables in text-like attachments, never in archives', async () => {
    const report = await t.db.db.transaction().execute(async (tx) => {
      const r = await t.services.reports.receiveIn(tx, channelActor('test'), { channel: 'web_form', title: 'Odd logins', body: 'see the log' });
      await saveAttachments(tx, t.services.blobs, { reportId: r.report.id }, [
        { filename: 'auth.log', contentType: 'text/plain', content: Buffer.from('Nov 29 sshd: Accepted password for root from 203.0.113.99\n') },
        { filename: 'more.zip', contentType: 'application/zip', content: Buffer.concat([Buffer.from([0x50, 0x4b, 3, 4]), Buffer.from(' 198.51.100.200 ')]) },
      ], 1024 * 1024, new Date());
      return r.report;
    });
    const tri = (await api.call(handler, 'GET', `/reports/${report.id}/triage`)).json();
    const values = tri.observables.map((o: { value: string }) => o.value);
    expect(values).toContain('203.0.113.99');
    expect(values).not.toContain('198.51.100.200');
    expect(tri.attachments.map((a: { filename: string; flags: string[] }) => [a.filename, a.flags])).toEqual([['auth.log', []], ['more.zip', ['archive']]]);
  });
});
