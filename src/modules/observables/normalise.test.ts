import { describe, expect, it } from 'vitest';
import { extractObservables, refang } from './extract.ts';
import { normaliseObservable, ObservableInvalid } from './normalise.ts';

describe('observable normalisation', () => {
  it.each([
    ['ipv4', ' 192.0.2.10 ', '192.0.2.10'],
    ['ipv6', '2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['ipv6', '[fe80:0:0:0:0:0:0:1]', 'fe80::1'],
    ['cidr', '10.1.2.3/8', '10.0.0.0/8'],
    ['cidr', '2001:db8:abcd:12::/48', '2001:db8:abcd::/48'],
    ['domain', 'WWW.Example.ORG.', 'www.example.org'],
    ['domain', 'bücher.example', 'xn--bcher-kva.example'],
    ['url', 'HTTP://Example.COM:80/a/../b?q=1#frag', 'http://example.com/b?q=1'],
    ['email', 'Alice@Example.COM', 'Alice@example.com'],
    ['md5', 'D41D8CD98F00B204E9800998ECF8427E', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['asn', 'as64500', 'AS64500'],
    ['asn', '13335', 'AS13335'],
    ['filename', 'invoice.pdf.exe', 'invoice.pdf.exe'],
  ] as const)('%s %s -> %s', (type, input, out) => {
    expect(normaliseObservable(type, input)).toBe(out);
  });

  it.each([
    ['ipv4', '999.1.1.1'], ['ipv4', '01.2.3.4'], ['ipv6', '2001:db8::g'], ['cidr', '10.0.0.0/33'], ['domain', 'localhost'],
    ['domain', 'bad_domain.example'], ['url', 'javascript:alert(1)'], ['email', 'no-at-sign'], ['sha256', 'abc'],
    ['asn', 'AS99999999999'], ['filename', '../etc/passwd'], ['other', 'line\u0000break'],
  ] as const)('refuses %s %j', (type, input) => {
    expect(() => normaliseObservable(type, input)).toThrow(ObservableInvalid);
  });
});

describe('extraction from free text', () => {
  it('refangs the usual forms', () => {
    expect(refang('hxxps://evil[.]example[.]com/x and 1.2.3[.]4 and bob[@]corp(.)example')).toBe(
      'https://evil.example.com/x and 1.2.3.4 and bob@corp.example',
    );
  });

  it('finds each kind once, normalised, without listing a URL\'s host again as a domain', () => {
    const text = `Phish from hxxps://login-microsoft[.]example[.]com/owa?x=1 sent by ceo[@]corp-mail[.]example,
      C2 at 203.0.113[.]7 and 198.51.100.0/24 and 2001:DB8::5, dropper 44d88612fea8a8f36de82e1278abb02f,
      sha256 275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f; also see update-check.example.net.
      Not an IP: 1.2.3.4.5.6 version 999.999.999.999`;
    const got = extractObservables(text).map((o) => `${o.type}:${o.value}`).sort();
    expect(got).toEqual([
      'cidr:198.51.100.0/24',
      'domain:update-check.example.net',
      'email:ceo@corp-mail.example',
      'ipv4:203.0.113.7',
      'ipv6:2001:db8::5',
      'md5:44d88612fea8a8f36de82e1278abb02f',
      'sha256:275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f',
      'url:https://login-microsoft.example.com/owa?x=1',
    ]);
  });
});

describe('defanged input', () => {
  it.each([
    ['url', 'hxxp://evil[.]example/x', 'http://evil.example/x'],
    ['url', 'hxxps://login[.]bank-secure[.]example/owa', 'https://login.bank-secure.example/owa'],
    ['url', 'http[:]//evil(.)example/a', 'http://evil.example/a'],
    ['url', 'hXXps[://]cdn[dot]evil[.]example/p.js', 'https://cdn.evil.example/p.js'],
    ['domain', 'evil[.]example', 'evil.example'],
    ['domain', 'mail(.)evil{.}example', 'mail.evil.example'],
    ['ipv4', '198.51.100[.]24', '198.51.100.24'],
    ['ipv4', '198[.]51[.]100[.]24', '198.51.100.24'],
    ['cidr', '198.51.100[.]0/24', '198.51.100.0/24'],
    ['email', 'ceo[at]corp-mail[.]example', 'ceo@corp-mail.example'],
    ['email', 'ceo[@]corp-mail(.)example', 'ceo@corp-mail.example'],
  ] as const)('%s %s is refanged to %s', (type, input, out) => {
    expect(normaliseObservable(type, input)).toBe(out);
  });

  it('keeps other kinds as written (a file name or free text is not refanged)', () => {
    expect(normaliseObservable('filename', 'payload[.]exe')).toBe('payload[.]exe');
    expect(normaliseObservable('other', 'see hxxp://x')).toBe('see hxxp://x');
  });

  it('extraction and the form share one refang', async () => {
    const { refang: fromNormalise } = await import('./normalise.ts');
    expect(refang).toBe(fromNormalise);
  });
});

describe('extraction false positives', () => {
  const found = (text: string, opts?: Parameters<typeof extractObservables>[1]) =>
    extractObservables(text, opts).map((o) => `${o.type}:${o.value}`).sort();

  it('does not take attachment file names for domains', () => {
    const text = `Dear CSIRT,
please find attached invoice.pdf, report.docx and the screenshot image001.png (also scan_2026.jpeg).
The payment page was hosted on pay-portal.example.com.
Attachments: Rechnung.xlsx, readme.txt, setup.exe`;
    expect(found(text)).toEqual(['domain:pay-portal.example.com']);
  });

  it('takes a name ending in a file-like TLD (.zip, .mov) as a domain only when defanged or in a URL', () => {
    const text = `The lure was update.zip and a video clip.mov sent as attachments.
Payload host: download-update[.]zip and hxxps://stream.mov/watch?v=1`;
    expect(found(text)).toEqual(['domain:download-update.zip', 'url:https://stream.mov/watch?v=1']);
  });

  it('does not take Message-IDs for e-mail addresses', () => {
    const text = [
      'Return-Path: <reporter@isp.example>',
      'Message-ID: <20261207101522.4F2A91C0@mx1.isp.example>',
      'In-Reply-To: <CAF=x9Lq7+YhT0f8bQ2Xw@mail.gmail.com>',
      'References: <0100018c1a2b3c4d-5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9-000000@email.amazonses.com>',
      ' <20261201.5f2a9c1e.1c69fb81@smtp.partner.example>',
      'Subject: Phishing',
      '',
      'Forwarded message <5f2a9c1e1c69fb81a0b1c2d3e4f5a6b7@mailer.evil.example> came from billing@evil-billing.example.',
    ].join('\r\n');
    expect(found(text)).toEqual(['email:billing@evil-billing.example', 'email:reporter@isp.example']);
  });

  it("leaves out the reporter's own address", () => {
    const text = 'From: Alice Abuse <Abuse@ISP.example>\n\nPhish sent by payroll@evil-hr.example, reply to abuse@isp.example.';
    expect(found(text, { ignore: ['abuse@isp.example'] })).toEqual(['email:payroll@evil-hr.example']);
  });
});

describe('extraction of internationalised names', () => {
  it('knows internationalised TLDs in their ASCII form', () => {
    expect(extractObservables('Phishing at xn--80aswg.xn--p1ai today').map((o) => o.value)).toEqual(['xn--80aswg.xn--p1ai']);
  });
});

describe('extraction cost', () => {
  it('stays linear on text made of many short labels (no quadratic backtracking)', () => {
    const t0 = performance.now();
    for (const text of ['a.'.repeat(100_000), 'a[.]'.repeat(50_000), `x@${'a.'.repeat(100_000)}`]) extractObservables(text);
    expect(performance.now() - t0).toBeLessThan(4000);
  }, 20_000);
});
