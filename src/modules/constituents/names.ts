import { domainToASCII } from 'node:url';

/** A domain as stored and looked up: ASCII (punycode), lower case, no trailing dot; null when not a domain. */
export function normalizeDomain(text: string): string | null {
  const raw = text.trim().replace(/\.$/, '');
  if (!raw || raw.length > 253 || /[\s/@:]/.test(raw)) return null;
  const d = domainToASCII(raw).toLowerCase();
  if (!d || d.length > 253) return null;
  const labels = d.split('.');
  if (labels.some((l) => !/^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/.test(l))) return null;
  // A bare IPv4 address is not a domain.
  if (labels.every((l) => /^\d+$/.test(l))) return null;
  return d;
}

/** The domain of an e-mail address, normalised, or null. */
export function emailDomain(text: string): string | null {
  const s = text.trim();
  const at = s.lastIndexOf('@');
  if (at < 1 || s.length > 320) return null;
  return normalizeDomain(s.slice(at + 1));
}

/** The domain and each parent domain, longest first (a.b.example.org, b.example.org, example.org, org). */
export function suffixes(domain: string): string[] {
  const out: string[] = [];
  let d = domain;
  for (;;) {
    out.push(d);
    const i = d.indexOf('.');
    if (i < 0) return out;
    d = d.slice(i + 1);
  }
}

/** An AS number from "64500" or "AS64500"; null when not one. */
export function parseAsn(text: string | number): number | null {
  const s = String(text).trim().replace(/^as/i, '');
  if (!/^\d{1,10}$/.test(s)) return null;
  const n = Number(s);
  return n <= 4294967295 ? n : null;
}
