import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiOf, makeApp, testClock, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import { MAPPING, wazuh } from '../../../test/alerts-fixture.ts';

// Moved from src/modules/intake/alerts.test.ts with the triage of alerts (issue 16, part 3).
describe.each(stores())('triage of monitoring alerts on %s', (store) => {
  let t: TestApp;
  let admin: Session;
  let handler: Session;
  let viewer: Session;
  let token: string;
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
    expect(token).toMatch(/^vgs_/);
    expect(JSON.stringify(r.json().source)).not.toContain(token);
  });
  afterAll(() => t?.close());

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
});
