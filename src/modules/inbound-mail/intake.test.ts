import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiOf, makeApp, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import { reportRepo } from '../reports/repo.ts';
import { deliver, rawMail } from './testkit.ts';
import { systemClock } from '../../lib/actor.ts';
import { drainQueued } from '../delivery/testkit.ts';

describe.each(stores())('e-mail parsing and threading on %s', (store) => {
  let t: TestApp;
  let handler: Session;
  beforeAll(async () => {
    t = await makeApp(store, { VIGIL_INTAKE_ATTACHMENT_MAX_BYTES: '1000' });
    handler = await userWith(t, ['handler']);
  });
  afterAll(() => t?.close());
  const { call, declare } = apiOf(() => t, () => handler);

  const report = (id: string | null | undefined) => reportRepo.byId(t.db.db, id!).then((r) => r!);
  const timeline = async (incidentId: string) => (await call(handler, 'GET', `/incidents/${incidentId}/timeline?limit=200`)).json().items as { kind: string; actorId: string | null; actorName: string; tlp: string; data: Record<string, unknown> }[];

  it('makes a new report from a message, with the sender as reporter', async () => {
    const r = await deliver(t, rawMail({ subject: '  Ransomware note\r\n found  ', body: 'Files renamed to .locked on host FS01.' }));
    expect(r.state).toBe('parsed');
    const rep = await report(r.outcome.reportId);
    expect(rep).toMatchObject({ channel: 'email', title: 'Ransomware note found', body: 'Files renamed to .locked on host FS01.\n', reporterEmail: 'alice@example.org', reporterName: 'Alice Reporter', status: 'new' });
  });

  it('collapses an identical message sent again into a repeat of the first report', async () => {
    const text = { subject: 'Scan from 198.51.100.4', body: 'Port scan against our range since 02:00.' };
    const first = await deliver(t, rawMail(text));
    const again = await deliver(t, rawMail({ ...text, body: `  ${text.body}\r\n\r\n` }));
    expect(again.outcome.reportId).toBe(first.outcome.reportId);
    const messages = await reportRepo.messages(t.db.db, first.outcome.reportId!);
    expect(messages.map((m) => m.kind)).toEqual(['repeat']);
    // Another attachment is another report, even with the same words.
    const withLog = await deliver(t, rawMail({ ...text, attachments: [{ filename: 'scan.log', contentType: 'text/plain', content: Buffer.from('log') }] }));
    expect(withLog.outcome.reportId).not.toBe(first.outcome.reportId);
  });

  it('threads a reply naming a report in its subject onto that report, with its attachments', async () => {
    const first = await deliver(t, rawMail({ subject: 'Defaced website' }));
    const rep = await report(first.outcome.reportId);
    const reply = await deliver(t, rawMail({
      subject: `Re: [${rep.reference}] Defaced website`, body: 'Screenshot attached.',
      attachments: [{ filename: 'shot.png', contentType: 'image/png', content: Buffer.from('png-bytes') }],
    }));
    expect(reply.outcome).toMatchObject({ reportId: rep.id, incidentId: null });
    const messages = await reportRepo.messages(t.db.db, rep.id);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ kind: 'reply', intakeItemId: reply.item.id, sender: 'alice@example.org', subject: `Re: [${rep.reference}] Defaced website` });
    expect(messages[0]!.body).toContain('Screenshot attached.');
    const files = await reportRepo.attachments(t.db.db, rep.id);
    expect(files.map((f) => [f.filename, f.messageId])).toEqual([['shot.png', messages[0]!.id]]);
    // No second report was made.
    expect((await call(handler, 'GET', `/reports?q=${encodeURIComponent('Defaced')}`)).json().items).toHaveLength(1);
  });

  it('threads by In-Reply-To, and records a reply on a linked report as a communication on its incident', async () => {
    const first = await deliver(t, rawMail({ subject: 'Malware on laptop', messageId: '<orig-1@example.org>' }));
    const rep = await report(first.outcome.reportId);
    const incident = await declare({ title: 'Malware outbreak', tlp: 'GREEN' });
    expect((await call(handler, 'POST', `/reports/${rep.id}/link`, { incident: incident.id })).statusCode).toBe(200);
    const reply = await deliver(t, rawMail({ subject: 'More hosts', body: 'Two more hosts infected.', headers: { 'In-Reply-To': '<orig-1@example.org>', References: '<orig-1@example.org>' } }));
    expect(reply.outcome).toMatchObject({ reportId: rep.id, incidentId: incident.id });
    const comm = (await timeline(incident.id)).filter((e) => e.kind === 'incident.communication');
    expect(comm).toHaveLength(1);
    // A channel wrote it: no user, the channel's name, at least AMBER whatever the incident's TLP.
    expect(comm[0]).toMatchObject({ actorId: null, actorName: 'smtp', tlp: 'AMBER' });
    expect(comm[0]!.data).toMatchObject({ direction: 'inbound', channel: 'email', party: 'alice@example.org', report: rep.reference, intakeItemId: reply.item.id });
    expect(String(comm[0]!.data.body)).toContain('Two more hosts infected.');
    const audit = await t.db.db.selectFrom('auditLog').selectAll().where('action', '=', 'incident.communication').where('entityId', '=', incident.id).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: null, actorName: 'smtp', ip: '192.0.2.1' });
  });

  it('records a message naming an incident (and no report) as a communication on that incident', async () => {
    const incident = await declare({ title: 'DDoS on portal', tlp: 'RED' });
    const r = await deliver(t, rawMail({ subject: `[${incident.reference}] traffic update`, body: 'Attack traffic stopped at 14:10.' }));
    expect(r.outcome).toEqual(expect.objectContaining({ incidentId: incident.id }));
    expect(r.outcome.reportId ?? null).toBeNull();
    const comm = (await timeline(incident.id)).filter((e) => e.kind === 'incident.communication');
    // A RED incident keeps its entries RED: an inbound mail never lowers the restriction.
    expect(comm.map((e) => e.tlp)).toEqual(['RED']);
  });

  it('treats an unknown reference as a new report', async () => {
    const r = await deliver(t, rawMail({ subject: 'Re: [VIG-R-1999-999999] and [CERTX-1999-99999] old ticket' }));
    const rep = await report(r.outcome.reportId);
    expect(rep.title).toBe('Re: [VIG-R-1999-999999] and [CERTX-1999-99999] old ticket');
    expect(await reportRepo.messages(t.db.db, rep.id)).toHaveLength(0);
  });

  it('threads a reply to the receipt Vigil sent (its Message-ID is in the outbox)', async () => {
    const first = await deliver(t, rawMail({ from: 'bob@example.com', subject: 'Suspicious invoice' }));
    // The receipt is queued with the report and written by the delivery worker right after.
    await drainQueued(t, systemClock);
    const receipt = await t.db.db.selectFrom('mailDelivery').select(['messageId', 'reportId']).where('reportId', '=', first.outcome.reportId!).executeTakeFirst();
    expect(receipt, 'the outbox enqueues a receipt for an e-mail report').toBeDefined();
    const reply = await deliver(t, rawMail({ from: 'bob@example.com', subject: 'Re: We received your report', headers: { 'In-Reply-To': receipt!.messageId } }));
    expect(reply.outcome.reportId).toBe(first.outcome.reportId);
  });

  it('sends no receipt for auto-replies, bounces and imported mail', async () => {
    const auto = await deliver(t, rawMail({ from: 'carol@example.com', subject: 'Out of office', headers: { 'Auto-Submitted': 'auto-replied' } }));
    const bounce = await deliver(t, rawMail({ from: 'dan@example.com', subject: 'Undeliverable' }), { transport: 'smtp', mailFrom: '', remoteAddress: '192.0.2.9' });
    const imported = await deliver(t, rawMail({ from: 'erin@example.com', subject: 'Old report' }), { transport: 'import', file: '/tmp/x.mbox', index: 0 });
    await drainQueued(t, systemClock);
    for (const r of [auto, bounce, imported]) {
      expect(r.state).toBe('parsed');
      expect(await t.db.db.selectFrom('mailDelivery').select('id').where('reportId', '=', r.outcome.reportId!).execute()).toHaveLength(0);
    }
    expect((await report(imported.outcome.reportId)).reporterEmail).toBe('erin@example.com');
  });

  it('keeps reporter fields single-line and bounded (no header injection)', async () => {
    const name = `"Eve\\r\\nBcc: victim@example.com ${'x'.repeat(400)}" <eve@example.org>`;
    const r = await deliver(t, rawMail({ from: name, subject: 'Inject\r\n\tBcc: victim@example.com' }));
    const rep = await report(r.outcome.reportId);
    expect(rep.reporterName).not.toMatch(/[\r\n]/);
    expect(rep.reporterName!.length).toBeLessThanOrEqual(200);
    expect(rep.title).toBe('Inject Bcc: victim@example.com');
    expect(rep.reporterEmail).toBe('eve@example.org');
    // A From that is not an address leaves the e-mail empty rather than storing garbage.
    const bad = await deliver(t, rawMail({ from: 'Mallory <mallory@@bad..>' }), { transport: 'smtp', mailFrom: 'real@example.net' });
    expect((await report(bad.outcome.reportId)).reporterEmail).toBe('real@example.net');
  });

  it('lists an attachment over the limit (flag too_large, bytes only in the raw message) and flags archives and executables', async () => {
    const r = await deliver(t, rawMail({
      subject: 'Samples',
      attachments: [
        { filename: 'big.bin', contentType: 'application/octet-stream', content: Buffer.alloc(5000, 1) },
        { filename: 'dropper.exe', contentType: 'application/octet-stream', content: Buffer.from('MZ....') },
        { filename: 'logs.tgz', contentType: 'application/gzip', content: Buffer.from([0x1f, 0x8b, 8, 0]) },
      ],
    }));
    const files = await reportRepo.attachments(t.db.db, r.outcome.reportId!);
    const byName = Object.fromEntries(files.map((f) => [f.filename, f]));
    expect(byName['big.bin']).toMatchObject({ stored: false, sha256: null });
    expect(byName['big.bin']!.flags).toContain('too_large');
    expect(byName['dropper.exe']!.flags).toContain('executable');
    expect(byName['logs.tgz']!.flags).toContain('archive');
  });

  describe('bad input never crashes and never loses the item', () => {
    const cases: [string, Buffer][] = [
      ['ISO-8859-1', Buffer.concat([Buffer.from('From: "J\xe9r\xf4me" <j@example.fr>\r\nSubject: =?ISO-8859-1?Q?Caf=E9_pirat=E9?=\r\nContent-Type: text/plain; charset=ISO-8859-1\r\n\r\n', 'latin1'), Buffer.from('caf\xe9 pirat\xe9\r\n', 'latin1')])],
      ['windows-1252', Buffer.concat([Buffer.from('From: w@example.com\r\nSubject: quotes\r\nContent-Type: text/plain; charset=windows-1252\r\n\r\n'), Buffer.from([0x93, 0x68, 0x69, 0x94, 0x20, 0x80, 0x0d, 0x0a])])],
      ['ISO-2022-JP', Buffer.from('From: j@example.jp\r\nSubject: =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\n\x1b$B%F%9%H\x1b(B\r\n', 'latin1')],
      ['unknown charset', Buffer.from('From: k@example.com\r\nSubject: =?x-klingon?Q?Qapla?=\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\nhello \xff\xfe\r\n', 'latin1')],
      ['invalid UTF-8 and NUL bytes', Buffer.from('From: "\xff\xfe" <u@example.com>\r\nSubject: bad \xc3\x28 \x00 byte\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbad \xc3\x28 \xed\xa0\x80 nul\x00x\r\n', 'latin1')],
      ['broken MIME', Buffer.from('From: m@example.com\r\nSubject: broken\r\nContent-Type: multipart/mixed; boundary="zzz"\r\n\r\n--zzz\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64%%%\r\n--zzz\r\nContent-Type: application/octet-stream; name=a.zip\r\n\r\nPK\x03\x04cut off', 'latin1')],
      ['HTML only', Buffer.from('From: h@example.com\r\nSubject: html\r\nContent-Type: text/html\r\n\r\n<p>Hello <b>team</b></p><script>alert(1)</script>\r\n')],
      ['no header at all', Buffer.from('\r\njust text, no headers\r\n')],
      ['binary garbage', Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 7919) % 256))],
      ['empty', Buffer.alloc(0)],
    ];
    it.each(cases)('%s', async (_name, raw) => {
      const r = await deliver(t, raw);
      const item = await t.db.db.selectFrom('intakeItem').selectAll().where('id', '=', r.item.id).executeTakeFirstOrThrow();
      expect(Buffer.from(item.content).equals(raw)).toBe(true);
      if (r.state === 'failed') {
        expect(item.state).toBe('failed');
        expect(item.error).toMatch(/\w/);
        return;
      }
      const rep = await report(r.outcome.reportId);
      for (const v of [rep.title, rep.body, rep.reporterName ?? '']) {
        expect(v).not.toContain('\u0000');
        expect(v.isWellFormed()).toBe(true);
      }
    });

    it('decodes the charsets it knows', async () => {
      const titles = [];
      for (const [, raw] of cases.slice(0, 3)) titles.push((await report((await deliver(t, raw)).outcome.reportId)).title);
      expect(titles).toEqual(['Café piraté', 'quotes', 'テスト']);
      const html = await report((await deliver(t, cases[6]![1])).outcome.reportId);
      expect(html.body).toContain('Hello team');
      expect(html.body).not.toContain('<script>');
    });

    it('leaves an empty message in the unparsed queue with the reason', async () => {
      const r = await deliver(t, Buffer.alloc(0));
      expect(r.state).toBe('failed');
      expect(r.error).toMatch(/nothing to read/);
      const queue = await t.services.intake.listUnparsed({ userId: null, username: 'duty', roles: ['handler'], via: 'cli', ip: null, requestId: null }, { state: 'failed', channel: 'email', limit: 500 });
      expect(queue.items.map((i) => i.id)).toContain(r.item.id);
    });
  });
});
