import { describe, expect, it } from 'vitest';
import { parseCsv, toCsv } from '../../lib/csv.ts';
import { formatAddr, parseAddress, parseCidr } from '../../lib/ip.ts';
import { normalizeDomain } from './names.ts';
import { RoutingTable } from './routing-index.ts';

describe('addresses and networks', () => {
  it('parses and formats IPv4 and IPv6 addresses canonically', () => {
    expect(formatAddr(parseAddress('192.0.2.1')!)).toBe('192.0.2.1');
    expect(formatAddr(parseAddress('2001:DB8:0:0:0:0:0:1')!)).toBe('2001:db8::1');
    expect(formatAddr(parseAddress('::ffff:192.0.2.1')!)).toBe('::ffff:192.0.2.1'); // RFC 5952, section 5, as PostgreSQL writes it
    expect(formatAddr(parseAddress('[2001:db8::1]')!)).toBe('2001:db8::1');
    for (const bad of ['256.1.1.1', '1.2.3', '01.2.3.4', '2001:db8::1::2', 'gggg::1', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', '']) expect(parseAddress(bad), bad).toBeNull();
  });

  it('refuses host bits and names the network meant', () => {
    expect(parseCidr('10.1.2.3/8')).toEqual({ ok: false, reason: 'host bits are set: the network is 10.0.0.0/8', network: '10.0.0.0/8' });
    expect(parseCidr('2001:db8::1/32')).toMatchObject({ ok: false, network: '2001:db8::/32' });
    expect(parseCidr('10.0.0.0/33')).toMatchObject({ ok: false });
    expect(parseCidr('192.0.2.7')).toMatchObject({ ok: true, net: { len: 32 } });
    expect(parseCidr('0.0.0.0/0')).toMatchObject({ ok: true, net: { len: 0 } });
  });

  it('normalises domains (case, trailing dot, IDN) and refuses what is not one', () => {
    expect(normalizeDomain('Example.ORG.')).toBe('example.org');
    expect(normalizeDomain('bücher.example')).toBe('xn--bcher-kva.example');
    for (const bad of ['a b.org', 'http://x.org', '1.2.3.4', '-x.org', 'x..org']) expect(normalizeDomain(bad), bad).toBeNull();
  });
});

describe('the in-memory routing table', () => {
  const t = new RoutingTable();
  t.addNetblock('10.0.0.0/8', 'big');
  t.addNetblock('10.1.0.0/16', 'mid');
  t.addNetblock('10.1.2.0/24', 'small');
  t.addNetblock('0.0.0.0/0', 'default');
  t.addNetblock('2001:db8::/32', 'v6big');
  t.addNetblock('2001:db8:1::/48', 'v6mid');
  t.addNetblock('2001:db8:1:2::/64', 'v6small');
  t.addNetblock('2001:db8:1:2::7/128', 'v6host');
  t.addDomain('web', 'example.org', 'web');
  t.addDomain('web', 'shop.example.org', 'shop');
  t.addDomain('email', 'mail.example.org', 'mail');
  t.addAsn(64500, 'asn');

  it('takes the longest matching prefix', () => {
    expect(t.lookup({ address: '10.1.2.3' })?.constituentId).toBe('small');
    expect(t.lookup({ address: '10.1.3.3' })?.constituentId).toBe('mid');
    expect(t.lookup({ address: '10.9.9.9' })?.constituentId).toBe('big');
    expect(t.lookup({ address: '192.0.2.1' })?.constituentId).toBe('default');
    expect(t.lookup({ address: '2001:db8:1:2::7' })).toEqual({ constituentId: 'v6host', rule: 'netblock', matched: '2001:db8:1:2::7/128' });
    expect(t.lookup({ address: '2001:db8:1:2::8' })?.constituentId).toBe('v6small');
    expect(t.lookup({ address: '2001:db8:1:3::1' })?.constituentId).toBe('v6mid');
    expect(t.lookup({ address: '2001:db8:ffff::1' })?.constituentId).toBe('v6big');
    expect(t.lookup({ address: '2001:db9::1' })).toBeNull();
    expect(t.lookup({ address: 'not an address' })).toBeNull();
  });

  it('matches domains by their longest suffix, e-mail by its domain then the domain rules', () => {
    expect(t.lookup({ domain: 'a.b.shop.example.org' })?.constituentId).toBe('shop');
    expect(t.lookup({ domain: 'www.example.org' })?.constituentId).toBe('web');
    expect(t.lookup({ domain: 'notexample.org' })).toBeNull();
    expect(t.lookup({ email: 'soc@mail.example.org' })).toEqual({ constituentId: 'mail', rule: 'email_domain', matched: 'mail.example.org' });
    expect(t.lookup({ email: 'x@example.org' })).toEqual({ constituentId: 'web', rule: 'domain', matched: 'example.org' });
    expect(t.lookup({ asn: 'AS64500' })?.constituentId).toBe('asn');
    expect(t.lookup({ asn: 64501 })).toBeNull();
  });
});

describe('CSV', () => {
  it('reads RFC 4180 quoting: commas, doubled quotes and line breaks inside quotes', () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi""\nthere"\n')).toEqual([['a', 'b'], ['x, y', 'say "hi"\nthere']]);
    expect(() => parseCsv('a,"b\n')).toThrow(/not closed/);
  });

  it('guards against formula injection on export', () => {
    expect(toCsv([['=HYPERLINK("x")', '+1', '-2', '@SUM(A1)', 'plain']])).toBe(`"'=HYPERLINK(""x"")","'+1","'-2","'@SUM(A1)",plain\r\n`);
  });
});

describe('the fast address parsers', () => {
  it('agree with the reference parser on valid, odd and invalid input', async () => {
    const { fastV4, fastV6 } = await import('../../lib/ip.ts');
    const inputs = ['0.0.0.0', '255.255.255.255', '10.0.0.1', '01.0.0.1', '256.0.0.1', '1.2.3', '1.2.3.4.5', '1..2.3', ' 1.2.3.4',
      '::', '::1', '1::', '2001:db8::', 'FE80::A', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1::2::3', ':1::', '1:', '12345::', 'g::1', '::ffff:1.2.3.4'];
    for (let i = 0; i < 2000; i++) {
      const g = Array.from({ length: 8 }, () => (Math.random() < 0.4 ? 0 : Math.floor(Math.random() * 65536)).toString(16));
      inputs.push(g.join(':'), formatAddr(parseAddress(g.join(':'))!), [0, 0, 0, 0].map(() => Math.floor(Math.random() * 256)).join('.'));
    }
    const w = new Uint32Array(4);
    for (const s of inputs) {
      const ref = parseAddress(s);
      const x = fastV4(s);
      if (x >= 0) expect(ref, s).toEqual({ v: 4, w: [x] });
      else if (fastV6(s, w)) expect(ref, s).toEqual({ v: 6, w: [...w] });
      else if (ref && !s.includes('.') && s.trim() === s) throw new Error(`fast parsers refused ${s}`);
    }
  });
});
