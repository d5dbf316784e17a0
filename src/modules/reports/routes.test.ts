import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../lib/actor.ts';
import { login, makeApp, reportCallsOf, type Session, type TestApp, userWith } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';

describe.each(stores())('incident reports on %s', (store) => {
  let t: TestApp;
  let handler: Session & { id: string };
  let outsider: Session;
  let viewer: Session;
  let acme: Session;
  let acmeColleague: Session;
  let globex: Session;
  beforeAll(async () => {
    t = await makeApp(store);
    handler = await userWith(t, ['handler']);
    outsider = await userWith(t, ['handler']);
    viewer = await userWith(t, ['viewer']);
    const reporter = async (username: string, organisation: string) => {
      await t.services.users.create(systemActor('cli'), { username, displayName: username, roles: ['reporter'], organisation, password: 'Correct-Horse-Battery-9' });
      await t.db.db.updateTable('appUser').set({ mustChangePassword: false }).where('username', '=', username).execute();
      return login(t.app, username, 'Correct-Horse-Battery-9');
    };
    // A reporter account follows the reports recorded for its constituent (the registry's ACME Corp and Globex).
    for (const name of ['ACME Corp', 'Globex']) await t.services.constituents.create(systemActor('cli'), { name });
    acme = await reporter('acme-soc', 'ACME Corp');
    acmeColleague = await reporter('acme-it', 'acme corp');
    globex = await reporter('globex-soc', 'Globex');
  });
  afterAll(() => t?.close());

  const { call, submit, declare } = reportCallsOf(() => t, () => handler);

  it('keeps the request body byte for byte, and hands it out only as an attachment', async () => {
    const text = '{ "title": "Phone call: CEO fraud",\n  "body": "Caller says <script>x</script> 💥", "channel": "phone", "reporterPhone": "+32 2 555 0100", "urgency": "high" }';
    const r = await call(handler, 'POST', '/reports', text, { 'content-type': 'application/json; charset=utf-8' });
    expect(r.statusCode, r.body).toBe(201);
    const report = r.json();
    expect(report).toMatchObject({ status: 'new', channel: 'phone', reporterPhone: '+32 2 555 0100', urgency: 'high', title: 'Phone call: CEO fraud', tlp: 'AMBER' });
    expect(report.reference).toMatch(/^VIG-R-\d{4}-\d{6}$/);
    const bytes = Buffer.from(text, 'utf8');
    expect(report.raw).toEqual({ contentType: 'application/json; charset=utf-8', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    const raw = await call(handler, 'GET', `/reports/${report.reference}/raw`);
    expect(raw.statusCode).toBe(200);
    expect(raw.headers['content-type']).toBe('application/octet-stream');
    expect(raw.headers['content-disposition']).toContain('attachment');
    expect(raw.rawPayload.equals(bytes)).toBe(true);
    // Nobody can change it afterwards, not even with SQL.
    await expect(t.db.db.updateTable('reportRaw').set({ contentType: 'x' }).where('reportId', '=', report.id).execute()).rejects.toThrow(/append-only/);
    await expect(t.db.db.deleteFrom('reportRaw').where('reportId', '=', report.id).execute()).rejects.toThrow(/append-only/);
  });

  it('makes one report per idempotency key, even for concurrent retries', async () => {
    const body = { title: 'SIEM alert 4711', body: 'Beaconing from 10.1.2.3' };
    const post = (who: Session, key: string, payload: object = body) =>
      call(who, 'POST', '/reports', payload, { 'idempotency-key': key });
    const first = await post(handler, 'alert-4711');
    expect(first.statusCode, first.body).toBe(201);
    const again = await post(handler, 'alert-4711');
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    // The same key with another body is a client error, not a second report.
    const clash = await post(handler, 'alert-4711', { ...body, title: 'Something else' });
    expect(clash.statusCode).toBe(422);
    expect(clash.json().code).toBe('VIG_IDEMPOTENCY_KEY_REUSED');
    // Keys belong to the account that sent them.
    expect((await post(outsider, 'alert-4711')).statusCode).toBe(201);
    // Ten retries at once (a client that timed out and hammered the button): one report.
    const burst = await Promise.all(Array.from({ length: 10 }, () => post(handler, 'alert-4712', { ...body, title: 'SIEM alert 4712' })));
    expect(burst.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(burst.map((r) => r.json().id)).size).toBe(1);
    expect((await call(handler, 'GET', '/reports?q=4712')).json().items).toHaveLength(1);
    expect((await call(handler, 'POST', '/reports', body, { 'idempotency-key': 'has space' })).statusCode).toBe(400);
  });

  it('moves reports with an incident merge', async () => {
    const r1 = await submit(handler, { title: 'Report one' });
    const r2 = await submit(handler, { title: 'Report two' });
    const a = await declare({ title: 'Main' });
    const b = await declare({ title: 'Duplicate' });
    await call(handler, 'POST', `/reports/${r1.id}/link`, { incident: a.id });
    await call(handler, 'POST', `/reports/${r2.id}/link`, { incident: b.id });
    const m = await call(handler, 'POST', `/incidents/${a.id}/merge`, { sourceId: b.id, sourceVersion: 1 });
    expect(m.statusCode, m.body).toBe(200);
    expect((await call(handler, 'GET', `/reports/${r2.id}`)).json().incidentId).toBe(a.id);
    const ev = (await call(handler, 'GET', `/incidents/${a.id}/timeline?kind=incident.merged`)).json().items;
    expect(ev[0].data.moved).toMatchObject({ reports: 1 });
  });

  it('a report on a RED incident follows the incident: hidden from non-role holders', async () => {
    const red = await declare({ tlp: 'RED', title: 'Sensitive' });
    const r = await submit(handler, { title: 'Tip about the insider' });
    await call(handler, 'POST', `/reports/${r.id}/link`, { incident: red.id });
    expect((await call(outsider, 'GET', `/reports/${r.id}`)).statusCode).toBe(404);
    expect((await call(outsider, 'GET', `/reports/${r.id}/raw`)).statusCode).toBe(404);
    expect((await call(outsider, 'GET', '/reports?q=insider')).json().items).toEqual([]);
    expect((await call(handler, 'GET', '/reports?q=insider')).json().items.map((x: { id: string }) => x.id)).toEqual([r.id]);
    // A viewer reads reports but cannot triage them.
    const unlinked = await submit(handler, { title: 'For the viewer' });
    expect((await call(viewer, 'GET', `/reports/${unlinked.id}`)).statusCode).toBe(200);
    expect((await call(viewer, 'POST', `/reports/${unlinked.id}/reject`, { reason: 'spam' })).statusCode).toBe(403);
  });

  it("a reporter submits for its organisation and sees only its organisation's reports, never internal fields", async () => {
    const mine = await submit(acme, { title: 'Our web shop is defaced', channel: 'email', source: 'forged', organisation: 'Globex', tlp: 'GREEN' });
    expect(mine).toEqual({
      id: mine.id, reference: mine.reference, title: 'Our web shop is defaced', body: expect.any(String), channel: 'portal',
      organisation: 'ACME Corp', reporterName: 'acme-soc', receivedAt: expect.any(String), publicStatus: 'received', incidentReference: null,
    });
    const theirs = await submit(globex, { title: 'Globex outage' });
    const colleague = (await call(acmeColleague, 'GET', '/reports')).json().items.map((x: { id: string }) => x.id);
    expect(colleague).toContain(mine.id);
    expect(colleague).not.toContain(theirs.id);
    expect((await call(acmeColleague, 'GET', `/reports/${theirs.id}`)).statusCode).toBe(404);
    expect((await call(acme, 'GET', `/reports/${mine.id}/raw`)).statusCode).toBe(403);

    const inc = await declare({ title: 'Defacement of ACME shop', tlp: 'RED' });
    await call(handler, 'POST', `/incidents/${inc.id}/notes`, { body: 'internal: attacker is a former admin' });
    await call(handler, 'POST', `/reports/${mine.id}/link`, { incident: inc.id });
    const seen = (await call(acme, 'GET', `/reports/${mine.id}`)).json();
    expect(seen).toMatchObject({ publicStatus: 'in_progress', incidentReference: inc.reference });
    expect(JSON.stringify(seen)).not.toContain('former admin');
    expect(JSON.stringify(seen)).not.toContain(inc.title);
    // Reporters have no access to incidents or triage.
    expect((await call(acme, 'GET', `/incidents/${inc.id}`)).statusCode).toBe(403);
    expect((await call(acme, 'POST', `/reports/${theirs.id}/reject`, { reason: 'spam' })).statusCode).toBe(403);
    expect((await call(acme, 'POST', '/incidents/from-reports', {
      reports: [mine.id], title: 'x', impact: 'low', urgency: 'low', classifications: [{ class: 'fraud', type: 'phishing' }],
    })).statusCode).toBe(403);
    const rej = await submit(acme, { title: 'Nothing really' });
    await call(handler, 'POST', `/reports/${rej.id}/reject`, { reason: 'not_incident', note: 'internal reasoning' });
    const r2 = (await call(acme, 'GET', `/reports/${rej.id}`)).json();
    expect(r2.publicStatus).toBe('not_pursued');
    expect(JSON.stringify(r2)).not.toContain('internal reasoning');
  });

  it("a reporter's portal holds its constituent's reports by id: never a name typed into the web form or a mail, never a restricted report of the team's", async () => {
    // Anyone can type an organisation's name into the public form, or into a mail: not a channel into its portal.
    const fd = new FormData();
    for (const [k, v] of Object.entries({ name: 'Mallory', email: 'mallory@example.net', organisation: 'ACME Corp', what: 'Urgent: reset your VPN password at https://acme-vpn.example.net/' })) fd.append(k, v);
    const req = new Request('http://vigil.test/', { method: 'POST', body: fd });
    const form = await t.app.inject({
      method: 'POST', url: '/api/v1/public/reports', payload: Buffer.from(await req.arrayBuffer()), headers: { 'content-type': req.headers.get('content-type')! },
      remoteAddress: '203.0.113.66',
    });
    expect(form.statusCode, form.body).toBe(201);
    const phish = await t.db.db.selectFrom('report').select(['id', 'organisation']).where('reference', '=', form.json().reference).executeTakeFirstOrThrow();
    expect(phish.organisation).toBe('ACME Corp');
    // The team logs reports for ACME: an AMBER one its accounts follow, and a RED one they must not see.
    const amber = await submit(handler, { title: 'Your mail server relays spam', organisation: 'ACME Corp', tlp: 'AMBER' });
    const red = await submit(handler, { title: 'Insider at ACME under investigation', organisation: 'acme corp', tlp: 'RED' });
    const strict = await submit(handler, { title: 'ACME credentials on a paste site', organisation: 'ACME Corp', tlp: 'AMBER+STRICT' });
    // What an ACME account submitted itself it always sees, whatever its label.
    const own = await submit(acme, { title: 'We found a web shell', tlp: 'RED' });

    for (const who of [acme, acmeColleague]) {
      const ids = (await call(who, 'GET', '/reports?limit=200')).json().items.map((x: { id: string }) => x.id);
      expect(ids).toContain(amber.id);
      expect(ids).not.toContain(phish.id);
      expect(ids).not.toContain(red.id);
      expect(ids).not.toContain(strict.id);
      for (const hidden of [phish.id, red.id, strict.id]) expect((await call(who, 'GET', `/reports/${hidden}`)).statusCode).toBe(404);
      expect((await call(who, 'GET', `/reports/${amber.id}`)).statusCode).toBe(200);
    }
    expect((await call(acme, 'GET', `/reports/${own.id}`)).statusCode).toBe(200);
    expect((await call(acmeColleague, 'GET', `/reports/${own.id}`)).statusCode).toBe(404);
    expect((await call(globex, 'GET', '/reports?limit=200')).json().items.map((x: { id: string }) => x.id)).not.toContain(amber.id);
    // The team still sees all of them.
    const team = (await call(handler, 'GET', '/reports?limit=200')).json().items.map((x: { id: string }) => x.id);
    expect(team).toEqual(expect.arrayContaining([phish.id, amber.id, red.id, strict.id, own.id]));
  });
});
