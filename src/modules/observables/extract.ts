import { isIPv6 } from 'node:net';
import { normaliseObservable, ObservableInvalid, type ObservableType } from './normalise.ts';

/** Undoes the usual defanging: hxxp://, [.], (.), [dot], [:], [@], [at]. */
export function refang(text: string): string {
  return text
    .replace(/\bhxxp(s?):\/\//gi, 'http$1://')
    .replace(/\bh\[tt\]p(s?):\/\//gi, 'http$1://')
    .replace(/\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)/gi, '.')
    .replace(/\[:\]/g, ':')
    .replace(/\[@\]|\[at\]|\(at\)/gi, '@');
}

const PATTERNS: [ObservableType, RegExp][] = [
  ['url', /\b(?:https?|ftp):\/\/[^\s<>"'`)\]]+/gi],
  ['email', /\b[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63}\b/g],
  ['cidr', /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}\/\d{1,2}(?![\d])/g],
  ['ipv4', /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?!\.?\d)/g],
  ['ipv6', /(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w:])/gi],
  ['sha256', /\b[a-f0-9]{64}\b/gi],
  ['sha1', /\b[a-f0-9]{40}\b/gi],
  ['md5', /\b[a-f0-9]{32}\b/gi],
  ['domain', /\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\b/gi],
];

export interface Extracted {
  type: ObservableType;
  value: string;
}

/**
 * Finds IPs, CIDRs, domains, URLs, e-mail addresses and hashes in free text, defanged or not.
 * Each piece of text counts once (a URL's host is not also listed as a domain), values are
 * normalised, and each value is listed once.
 */
export function extractObservables(input: string): Extracted[] {
  let text = refang(input);
  const out = new Map<string, Extracted>();
  for (const [type, re] of PATTERNS) {
    text = text.replace(re, (match) => {
      let candidate = match.replace(/[.,;:!?]+$/, '');
      if (type === 'ipv6' && !isIPv6(candidate)) return match;
      try {
        candidate = normaliseObservable(type, candidate);
      } catch (e) {
        if (e instanceof ObservableInvalid) return match;
        throw e;
      }
      out.set(`${type}:${candidate}`, { type, value: candidate });
      return ' '.repeat(match.length);
    });
  }
  return [...out.values()];
}
