import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiOf, makeApp, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import { systemClock } from '../../lib/actor.ts';
import { failureLine, importEml, importMbox } from './import.ts';
import { deliver } from './testkit.ts';

// Realistic inbound mail of the kinds abuse desks receive, written here byte for byte.
const crlf = (s: string) => Buffer.from(s.replace(/\n/g, '\r\n'), 'latin1');

/** An abuse report from an old Mac mailer: every line ends in a bare CR. */
const BARE_CR = Buffer.from([
  'Return-Path: <abuse@isp-desk.example>',
  'Received: from mac-g3.isp-desk.example (mac-g3.isp-desk.example [192.0.2.200])',
  '\tby mx.example.org with ESMTP id 4F2A1; Tue, 3 Mar 2026 09:58:02 +0100',
  'From: "ISP Abuse Desk" <abuse@isp-desk.example>',
  'To: abuse@example.org',
  'Subject: Abuse report: SSH brute force from 203.0.113.45',
  'Date: Tue, 3 Mar 2026 09:57:40 +0100',
  'Message-ID: <v04210100b3f4c2a1@mac-g3.isp-desk.example>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset="us-ascii"',
  '',
  'Hello,',
  '',
  'our honeypot logged 1,204 failed SSH logins from 203.0.113.45',
  'between 02:10 and 02:55 UTC today. Please look into it.',
  '',
  'Regards, the abuse desk',
  '',
].join('\r'), 'latin1');

/** An ARF feedback report (RFC 5965): human part, machine part, the original message. */
const ARF = crlf(`Received: from feedback.mailbox-provider.example (feedback.mailbox-provider.example [198.51.100.200])
\tby mx.example.org; Wed, 4 Mar 2026 07:00:12 +0000
From: Mailbox Provider Feedback Loop <fbl@mailbox-provider.example>
To: abuse@example.org
Subject: FW: Your invoice is ready
Date: Wed, 4 Mar 2026 07:00:10 +0000
Message-ID: <fbl-20260304-000731@mailbox-provider.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report;
\tboundary="----=_FBL_7731_boundary"

------=_FBL_7731_boundary
Content-Type: text/plain; charset="US-ASCII"
Content-Transfer-Encoding: 7bit

This is an email abuse report for an email message received by one of
our users. A user marked it as unwanted. See the attached feedback report.

------=_FBL_7731_boundary
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: MailboxProviderFBL/2.3
Version: 1
Original-Mail-From: <billing@invoices-portal.example>
Original-Rcpt-To: <jane.doe@mailbox-provider.example>
Arrival-Date: Tue, 03 Mar 2026 21:14:09 +0000
Source-IP: 192.0.2.77
Reported-Domain: invoices-portal.example
Reported-URI: http://invoices-portal.example/pay/INV-22871
Authentication-Results: mx.mailbox-provider.example; spf=fail
 smtp.mailfrom=invoices-portal.example; dkim=none

------=_FBL_7731_boundary
Content-Type: text/rfc822-headers

Received: from [192.0.2.77] by mx.mailbox-provider.example; Tue, 03 Mar 2026 21:14:09 +0000
From: Billing <billing@invoices-portal.example>
To: jane.doe@mailbox-provider.example
Subject: Your invoice is ready
Date: Tue, 03 Mar 2026 21:14:01 +0000

------=_FBL_7731_boundary--
`);

/** An X-ARF v4 report (connection/login_attack) attached as JSON to a short text. */
const xarfLogin = {
  xarf_version: '4.0.0', report_id: 'b7d0a0a2-1b7e-4c61-9d0e-3c1c7d2e8a11', timestamp: '2026-03-04T05:31:00Z',
  reporter: { org: 'Hosting Example', contact: 'abuse@hosting.example', domain: 'hosting.example' },
  sender: { org: 'Hosting Example', contact: 'abuse@hosting.example', domain: 'hosting.example' },
  source_identifier: '198.51.100.61', source_port: 51122, category: 'connection', type: 'login_attack',
  protocol: 'tcp', destination_ip: '203.0.113.5', destination_port: 22, first_seen: '2026-03-04T05:01:00Z', evidence_source: 'honeypot',
};
const XARF_MAIL = crlf(`From: Hosting Example Abuse <abuse@hosting.example>
To: abuse@example.org
Subject: [X-ARF] login_attack from 198.51.100.61
Date: Wed, 4 Mar 2026 05:40:00 +0000
Message-ID: <xarf-b7d0a0a2@hosting.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="xarf-b7d0"

--xarf-b7d0
Content-Type: text/plain; charset=utf-8

Automated abuse report. The machine-readable report is attached.

--xarf-b7d0
Content-Type: application/json; name="xarf.json"
Content-Disposition: attachment; filename="xarf.json"

${JSON.stringify(xarfLogin, null, 2)}
--xarf-b7d0--
`);

/** The declared boundary is not the one the parts use (a broken list footer rewrite). */
const WRONG_BOUNDARY = crlf(`From: Jan Novak <jan.novak@example.cz>
To: cert@example.org
Subject: Phishing page imitating our webmail
Date: Thu, 5 Mar 2026 08:00:00 +0100
Message-ID: <wrong-boundary-1@example.cz>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="=_alt_DECLARED"

--=_alt_USED
Content-Type: text/plain; charset=utf-8

The page at hxxps://webmail-login[.]example/owa asks for our passwords.

--=_alt_USED--
`);

/** Multipart declared, but no boundary line at all in the body. */
const NO_PARTS = crlf(`From: Jan Novak <jan.novak@example.cz>
To: cert@example.org
Subject: Second try
Date: Thu, 5 Mar 2026 08:05:00 +0100
Message-ID: <no-parts-1@example.cz>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="nowhere"

The scan came from 192.0.2.150 again this morning.
`);

const head = (subject: string, charset: string, id: string) =>
  crlf(`From: Ingrid <ingrid@example.de>\nTo: cert@example.org\nSubject: ${subject}\nDate: Fri, 6 Mar 2026 09:00:00 +0100\nMessage-ID: <${id}@example.de>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=${charset}\nContent-Transfer-Encoding: 8bit\n\n`);
/** Declared UTF-8, written in latin1. */
const LATIN1_AS_UTF8 = Buffer.concat([head('Verdacht auf Phishing', 'utf-8', 'cs-1'), Buffer.from('Grüße aus München: die Seite fragt nach Passwörtern.\r\n', 'latin1')]);
/** Declared ISO-8859-1, written in UTF-8. */
const UTF8_AS_LATIN1 = Buffer.concat([head('Verdacht auf Malware', 'iso-8859-1', 'cs-2'), Buffer.from('Grüße aus München: der Rechner verschlüsselt Dateien.\r\n', 'utf8')]);

describe.each(stores())('real-world mail on %s', (store) => {
  let t: TestApp;
  let handler: Session;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-real-mail-'));
  beforeAll(async () => {
    t = await makeApp(store);
    handler = await userWith(t, ['handler']);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });
  const { call } = apiOf(() => t, () => handler);
  const reportOf = async (id: string | null | undefined) => (await call(handler, 'GET', `/reports/${id}`)).json();
  const triageOf = async (id: string | null | undefined) => (await call(handler, 'GET', `/reports/${id}/triage`)).json();

  it('reads a mail with bare-CR line ends; the stored message keeps them', async () => {
    const r = await deliver(t, BARE_CR);
    expect(r.state, r.error ?? '').toBe('parsed');
    const rep = await reportOf(r.outcome.reportId);
    expect(rep).toMatchObject({ title: 'Abuse report: SSH brute force from 203.0.113.45', reporterEmail: 'abuse@isp-desk.example', reporterName: 'ISP Abuse Desk' });
    expect(rep.body).toContain('our honeypot logged 1,204 failed SSH logins from 203.0.113.45\nbetween 02:10 and 02:55 UTC today.');
    expect(rep.body).not.toContain('Content-Type');
    expect(r.item.messageId).toBe('<v04210100b3f4c2a1@mac-g3.isp-desk.example>');
    const raw = await call(handler, 'GET', `/intake/items/${r.item.id}/raw`);
    expect(raw.rawPayload.equals(BARE_CR)).toBe(true);
  });

  it('reads an ARF feedback report natively: fields, observables, arrival date, RSIT class', async () => {
    const r = await deliver(t, ARF);
    expect(r.state, r.error ?? '').toBe('parsed');
    const tri = await triageOf(r.outcome.reportId);
    expect(tri.abuseReports).toHaveLength(1);
    const arf = tri.abuseReports[0];
    expect(arf).toMatchObject({
      format: 'arf', kind: 'abuse', classification: { class: 'abusive-content', type: 'spam' },
      fields: {
        'Feedback-Type': 'abuse', 'User-Agent': 'MailboxProviderFBL/2.3', Version: '1', 'Source-IP': '192.0.2.77',
        'Reported-Domain': ['invoices-portal.example'], 'Reported-URI': ['http://invoices-portal.example/pay/INV-22871'],
        'Original-Mail-From': '<billing@invoices-portal.example>', 'Arrival-Date': 'Tue, 03 Mar 2026 21:14:09 +0000',
        'Authentication-Results': ['mx.mailbox-provider.example; spf=fail smtp.mailfrom=invoices-portal.example; dkim=none'],
      },
    });
    expect(new Date(arf.observedAt).toISOString()).toBe('2026-03-03T21:14:09.000Z');
    expect(tri.observables).toEqual(expect.arrayContaining([
      { type: 'ipv4', value: '192.0.2.77' }, { type: 'domain', value: 'invoices-portal.example' },
      { type: 'url', value: 'http://invoices-portal.example/pay/INV-22871' }, { type: 'email', value: 'billing@invoices-portal.example' },
    ]));
    expect(tri.suggestions.classifications[0]).toMatchObject({ class: 'abusive-content', type: 'spam', reason: 'ARF Feedback-Type: abuse' });
  });

  it('reads X-ARF v4 natively, attached as JSON or as the body', async () => {
    const r = await deliver(t, XARF_MAIL);
    expect(r.state, r.error ?? '').toBe('parsed');
    const tri = await triageOf(r.outcome.reportId);
    expect(tri.abuseReports).toEqual([expect.objectContaining({ format: 'x-arf', kind: 'connection/login_attack', classification: { class: 'intrusion-attempts', type: 'brute-force' } })]);
    expect(new Date(tri.abuseReports[0].observedAt).toISOString()).toBe('2026-03-04T05:31:00.000Z');
    expect(tri.observables).toEqual(expect.arrayContaining([{ type: 'ipv4', value: '198.51.100.61' }, { type: 'ipv4', value: '203.0.113.5' }]));
    expect(tri.suggestions.classifications[0]).toMatchObject({ class: 'intrusion-attempts', type: 'brute-force', reason: 'X-ARF connection/login_attack' });
    const inBody = crlf(`From: Hosting Example Abuse <abuse@hosting.example>\nTo: abuse@example.org\nSubject: X-ARF report\nMessage-ID: <xarf-body-1@hosting.example>\nContent-Type: text/plain; charset=utf-8\n\n${JSON.stringify({ ...xarfLogin, report_id: '0c8c0d5e-5a53-4d3f-8f43-5b7c8f1f2e90', category: 'content', type: 'phishing', source_identifier: '192.0.2.91', url: 'https://pay-portal.example/login' })}\n`);
    const b = await deliver(t, inBody);
    const tb = await triageOf(b.outcome.reportId);
    expect(tb.abuseReports[0]).toMatchObject({ format: 'x-arf', kind: 'content/phishing', classification: { class: 'fraud', type: 'phishing' } });
    expect(tb.observables).toEqual(expect.arrayContaining([{ type: 'url', value: 'https://pay-portal.example/login' }, { type: 'ipv4', value: '192.0.2.91' }]));
    // Who reported it (the X-ARF reporter and sender, their addresses and domains) is no indicator.
    expect(tb.abuseReports[0].parties).toEqual(expect.arrayContaining(['abuse@hosting.example', 'hosting.example']));
    const values = [...tri.observables, ...tb.observables].map((o: { value: string }) => o.value);
    for (const party of ['abuse@hosting.example', 'hosting.example']) expect(values).not.toContain(party);
  });

  it('reads parts at the boundary they use when the declared one is not there, and says so', async () => {
    const r = await deliver(t, WRONG_BOUNDARY);
    expect(r.state, r.error ?? '').toBe('parsed');
    const rep = await reportOf(r.outcome.reportId);
    expect(rep.body).toContain('The page at hxxps://webmail-login[.]example/owa asks for our passwords.');
    expect(rep.body).toMatch(/\[Parse note: The MIME boundary the message declares \("=_alt_DECLARED"\) is not in it/);
    expect(rep.body).not.toContain('--=_alt_USED');
    const none = await deliver(t, NO_PARTS);
    expect(none.state, none.error ?? '').toBe('parsed');
    const rep2 = await reportOf(none.outcome.reportId);
    expect(rep2.body).toContain('The scan came from 192.0.2.150 again this morning.');
    expect(rep2.body).toMatch(/\[Parse note: .*boundary "nowhere".*shown as plain text/);
  });

  it('reads text whose declared charset does not fit its bytes, and says so', async () => {
    const a = await deliver(t, LATIN1_AS_UTF8);
    const ra = await reportOf(a.outcome.reportId);
    expect(ra.body).toContain('Grüße aus München: die Seite fragt nach Passwörtern.');
    expect(ra.body).not.toContain('\uFFFD');
    expect(ra.body).toMatch(/\[Parse note: The text declares the charset "utf-8", which does not fit its bytes; it was read as windows-1252\.\]/);
    const b = await deliver(t, UTF8_AS_LATIN1);
    const rb = await reportOf(b.outcome.reportId);
    expect(rb.body).toContain('Grüße aus München: der Rechner verschlüsselt Dateien.');
    expect(rb.body).toMatch(/\[Parse note: The text declares the charset "iso-8859-1".*read as UTF-8/);
    // The stored bytes stay as they came.
    const raw = await call(handler, 'GET', `/intake/items/${b.item.id}/raw`);
    expect(raw.rawPayload.equals(UTF8_AS_LATIN1)).toBe(true);
    // A clean message gets no note.
    const clean = await deliver(t, Buffer.concat([head('Sauber', 'utf-8', 'cs-3'), Buffer.from('Grüße, alles gut.\r\n', 'utf8')]));
    expect((await reportOf(clean.outcome.reportId)).body).not.toContain('[Parse note');
  });

  it('names failed messages by file and mbox index in the import summary', async () => {
    const empty = 'X-Mailer: broken-gateway 0.1\n\n\n';
    const mboxPath = join(dir, 'inbox.mbox');
    writeFileSync(mboxPath, [
      'From a@example.org Tue Mar  3 10:00:00 2026\n' + 'From: a@example.org\nSubject: First\nMessage-ID: <imp-1@example.org>\n\nOne.\n\n',
      'From b@example.org Tue Mar  3 10:01:00 2026\n' + empty,
      'From c@example.org Tue Mar  3 10:02:00 2026\n' + 'From: c@example.org\nSubject: Third\nMessage-ID: <imp-3@example.org>\n\nThree.\n\n',
    ].join(''));
    const deps = { db: t.db.db, clock: systemClock, intake: t.services.intake, settings: t.services.settings };
    const s = await importMbox(deps, mboxPath);
    expect(s).toMatchObject({ messages: 3, parsed: 2, failed: 1 });
    expect(s.failures).toEqual([expect.objectContaining({ file: mboxPath, index: 1, itemId: expect.any(String), error: expect.stringMatching(/nothing to read/) })]);
    expect(failureLine(s.failures[0]!)).toMatch(new RegExp(`^  failed ${mboxPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(message 2 of the mbox, index 1\\), item [0-9a-f-]{36}: .*nothing to read`));
    const emlPath = join(dir, 'empty.eml');
    writeFileSync(emlPath, 'X-Mailer: other-gateway\n\n \n');
    const e = await importEml(deps, [emlPath]);
    expect(e.failures).toEqual([expect.objectContaining({ file: emlPath, index: 0 })]);
    expect(failureLine(e.failures[0]!)).toMatch(/^ {2}failed .*empty\.eml, item [0-9a-f-]{36}: /);
  });
});
