import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCount, makeApp, reportCallsOf, type Session, type TestApp, userWith } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';

// Moved from src/modules/reports/routes.test.ts with the triage of reports (issue 16, part 3).
describe.each(stores())('triage of reports on %s', (store) => {
  let t: TestApp;
  let handler: Session & { id: string };
  beforeAll(async () => {
    t = await makeApp(store);
    handler = await userWith(t, ['handler']);
  });
  afterAll(() => t?.close());

  const { call, submit, declare } = reportCallsOf(() => t, () => handler);

  it('declares an incident from reports, links more, merges repeats and rejects with a reason', async () => {
    const a = await submit(handler, { title: 'Phishing mail to finance', body: 'Lure from invoices-example.test' });
    const b = await submit(handler, { title: 'Same phishing mail, HR', body: 'Forwarded by HR' });
    const c = await submit(handler, { title: 'Repeat of the finance report' });
    const spam = await submit(handler, { title: 'Buy cheap watches' });

    const merged = await call(handler, 'POST', `/reports/${c.id}/merge`, { into: a.reference });
    expect(merged.statusCode, merged.body).toBe(200);
    expect(merged.json()).toMatchObject({ status: 'merged', mergedInto: a.id, mergedIntoReference: a.reference, incidentId: null });

    const r = await call(handler, 'POST', '/incidents/from-reports', {
      reports: [a.reference], title: 'Phishing wave', impact: 'medium', urgency: 'high', classifications: [{ class: 'fraud', type: 'phishing' }],
    });
    expect(r.statusCode, r.body).toBe(201);
    const incident = r.json();
    expect((await call(handler, 'GET', `/reports/${a.id}`)).json()).toMatchObject({ status: 'linked', incident: { id: incident.id, reference: incident.reference } });
    // The merged repeat follows its report onto the incident.
    expect((await call(handler, 'GET', `/reports/${c.id}`)).json()).toMatchObject({ status: 'merged', incidentId: incident.id });

    const linked = await call(handler, 'POST', `/reports/${b.id}/link`, { incident: incident.reference, version: b.version });
    expect(linked.statusCode, linked.body).toBe(200);
    const again = await call(handler, 'POST', `/reports/${b.id}/link`, { incident: incident.reference });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'VIG_REPORT_DECIDED', current: { status: 'linked' } });

    const rejected = await call(handler, 'POST', `/reports/${spam.id}/reject`, { reason: 'spam', note: 'bulk mail' });
    expect(rejected.json()).toMatchObject({ status: 'rejected', rejection: 'spam', rejectionNote: 'bulk mail' });

    const onIncident = (await call(handler, 'GET', `/reports?incident=${incident.reference}`)).json().items;
    expect(onIncident.map((x: { id: string }) => x.id).sort()).toEqual([a.id, b.id, c.id].sort());
    const tl = (await call(handler, 'GET', `/incidents/${incident.id}/timeline?kind=report.linked`)).json().items;
    expect(tl.map((e: { data: { report: { reference: string }; how: string } }) => `${e.data.report.reference}:${e.data.how}`)).toEqual([
      `${a.reference}:declared`, `${b.reference}:linked`,
    ]);
    expect(tl[0].data.withMerged).toEqual([c.reference]);

    // The queue: only what is still new.
    const queue = (await call(handler, 'GET', '/reports?status=new')).json().items.map((x: { id: string }) => x.id);
    expect(queue).not.toContain(a.id);
    expect(queue).not.toContain(spam.id);

    // Full-text search over incidents finds words that are only in a linked report.
    const found = (await call(handler, 'GET', '/incidents?q=invoices-example.test')).json().items;
    expect(found.map((x: { id: string }) => x.id)).toEqual([incident.id]);

    // Undo: the report goes back to the queue, and the incident records it.
    const back = await call(handler, 'POST', `/reports/${b.id}/reopen`, { reason: 'belongs elsewhere' });
    expect(back.json()).toMatchObject({ status: 'new', incidentId: null });
    const unlinked = (await call(handler, 'GET', `/incidents/${incident.id}/timeline?kind=report.unlinked`)).json().items;
    expect(unlinked[0].data).toMatchObject({ report: { reference: b.reference }, reason: 'belongs elsewhere' });
  });

  it('refuses bad triage without writing anything', async () => {
    const r = await submit(handler);
    const closed = await declare();
    await call(handler, 'POST', `/incidents/${closed.id}/close`, { version: 1, resolution: 'false_positive' });
    const before = await auditCount(t);
    expect((await call(handler, 'POST', `/reports/${r.id}/merge`, { into: r.id })).json().code).toBe('VIG_REPORT_MERGE_INVALID');
    expect((await call(handler, 'POST', `/reports/${r.id}/link`, { incident: closed.id })).json().code).toBe('VIG_INCIDENT_CLOSED');
    expect((await call(handler, 'POST', `/reports/${r.id}/link`, { incident: 'VIG-2001-99999' })).json().code).toBe('VIG_INCIDENT_NOT_FOUND');
    expect((await call(handler, 'POST', `/reports/${r.id}/reject`, { reason: 'boring' })).json().code).toBe('VIG_REQUEST_INVALID');
    expect((await call(handler, 'POST', `/reports/${r.id}/reject`, { reason: 'spam', version: 7 })).json()).toMatchObject({ code: 'VIG_REPORT_VERSION_CONFLICT', currentVersion: 1 });
    expect((await call(handler, 'POST', `/reports/${r.id}/reopen`, { reason: 'x' })).json().code).toBe('VIG_REPORT_DECIDED');
    expect((await call(handler, 'POST', '/incidents/from-reports', {
      reports: [r.id, 'VIG-R-2001-999999'], title: 'x', impact: 'low', urgency: 'low', classifications: [{ class: 'fraud', type: 'phishing' }],
    })).json().code).toBe('VIG_REPORT_NOT_FOUND');
    expect(await auditCount(t)).toBe(before);
    expect((await call(handler, 'GET', `/reports/${r.id}`)).json()).toMatchObject({ status: 'new', version: 1 });
    // No incident was half-declared by the failed declare-from-reports.
    expect((await call(handler, 'GET', '/incidents?q=x')).json().items).toEqual([]);
  });
});
