import { isIP } from 'node:net';

/**
 * IP addresses and networks in canonical text: IPv4 dotted quad, IPv6 as RFC 5952 (lower case,
 * the longest run of two or more zero groups shortened to `::`, an IPv4-mapped address written
 * `::ffff:a.b.c.d`). Pure helpers over node:net's isIP; no zone ids, no brackets.
 */

/** The 16 bytes of an IPv6 address or the 4 of an IPv4 one; null when `text` is neither. */
export function ipBytes(text: string): Uint8Array | null {
  const v = isIP(text);
  if (v === 4) return Uint8Array.from(text.split('.').map(Number));
  if (v !== 6 || text.includes('%')) return null;
  let s = text;
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const parts = dotted[1]!.split('.').map(Number);
    tail.push((parts[0]! << 8) | parts[1]!, (parts[2]! << 8) | parts[3]!);
    s = s.slice(0, -dotted[1]!.length) + '0:0'; // two placeholder groups, replaced below
  }
  const [head, rest] = s.includes('::') ? (s.split('::') as [string, string]) : [s, null];
  const parse = (p: string) => (p === '' ? [] : p.split(':').map((g) => parseInt(g, 16)));
  const h = parse(head);
  const r = rest === null ? [] : parse(rest);
  const groups = rest === null ? h : [...h, ...new Array<number>(8 - h.length - r.length).fill(0), ...r];
  if (dotted) groups.splice(6, 2, ...tail);
  if (groups.length !== 8) return null;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => { out[i * 2] = g >> 8; out[i * 2 + 1] = g & 0xff; });
  return out;
}

/** The canonical text of an address given as bytes (4 or 16). */
export function ipText(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.');
  const g = Array.from({ length: 8 }, (_, i) => (b[i * 2]! << 8) | b[i * 2 + 1]!);
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** The canonical form of an IPv4 or IPv6 address; null when it is not one. */
export function canonicalIp(text: string): string | null {
  const b = ipBytes(text.trim());
  return b ? ipText(b) : null;
}

/** Whether every byte is zero (0.0.0.0, ::): "no address". */
export const isUnspecified = (b: Uint8Array): boolean => b.every((x) => x === 0);

export interface Cidr {
  /** The network address with host bits cleared, canonical. */
  network: string;
  prefix: number;
  version: 4 | 6;
  /** Whether the input had host bits set (they were cleared). */
  hadHostBits: boolean;
}

/**
 * A network in CIDR notation (`192.0.2.0/24`, `2001:db8::/32`); a bare address is a host network
 * (/32 or /128). Host bits are cleared and reported in `hadHostBits`. Null when not a network.
 */
export function parseCidr(text: string): Cidr | null {
  const m = /^([^/\s]+)(?:\/(\d{1,3}))?$/.exec(text.trim());
  if (!m) return null;
  const b = ipBytes(m[1]!);
  if (!b) return null;
  const bits = b.length * 8;
  const prefix = m[2] === undefined ? bits : Number(m[2]);
  if (prefix > bits || (m[2] !== undefined && m[2].length > 1 && m[2].startsWith('0'))) return null;
  const masked = Uint8Array.from(b, (x, i) => {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    return x & ((0xff << (8 - keep)) & 0xff);
  });
  return { network: ipText(masked), prefix, version: b.length === 4 ? 4 : 6, hadHostBits: masked.some((x, i) => x !== b[i]) };
}
