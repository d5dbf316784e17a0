import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../lib/actor.ts';
import { adminSession, auditCount, userWith, type Session } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import { channelActor } from '../intake/items.service.ts';
import { RECEIPTS_PER_HOUR } from './outbox.ts';
import { mailRepo } from './repo.ts';
import { deliveryRepo } from '../delivery/repo.ts';
import { mailTest, type MailTest } from './testkit.ts';

const raw = { contentType: 'application/json', content: Buffer.from('{}') };

describe.each(stores())('receipts and updates to reporters on %s', (store) => {
  let m: MailTest;
  let handler: Actor;
  beforeAll(async () => {
    m = await mailTest(store);
    const h = await userWith(m.t, ['handler']);
    handler = { userId: h.id, username: h.username, roles: ['handler'], via: 'session', ip: null, requestId: null };
  });
  afterAll(() => m?.close());

  const deliveriesOf = (reportId: string) =>
    m.t.db.db.selectFrom('mailDelivery').innerJoin('delivery', 'delivery.id', 'mailDelivery.id')
      .selectAll('mailDelivery').select(['delivery.status', 'delivery.attempts', 'delivery.lastError'])
      .where('reportId', '=', reportId).orderBy('mailDelivery.createdAt').orderBy('eventKey').execute();
  const api = (who: Session, method: 'GET' | 'PUT', url: string, payload?: object) =>
    m.t.app.inject({ method, url: `/api/v1${url}`, headers: who.headers, ...(payload ? { payload } : {}) });

  it('sends a portal reporter one receipt with the reference, which threads replies onto the report', async () => {
    const ana = await m.reporter('ana@acme.example');
    const { report } = await m.t.services.reports.submit(ana, { title: 'Suspicious invoice' }, raw);
    expect((await m.worker.runOnce()).sent).toBe(1);
    expect((await m.worker.runOnce()).claimed).toBe(0);
    const got = m.to('ana@acme.example');
    expect(got).toHaveLength(1);
    const mail = got[0]!.parsed;
    expect(mail.subject).toBe(`[${report.reference}] We received your report: Suspicious invoice`);
    expect(mail.text).toContain(`registered it under the reference ${report.reference}`);
    expect(mail.text).not.toContain('{{');
    expect(mail.from?.value[0]?.address).toBe('cert@cert.test');
    expect(got[0]!.from).toBe('cert@cert.test');
    expect(mail.headers.get('auto-submitted')).toBe('auto-replied');
    expect(mail.messageId).toMatch(/^<[0-9a-f-]{36}@cert\.test>$/);
    // A reply carries the Message-ID in In-Reply-To; the e-mail intake finds the report with it.
    const bare = mail.messageId!.slice(1, -1);
    expect(await mailRepo.reportOfMessageIds(m.t.db.db, [mail.messageId!, bare, '<unknown@x>'])).toEqual([
      { messageId: mail.messageId, reportId: report.id }, { messageId: bare, reportId: report.id },
    ]);
    const [row] = await deliveriesOf(report.id);
    expect(row).toMatchObject({ kind: 'receipt', status: 'sent', attempts: 1, recipient: 'ana@acme.example', lastError: null });
    expect(await mailRepo.attempts(m.t.db.db, row!.id)).toEqual([expect.objectContaining({ outcome: 'sent', smtpCode: 250 })]);
  });

  it('sends a receipt for a report a channel makes in its own transaction, with the status link, and none for a repeat', async () => {
    const first = await m.receive({
      reporterEmail: 'Bob@Example.org', title: 'Defaced home page', fingerprint: 'fp-defaced', dedupWindowSeconds: 3600,
      statusUrl: 'https://vigil.example/status/s3cret-token-abcdefghijklmnop',
    });
    const again = await m.receive({ reporterEmail: 'bob@example.org', title: 'Defaced home page', fingerprint: 'fp-defaced', dedupWindowSeconds: 3600 });
    expect(again.id).toBe(first.id);
    const [queued] = await deliveriesOf(first.id);
    expect(queued!.body).toContain('Follow your report: {{statusUrl}}');
    expect(queued!.statusUrl).toBe('https://vigil.example/status/s3cret-token-abcdefghijklmnop');
    await m.worker.runOnce();
    const got = m.to('bob@example.org');
    expect(got).toHaveLength(1);
    expect(got[0]!.parsed.subject).toBe(`[${first.reference}] We received your report: Defaced home page`);
    expect(got[0]!.parsed.text).toContain('Follow your report: https://vigil.example/status/s3cret-token-abcdefghijklmnop');
    // Once sent, the private link is no longer kept in the outbox.
    const [sent] = await deliveriesOf(first.id);
    expect(sent).toMatchObject({ status: 'sent', statusUrl: null });
    expect(sent!.body).not.toContain('s3cret');
    // Without a link, the line about it is left out.
    const plain = await m.receive({ reporterEmail: 'carol@example.org', title: 'Scan from 198.51.100.7' });
    expect((await deliveriesOf(plain.id))[0]!.body).not.toContain('Follow your report');
  });

  it('enqueues nothing when the transaction that made the report rolls back', async () => {
    const failed = m.t.db.db.transaction().execute(async (tx) => {
      await m.t.services.reports.receiveIn(tx, channelActor('smtp'), { channel: 'email', title: 'Never stored', reporterEmail: 'ghost@example.org' });
      throw new Error('parse failed after the report');
    });
    await expect(failed).rejects.toThrow('parse failed');
    const n = await m.t.db.db.selectFrom('mailDelivery').select((eb) => eb.fn.countAll<number>().as('n')).where('recipient', '=', 'ghost@example.org').executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(0);
  });

  it('stores a report whose receipt template does not render: the receipt fails in the deliveries view, and goes out once fixed', async () => {
    const admin = await adminSession(m.t);
    const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
      m.t.app.inject({ method, url: `/api/v1${url}`, headers: admin.headers, ...(payload ? { payload } : {}) });
    // A template stored by an older version names a variable receipts no longer have (the API
    // refuses such a template today, so it is written straight into the table).
    await m.t.db.db.insertInto('mailTemplate').values({ kind: 'receipt', subject: '[{{reference}}] received', body: 'Case {{caseNumber}}\n{{statusUrl}}', updatedBy: null, updatedAt: m.clock.now() }).execute();
    try {
      const r = await m.receive({ reporterEmail: 'hana@example.org', title: 'Phishing kit on a shop', statusUrl: 'https://vigil.example/status/hana-s3cret-abcdefghijklmnop' });
      // The report is stored; its receipt's queued work failed at once, with the reason.
      expect(await m.t.db.db.selectFrom('report').select('reference').where('id', '=', r.id).executeTakeFirst()).toEqual({ reference: r.reference });
      expect(await deliveriesOf(r.id)).toEqual([]);
      const failed = (await call('GET', '/deliveries?status=failed&kind=reporter_mail.receipt')).json().items as { id: string; summary: string; lastError: string; recipient: string }[];
      const mine = failed.find((d) => d.summary === `receipt for ${r.reference}`)!;
      expect(mine).toMatchObject({ recipient: 'hana@example.org' });
      expect(mine.lastError).toMatch(/the receipt template does not render: unknown variable \{\{caseNumber\}\}/);
      // Fixed and retried: the receipt is written with the status link, which the queued facts then forget.
      await m.t.db.db.deleteFrom('mailTemplate').where('kind', '=', 'receipt').execute();
      expect((await call('POST', `/deliveries/${mine.id}/retry`)).statusCode).toBe(200);
      await m.worker.runOnce();
      expect(m.to('hana@example.org')).toHaveLength(1);
      expect(m.to('hana@example.org')[0]!.parsed.text).toContain('https://vigil.example/status/hana-s3cret-abcdefghijklmnop');
      expect(JSON.stringify((await deliveryRepo.findById(m.t.db.db, mine.id))!.payload)).not.toContain('s3cret');
    } finally {
      await m.t.db.db.deleteFrom('mailTemplate').where('kind', '=', 'receipt').execute();
    }
  });

  it('answers no bounce, daemon, no-reply or auto-submitted message, none of our own addresses, and no other channel', async () => {
    const silent = [
      await m.receive({ reporterEmail: 'MAILER-DAEMON@mx.example.org', title: 'Undelivered Mail Returned to Sender' }),
      await m.receive({ reporterEmail: 'noreply@siem.example', title: 'Alert digest' }),
      await m.receive({ reporterEmail: 'dave@example.org', title: 'Out of office', autoSubmitted: true }),
      await m.receive({ reporterEmail: 'cert@cert.test', title: 'Our own receipt came back' }),
      await m.receive({ reporterEmail: 'reports@cert.test', title: 'Forwarded to ourselves' }),
      await m.receive({ reporterEmail: 'erin@example.org', channel: 'phone', title: 'Phone call' }),
      await m.receive({ reporterEmail: null, channel: 'web_form', title: 'Anonymous tip' }),
    ];
    for (const r of silent) expect(await deliveriesOf(r.id), r.reference).toEqual([]);
    // Team members logging a report by hand send no receipt for the API channel either.
    const { report } = await m.t.services.reports.submit(handler, { title: 'Logged by hand', reporterEmail: 'frank@example.org' }, raw);
    expect(await deliveriesOf(report.id)).toEqual([]);
  });

  it('sends at most a few receipts an hour to one address, so an auto-responder cannot loop', async () => {
    const made = [];
    for (let i = 0; i < RECEIPTS_PER_HOUR + 2; i++) made.push(await m.receive({ reporterEmail: 'loop@auto.example', title: `Re: your report ${i}` }));
    const counts = await Promise.all(made.map(async (r) => (await deliveriesOf(r.id)).length));
    expect(counts).toEqual([...Array(RECEIPTS_PER_HOUR).fill(1), 0, 0]);
    m.clock.advance(3_600_001);
    expect(await deliveriesOf((await m.receive({ reporterEmail: 'loop@auto.example', title: 'An hour later' })).id)).toHaveLength(1);
    await m.worker.runOnce();
  });

  it('uses an edited template for the next receipt, refuses unknown variables, and audits each change', async () => {
    // Sessions made now: the test clock has moved on by an hour.
    const admin = await userWith(m.t, ['admin']);
    const other = await userWith(m.t, ['handler']);
    expect((await api(other, 'GET', '/settings/mail-templates')).statusCode).toBe(403);
    const before = await auditCount(m.t);
    const bad = await api(admin, 'PUT', '/settings/mail-templates', { receipt: { subject: 'Ticket {{reference}}', body: 'Hello {{reporterName}}' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VIG_MAIL_TEMPLATE_INVALID', errors: [{ path: 'body.receipt.body' }] });
    expect(bad.json().errors[0].message).toMatch(/unknown variable \{\{reporterName\}\}/);
    const long = await api(admin, 'PUT', '/settings/mail-templates', { receipt: { subject: 'x'.repeat(301), body: 'b' } });
    expect(long.json().code).toBe('VIG_REQUEST_INVALID');
    expect(await auditCount(m.t)).toBe(before);

    const ok = await api(admin, 'PUT', '/settings/mail-templates', {
      receipt: { subject: 'Ticket {{ reference }} for {{teamName}}', body: 'Ref {{reference}}\nStatus: {{publicStatus}}\nLink: {{statusUrl}}' },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().templates.receipt).toMatchObject({ subject: 'Ticket {{ reference }} for {{teamName}}', isDefault: false });
    expect(ok.json().templates.update.isDefault).toBe(true);
    expect(ok.json().variables).toContain('incidentReference');
    const audit = await m.t.db.db.selectFrom('auditLog').selectAll().where('action', '=', 'mail.templates_updated').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.after).toMatchObject({ receipt: { subject: 'Ticket {{ reference }} for {{teamName}}' } });

    const r = await m.receive({ reporterEmail: 'gina@example.org', title: 'Ransom note' });
    await m.worker.runOnce();
    const mail = m.to('gina@example.org')[0]!.parsed;
    expect(mail.subject).toBe(`Ticket ${r.reference} for CSIRT`);
    expect(mail.text?.trim()).toBe(`Ref ${r.reference}\nStatus: received`);

    const reset = await api(admin, 'PUT', '/settings/mail-templates', { receipt: null });
    expect(reset.json().templates.receipt).toMatchObject({ isDefault: true, subject: '[{{reference}}] We received your report: {{title}}' });
    // Saving what is already there changes nothing and records nothing.
    const n = await auditCount(m.t);
    await api(admin, 'PUT', '/settings/mail-templates', { receipt: null });
    expect(await auditCount(m.t)).toBe(n);
  });

  it('tells a reporter who asked for updates when the incident changes state, and nobody else', async () => {
    const wants = await m.receive({ reporterEmail: 'hugo@example.org', title: 'Credential phishing', wantsUpdates: true });
    const quiet = await m.receive({ reporterEmail: 'ines@example.org', title: 'Credential phishing too', wantsUpdates: false });
    const inc = await m.t.services.incidents.declare(handler, { title: 'Phishing', impact: 'low', urgency: 'low', classifications: [{ class: 'fraud', type: 'phishing' }] });
    await m.t.services.reportTriage.link(handler, wants.id, inc.id);
    await m.t.services.reportTriage.link(handler, quiet.id, inc.id);
    await m.worker.runOnce();
    const receipt = m.to('hugo@example.org')[0]!.parsed;

    let v = await m.t.services.incidents.setStatus(handler, inc.id, inc.version, 'triage');
    // The incident's change only queued the work; the worker makes the updates, then sends them.
    await m.drain();
    await m.worker.runOnce();
    const updates = () => m.to('hugo@example.org').slice(1).map((x) => x.parsed);
    expect(updates()).toHaveLength(1);
    expect(updates()[0]!.subject).toBe(`[${wants.reference}] Your report is now being handled`);
    expect(updates()[0]!.text).toContain(`Incident reference: ${inc.reference}`);
    expect(updates()[0]!.inReplyTo).toBe(receipt.messageId);
    expect(updates()[0]!.headers.get('auto-submitted')).toBe('auto-generated');
    expect(m.to('ines@example.org')).toHaveLength(1); // the receipt only

    // Another phase is still "being handled" for the reporter: nothing new to tell.
    v = await m.t.services.incidents.setStatus(handler, inc.id, v.version, 'analysis');
    await m.drain();
    await m.worker.runOnce();
    expect(updates()).toHaveLength(1);

    v = await m.t.services.incidents.close(handler, inc.id, { version: v.version, resolution: 'resolved' });
    v = await m.t.services.incidents.reopen(handler, inc.id, v.version, 'new evidence');
    await m.drain();
    await m.worker.runOnce();
    expect(updates().map((x) => x.subject)).toEqual([
      `[${wants.reference}] Your report is now being handled`,
      `[${wants.reference}] Your report is now closed`,
      `[${wants.reference}] Your report is now being handled`,
    ]);
    expect(m.to('ines@example.org')).toHaveLength(1);
    // One delivery per event, each keyed by the event that caused it.
    const rows = (await deliveriesOf(wants.id)).filter((d) => d.kind === 'update');
    expect(new Set(rows.map((r) => r.eventKey)).size).toBe(3);
  });
});
