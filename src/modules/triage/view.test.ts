import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiOf, makeApp, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { saveAttachments } from '../intake/attachments.ts';
import { channelActor } from '../intake/items.service.ts';
import { stores } from '../../../test/db.ts';

// Moved from src/modules/intake/alerts.test.ts with the triage view (issue 16, part 3).
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
