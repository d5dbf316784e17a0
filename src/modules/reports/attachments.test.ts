import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiOf, makeApp, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import { messageIdOf } from '../inbound-mail/mime.ts';

type Who = Session & { id: string };

/** A phishing report as a mail client sends it: a text body and three files (CRLF, base64 parts). */
function phishingMail(n: number): Buffer {
  const b = `=_vigil_${n}_boundary`;
  const part = (name: string, type: string, content: string) => [
    `--${b}`, `Content-Type: ${type}; name="${name}"`, `Content-Disposition: attachment; filename="${name}"`, 'Content-Transfer-Encoding: base64', '',
    Buffer.from(content).toString('base64').replace(/.{76}/g, '$&\r\n'),
  ];
  return Buffer.from([
    'Return-Path: <abuse-desk@isp.example>',
    'From: ISP Abuse Desk <abuse-desk@isp.example>',
    'To: csirt@csirt.example',
    `Subject: Phishing campaign against our customers (${n})`,
    'Date: Sat, 05 Dec 2026 09:12:44 +0100',
    `Message-ID: <20261205091244.7A3F${n}C0D1E@mx2.isp.example>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${b}"`,
    '',
    `--${b}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Hello CSIRT,',
    '',
    'our customers received mails pointing to hxxps://secure-login.bank-verify[.]example/signin',
    'sent from 203.0.113[.]45. See invoice.pdf and the headers in headers.txt.',
    'Please reply to abuse-desk@isp.example.',
    '',
    ...part('invoice.pdf', 'application/pdf', '%PDF-1.7\n% not really a pdf, a sample\n'),
    ...part('headers.txt', 'text/plain', `Received: from mail.bank-verify.example (198.51.100.${n})\nMessage-ID: <a1b2c3d4e5f60718293a4b5c6d7e8f90@mail.bank-verify.example>\nX-Mailer: PHPMailer\n`),
    ...part('preview.html', 'text/html', '<script>alert(document.cookie)</script>'),
    `--${b}--`, '',
  ].join('\r\n'));
}

describe.each(stores())('report attachments on %s', (store) => {
  let t: TestApp;
  let handler: Who;
  let outsider: Who;
  let reporter: Who;
  let viewer: Who;
  const arrived = new Date(Date.UTC(2026, 11, 5, 8, 12, 47, 123));
  beforeAll(async () => {
    t = await makeApp(store);
    handler = await userWith(t, ['handler']);
    outsider = await userWith(t, ['handler']);
    reporter = await userWith(t, ['reporter']);
    viewer = await userWith(t, ['viewer']);
  });
  afterAll(() => t?.close());

  const { call, declare } = apiOf(() => t, () => handler, { title: 'Phishing wave', impact: 'medium', urgency: 'medium', classifications: [{ class: 'fraud', type: 'phishing' }] });
  let seq = 0;
  async function mailedReport() {
    const raw = phishingMail(++seq);
    const item = await t.services.intake.store({
      channel: 'email', receivedAt: arrived, contentType: 'message/rfc822', content: raw,
      envelope: { transport: 'smtp', mailFrom: 'abuse-desk@isp.example', remoteAddress: '192.0.2.25' }, messageId: messageIdOf(raw),
    });
    const parsed = await t.services.intake.parse(item.id);
    const reportId = (parsed as { outcome: { reportId: string } }).outcome.reportId;
    const report = (await call(handler, 'GET', `/reports/${reportId}`)).json();
    const files = (await call(handler, 'GET', `/reports/${reportId}/attachments`)).json().items as { id: string; filename: string; size: number; stored: boolean }[];
    const file = (name: string) => files.find((f) => f.filename === name)!;
    return { report, files, file };
  }

  it('lists the files and downloads each one as an attachment with a safe content type', async () => {
    const { report, files, file } = await mailedReport();
    expect(files.map((f) => f.filename).sort()).toEqual(['headers.txt', 'invoice.pdf', 'preview.html']);
    expect(file('invoice.pdf')).toMatchObject({ stored: true, contentType: 'application/pdf', messageId: null });
    const pdf = await call(handler, 'GET', `/reports/${report.id}/attachments/${file('invoice.pdf').id}`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.body).toBe('%PDF-1.7\n% not really a pdf, a sample\n');
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toBe(`attachment; filename="invoice.pdf"; filename*=UTF-8''invoice.pdf`);
    expect(pdf.headers['x-content-type-options']).toBe('nosniff');
    // An HTML file is never served as HTML.
    const html = await call(handler, 'GET', `/reports/${report.reference}/attachments/${file('preview.html').id}`);
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toBe('application/octet-stream');
    expect(html.headers['content-disposition']).toMatch(/^attachment;/);
    // Each download is in the audit trail.
    const audit = await t.db.db.selectFrom('auditLog').select('action').where('entityId', '=', report.id).where('action', '=', 'report.attachment_read').execute();
    expect(audit).toHaveLength(2);
    // A viewer reads them too; a reporter account does not (as the raw message).
    expect((await call(viewer, 'GET', `/reports/${report.id}/attachments/${file('invoice.pdf').id}`)).statusCode).toBe(200);
    expect((await call(reporter, 'GET', `/reports/${report.id}/attachments`)).statusCode).toBe(403);
    // Another report's file id under this report: not found.
    const other = await mailedReport();
    const crossed = await call(handler, 'GET', `/reports/${report.id}/attachments/${other.file('invoice.pdf').id}`);
    expect(crossed.statusCode).toBe(404);
    expect(crossed.json().code).toBe('VIG_REPORT_ATTACHMENT_NOT_FOUND');
  });

  it('hides the files of a report on a restricted incident from whoever may not see the report (404)', async () => {
    const { report, file } = await mailedReport();
    const red = await declare({ tlp: 'RED' });
    expect((await call(handler, 'POST', `/reports/${report.id}/link`, { incident: red.id })).statusCode).toBe(200);
    expect((await call(handler, 'GET', `/reports/${report.id}/attachments/${file('invoice.pdf').id}`)).statusCode).toBe(200);
    for (const url of [`/reports/${report.id}/attachments`, `/reports/${report.id}/attachments/${file('invoice.pdf').id}`]) {
      const r = await call(outsider, 'GET', url);
      expect(r.statusCode, url).toBe(404);
      expect(r.json().code).toBe('VIG_REPORT_NOT_FOUND');
    }
    const keep = await call(outsider, 'POST', `/reports/${report.id}/attachments/${file('invoice.pdf').id}/evidence`, {});
    expect(keep.statusCode).toBe(404);
  });

  it('keeps a file as evidence of the linked incident, custody starting at the report\'s arrival', async () => {
    const { report, file } = await mailedReport();
    const url = `/reports/${report.id}/attachments/${file('invoice.pdf').id}/evidence`;
    const early = await call(handler, 'POST', url, {});
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe('VIG_REPORT_NOT_ON_INCIDENT');
    const inc = await declare();
    await call(handler, 'POST', `/reports/${report.id}/link`, { incident: inc.id });
    expect((await call(viewer, 'POST', url, {})).statusCode).toBe(403);
    const kept = await call(handler, 'POST', url, {});
    expect(kept.statusCode).toBe(201);
    const ev = kept.json();
    expect(ev).toMatchObject({ incidentId: inc.id, filename: 'invoice.pdf', contentType: 'application/pdf', size: file('invoice.pdf').size, tlp: report.tlp });
    expect(new Date(ev.collectedAt).toISOString()).toBe(arrived.toISOString());
    expect(new Date(ev.collectedAt).toISOString()).toBe(new Date(report.receivedAt).toISOString());
    expect(ev.collectedFrom).toContain(report.reference);
    const custody = (await call(handler, 'GET', `/evidence/${ev.id}/custody`)).json().items;
    expect(custody.map((c: { action: string }) => c.action)).toEqual(['collected', 'uploaded']);
    expect(new Date(custody[0].at).toISOString()).toBe(new Date(report.receivedAt).toISOString());
    expect(custody[1]).toMatchObject({ actorId: handler.id, details: { via: 'report attachment', report: report.reference } });
    // The evidence is the same bytes, downloadable from the incident.
    const bytes = await call(handler, 'GET', `/evidence/${ev.id}/download`);
    expect(bytes.body).toBe('%PDF-1.7\n% not really a pdf, a sample\n');
    // Keeping it again returns the evidence already held.
    const again = await call(handler, 'POST', url, {});
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(ev.id);
    expect((await call(handler, 'GET', `/incidents/${inc.id}/evidence`)).json().items).toHaveLength(1);
  });
  it('carries the observables of a linked report onto the incident: deduplicated, without file names, message ids or the reporter', async () => {
    const a = await mailedReport();
    const inc = await declare();
    const values = async () => ((await call(handler, 'GET', `/incidents/${inc.id}/observables`)).json().items as { type: string; value: string }[])
      .map((o) => `${o.type}:${o.value}`).sort();
    expect(await values()).toEqual([]);
    expect((await call(handler, 'POST', `/reports/${a.report.id}/link`, { incident: inc.id })).statusCode).toBe(200);
    const first = [
      `ipv4:198.51.100.${seq}`, 'ipv4:203.0.113.45', 'url:https://secure-login.bank-verify.example/signin', 'domain:mail.bank-verify.example',
    ].sort();
    expect(await values()).toEqual(first);
    // The triage panel lists the same (the reporter's own address left out).
    const triage = (await call(handler, 'GET', `/reports/${a.report.id}/triage`)).json().observables.map((o: { type: string; value: string }) => `${o.type}:${o.value}`).sort();
    expect(triage).toEqual(first);
    // A repeat merged into the linked report brings its new address only; the shared ones are not doubled.
    const b = await mailedReport();
    expect((await call(handler, 'POST', `/reports/${b.report.id}/merge`, { into: a.report.id })).statusCode).toBe(200);
    expect(await values()).toEqual([...first, `ipv4:198.51.100.${seq}`].sort());
    const timeline = (await call(handler, 'GET', `/incidents/${inc.id}/timeline?kind=observable.added`)).json().items;
    expect(timeline).toHaveLength(2);
    // Declaring an incident from a report carries its observables too.
    const c = await mailedReport();
    const declared = await call(handler, 'POST', '/incidents/from-reports', {
      reports: [c.report.id], title: 'From the report', impact: 'low', urgency: 'low', classifications: [{ class: 'fraud', type: 'phishing' }],
    });
    expect(declared.statusCode).toBe(201);
    const onDeclared = (await call(handler, 'GET', `/incidents/${declared.json().id}/observables`)).json().items.map((o: { value: string }) => o.value);
    expect(onDeclared).toEqual(expect.arrayContaining([`198.51.100.${seq}`, '203.0.113.45']));
  });
});
