import { describe, expect, it } from 'vitest';
import { canonicalIp, looseNetwork } from './ip.ts';

describe('canonicalIp', () => {
  it('writes IPv6 as RFC 5952 and keeps IPv4 as it is', () => {
    expect(canonicalIp('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(canonicalIp('2001:0:0:1:0:0:0:1')).toBe('2001:0:0:1::1');
    expect(canonicalIp('2001:db8:0:0:1:0:0:0')).toBe('2001:db8:0:0:1::');
    expect(canonicalIp('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonicalIp('2001:db8:1:2:3:4:5:0')).toBe('2001:db8:1:2:3:4:5:0');
    expect(canonicalIp('::ffff:1.2.3.4')).toBe('::ffff:1.2.3.4');
    expect(canonicalIp('::FFFF:0102:0304')).toBe('::ffff:1.2.3.4');
    expect(canonicalIp('64:ff9b::192.0.2.33')).toBe('64:ff9b::c000:221');
    expect(canonicalIp('::1')).toBe('::1');
    expect(canonicalIp('::')).toBe('::');
    expect(canonicalIp(' 198.51.100.7 ')).toBe('198.51.100.7');
  });
  it('refuses what is not an address', () => {
    for (const s of ['010.1.1.1', '1.2.3', '256.1.1.1', 'fe80::1%eth0', '[::1]', '1.2.3.4/32', 'example.com']) expect(canonicalIp(s)).toBeNull();
  });
});

describe('looseNetwork (networks as feeds write them)', () => {
  it('clears host bits and says so', () => {
    expect(looseNetwork('192.0.2.5/24')).toEqual({ network: '192.0.2.0', prefix: 24, version: 4, hadHostBits: true });
    expect(looseNetwork('2001:DB8::1/32')).toEqual({ network: '2001:db8::', prefix: 32, version: 6, hadHostBits: true });
    expect(looseNetwork('10.0.0.0/8')).toEqual({ network: '10.0.0.0', prefix: 8, version: 4, hadHostBits: false });
    expect(looseNetwork('10.1.2.3')).toEqual({ network: '10.1.2.3', prefix: 32, version: 4, hadHostBits: false });
    expect(looseNetwork('10.1.2.3/27')!.network).toBe('10.1.2.0');
  });
  it('refuses bad prefixes', () => {
    for (const s of ['10.0.0.0/33', '2001:db8::/129', '10.0.0.0/', '10.0.0.0/08', 'x/8']) expect(looseNetwork(s)).toBeNull();
  });
});
