import { isIPv4, isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';

/** Observable (IOC) types Vigil knows, and how each value is checked and written canonically. */
export const OBSERVABLE_TYPES = [
  'ipv4', 'ipv6', 'cidr', 'domain', 'url', 'email', 'md5', 'sha1', 'sha256', 'filename', 'asn', 'user-account', 'other',
] as const;
export type ObservableType = (typeof OBSERVABLE_TYPES)[number];

export class ObservableInvalid extends Error {}

/**
 * Undoes the usual defanging of indicators: hxxp:// and hxxps:// (any case), h[tt]p, fxp://,
 * [:]// and [://], [.] (.) {.} [dot] (dot), [@] (@) [at] (at). The Add observable form, the API
 * and the paste extractor all go through this one function.
 */
export function refang(text: string): string {
  return text
    .replace(/\[:\/\/\]|\[:\]\/\/|\(:\/\/\)/g, '://')
    .replace(/\[:\]/g, ':')
    .replace(/\bhxxp(s?):\/\//gi, 'http$1://')
    .replace(/\bh\[tt\]p(s?):\/\//gi, 'http$1://')
    .replace(/\bfxp:\/\//gi, 'ftp://')
    .replace(/ ?(?:\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\}) ?/gi, '.')
    .replace(/ ?(?:\[@\]|\(@\)|\[at\]|\(at\)|\{at\}) ?/gi, '@');
}

/** Types whose values are refanged before they are checked (never file names, hashes or free text). */
const REFANGED = new Set<string>(['ipv4', 'ipv6', 'cidr', 'domain', 'url', 'email']);

const CONTROL = /[\u0000-\u001f\u007f]/;

function ipv4(v: string): string {
  if (!isIPv4(v) || v.split('.').some((o) => o.length > 1 && o.startsWith('0'))) throw new ObservableInvalid('not an IPv4 address');
  return v;
}

/** IPv6 in its compressed, lower-case form (RFC 5952), as the WHATWG URL parser writes it. */
function ipv6(v: string): string {
  const bare = v.replace(/^\[|\]$/g, '');
  if (!isIPv6(bare) || bare.includes('%')) throw new ObservableInvalid('not an IPv6 address');
  return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
}

function toBig(ip: string, v6: boolean): bigint {
  if (!v6) return ip.split('.').reduce((a, o) => (a << 8n) + BigInt(o), 0n);
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined ? (tail ? tail.split(':') : []) : [];
  const groups = tail !== undefined ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.reduce((a, g) => (a << 16n) + BigInt(parseInt(g, 16)), 0n);
}

function fromBig(n: bigint, v6: boolean): string {
  if (!v6) return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((n >> BigInt(112 - i * 16)) & 0xffffn).toString(16));
  return ipv6(groups.join(':'));
}

/** A network with its host bits cleared: 10.1.2.3/8 becomes 10.0.0.0/8. */
function cidr(v: string): string {
  const m = /^(.+)\/(\d{1,3})$/.exec(v);
  if (!m) throw new ObservableInvalid('not a CIDR block (address/prefix)');
  const v6 = m[1]!.includes(':');
  const addr = v6 ? ipv6(m[1]!) : ipv4(m[1]!);
  const bits = v6 ? 128 : 32;
  const prefix = Number(m[2]);
  if (prefix > bits) throw new ObservableInvalid(`prefix must be 0-${bits}`);
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
  return `${fromBig(toBig(addr, v6) & mask, v6)}/${prefix}`;
}

function domain(v: string): string {
  const ascii = domainToASCII(v.replace(/\.$/, '').toLowerCase());
  const labels = ascii.split('.');
  if (!ascii || ascii.length > 253 || labels.length < 2 || labels.some((l) => !/^(?!-)[a-z0-9-]{1,63}(?<!-)$/.test(l)) || /^\d+$/.test(labels.at(-1)!)) {
    throw new ObservableInvalid('not a domain name');
  }
  return ascii;
}

function url(v: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new ObservableInvalid('not a URL');
  }
  if (!['http:', 'https:', 'ftp:'].includes(u.protocol) || !u.hostname) throw new ObservableInvalid('only http, https and ftp URLs with a host');
  u.hash = '';
  return u.toString();
}

function email(v: string): string {
  const m = /^([^\s@]{1,64})@([^\s@]+)$/.exec(v);
  if (!m) throw new ObservableInvalid('not an e-mail address');
  return `${m[1]}@${domain(m[2]!)}`;
}

const hex = (len: number, name: string) => (v: string) => {
  const h = v.toLowerCase();
  if (!new RegExp(`^[0-9a-f]{${len}}$`).test(h)) throw new ObservableInvalid(`not a ${name} (${len} hex digits)`);
  return h;
};

function asn(v: string): string {
  const m = /^(?:as)?(\d{1,10})$/i.exec(v);
  if (!m || Number(m[1]) > 4294967295) throw new ObservableInvalid('not an AS number (AS0 to AS4294967295)');
  return `AS${Number(m[1])}`;
}

function text(max: number) {
  return (v: string) => {
    if (!v || v.length > max || CONTROL.test(v)) throw new ObservableInvalid(`must be 1-${max} characters without control characters`);
    return v;
  };
}

function filename(v: string): string {
  if (/[\\/]/.test(v)) throw new ObservableInvalid('a file name, without a path');
  return text(255)(v);
}

const RULES: Record<ObservableType, (v: string) => string> = {
  ipv4, ipv6, cidr, domain, url, email, md5: hex(32, 'MD5'), sha1: hex(40, 'SHA-1'), sha256: hex(64, 'SHA-256'),
  filename, asn, 'user-account': text(500), other: text(2000),
};

/** The canonical form of a value of the type (defanged forms accepted); throws ObservableInvalid with the reason. */
export function normaliseObservable(type: ObservableType, value: string): string {
  const v = value.trim();
  return RULES[type](REFANGED.has(type) ? refang(v) : v);
}
