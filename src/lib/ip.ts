/**
 * IPv4 and IPv6 addresses and networks as 32-bit words (one word for IPv4, four for IPv6), so the
 * routing index can mask and hash them without BigInt or string work on the hot path; and their
 * canonical text (RFC 5952), as constituents' netblocks and feed events store them.
 */

export interface Addr {
  v: 4 | 6;
  /** Unsigned 32-bit words, most significant first: length 1 (IPv4) or 4 (IPv6). */
  w: number[];
}

export interface Net extends Addr {
  len: number;
}

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function v4Word(s: string): number | null {
  if (!V4.test(s)) return null;
  const p = s.split('.').map(Number);
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

function v6Words(input: string): number[] | null {
  let s = input.toLowerCase();
  if (s.includes('%')) return null;
  const groups: number[] = [];
  // An embedded IPv4 address at the end (::ffff:192.0.2.1) counts as two groups.
  const lastColon = s.lastIndexOf(':');
  if (lastColon >= 0 && s.slice(lastColon + 1).includes('.')) {
    const w = v4Word(s.slice(lastColon + 1));
    if (w === null) return null;
    s = `${s.slice(0, lastColon + 1)}${(w >>> 16).toString(16)}:${(w & 0xffff).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string) => (part === '' ? [] : part.split(':'));
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  for (const g of [...head, ...tail]) if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  for (const g of head) groups.push(parseInt(g, 16));
  for (let i = 0; i < (halves.length === 2 ? missing : 0); i++) groups.push(0);
  for (const g of tail) groups.push(parseInt(g, 16));
  const w: number[] = [];
  for (let i = 0; i < 8; i += 2) w.push(((groups[i]! << 16) | groups[i + 1]!) >>> 0);
  return w;
}

/** An IPv4 or IPv6 address, or null when the text is not one. */
export function parseAddress(text: string): Addr | null {
  const s = text.trim();
  if (s.length > 45) return null;
  const w4 = v4Word(s);
  if (w4 !== null) return { v: 4, w: [w4] };
  const w6 = s.includes(':') ? v6Words(s.replace(/^\[|\]$/g, '')) : null;
  return w6 ? { v: 6, w: w6 } : null;
}

/** The word mask of the first `len` bits of word `i`. */
function maskWord(len: number, i: number): number {
  const bits = Math.max(0, Math.min(32, len - i * 32));
  return bits === 0 ? 0 : bits === 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
}

/** The address with every bit after the first `len` cleared. */
export function maskAddr(a: Addr, len: number): number[] {
  return a.w.map((x, i) => (x & maskWord(len, i)) >>> 0);
}

const dotted = (x: number) => [x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255].join('.');

/** The canonical text of an address: RFC 5952 for IPv6, an IPv4-mapped one as ::ffff:a.b.c.d. */
export function formatAddr(a: Addr): string {
  if (a.v === 4) return dotted(a.w[0]!);
  if (a.w[0] === 0 && a.w[1] === 0 && a.w[2] === 0xffff) return `::ffff:${dotted(a.w[3]!)}`;
  const g: number[] = [];
  for (const x of a.w) g.push(x >>> 16, x & 0xffff);
  // The longest run of two or more zero groups becomes '::' (RFC 5952).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
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

export function formatNet(n: Net): string {
  return `${formatAddr(n)}/${n.len}`;
}

export type CidrResult = { ok: true; net: Net } | { ok: false; reason: string; network?: string };

/**
 * A network in CIDR notation. A bare address is a host network (/32 or /128). Host bits set
 * (10.1.2.3/8) is refused, naming the network that was probably meant (10.0.0.0/8).
 */
export function parseCidr(text: string): CidrResult {
  const s = text.trim();
  const slash = s.indexOf('/');
  const a = parseAddress(slash < 0 ? s : s.slice(0, slash));
  if (!a) return { ok: false, reason: 'not an IPv4 or IPv6 address' };
  const max = a.v === 4 ? 32 : 128;
  const lenText = slash < 0 ? String(max) : s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > max) return { ok: false, reason: `the prefix length must be 0 to ${max}` };
  const len = Number(lenText);
  const masked = maskAddr(a, len);
  const net: Net = { v: a.v, w: masked, len };
  if (masked.some((x, i) => x !== a.w[i])) {
    return { ok: false, reason: `host bits are set: the network is ${formatNet(net)}`, network: formatNet(net) };
  }
  return { ok: true, net };
}

/** Does the network contain the address? */
export function contains(n: Net, a: Addr): boolean {
  if (n.v !== a.v) return false;
  const m = maskAddr(a, n.len);
  return m.every((x, i) => x === n.w[i]);
}

/**
 * Fast path for the routing index: a dotted-quad IPv4 address read without allocating, or -1.
 * Anything it does not accept is left to parseAddress (which is the reference).
 */
export function fastV4(s: string): number {
  const n = s.length;
  if (n < 7 || n > 15) return -1;
  let word = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      word = (word << 8) | part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1; // a leading zero
      part = part * 10 + (c - 48);
      if (part > 255) return -1;
      digits++;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return ((word << 8) | part) >>> 0;
}

const groups = new Uint16Array(8);

/** Fast path: a plain IPv6 address (no embedded IPv4, zone or brackets) into `out`; false when not one. */
export function fastV6(s: string, out: Uint32Array): boolean {
  const n = s.length;
  if (n < 2 || n > 39) return false;
  let count = 0;
  let gap = -1;
  let i = 0;
  if (s.charCodeAt(0) === 58) {
    if (s.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
  }
  while (i < n) {
    let v = 0;
    let digits = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      const h = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (h < 0) break;
      v = v * 16 + h;
      if (++digits > 4) return false;
    }
    if (digits === 0 || count === 8) return false;
    groups[count++] = v;
    if (i === n) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (i === n) return false;
    if (s.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = count;
      i++;
    }
  }
  if (gap < 0) {
    if (count !== 8) return false;
  } else {
    if (count > 7) return false;
    const tail = count - gap;
    for (let k = 0; k < tail; k++) groups[7 - k] = groups[count - 1 - k]!;
    for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  }
  for (let k = 0; k < 4; k++) out[k] = ((groups[2 * k]! << 16) | groups[2 * k + 1]!) >>> 0;
  return true;
}

/** The canonical text of an address written plainly (no brackets, zone or prefix); null when the text is not one. */
export function canonicalIp(text: string): string | null {
  const s = text.trim();
  if (s.startsWith('[')) return null;
  const a = parseAddress(s);
  return a ? formatAddr(a) : null;
}

/** Whether it is the unspecified address (0.0.0.0, ::): no host at all. */
export const isUnspecified = (a: Addr): boolean => a.w.every((x) => x === 0);

/** A network as feeds give it: its address with host bits cleared, and whether any were set. */
export interface LooseNetwork {
  /** The network address, canonical, host bits cleared. */
  network: string;
  prefix: number;
  version: 4 | 6;
  hadHostBits: boolean;
}

/**
 * A network in CIDR notation as machine feeds write it: host bits are cleared and reported rather
 * than refused (parseCidr refuses them, for netblocks a person types); a bare address is a host
 * network. Null when it is not a network (a prefix with a leading zero included).
 */
export function looseNetwork(text: string): LooseNetwork | null {
  const m = /^([^/\s[]+)(?:\/(\d{1,3}))?$/.exec(text.trim());
  if (!m) return null;
  const a = parseAddress(m[1]!);
  if (!a) return null;
  const bits = a.v === 4 ? 32 : 128;
  if (m[2] !== undefined && m[2].length > 1 && m[2].startsWith('0')) return null;
  const prefix = m[2] === undefined ? bits : Number(m[2]);
  if (prefix > bits) return null;
  const w = maskAddr(a, prefix);
  return { network: formatAddr({ v: a.v, w }), prefix, version: a.v, hadHostBits: w.some((x, i) => x !== a.w[i]) };
}
