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
