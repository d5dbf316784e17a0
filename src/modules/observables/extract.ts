import { createRequire } from 'node:module';
import { isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';
import { normaliseObservable, ObservableInvalid, refang, type ObservableType } from './normalise.ts';

export { refang };

const require = createRequire(import.meta.url);

/**
 * Top-level domains a found name must end in to count as a domain: IANA's list (the `tlds`
 * package) and the names reserved for examples and private use (RFC 2606, 6761, 7686).
 */
const KNOWN_TLDS = new Set<string>([...(require('tlds') as string[]).map((t) => domainToASCII(t) || t), 'example', 'test', 'invalid', 'onion', 'local', 'internal']);

/**
 * TLDs that are also common file extensions. A name ending in one of these is a domain only when
 * it was defanged or sits in a URL: "update.zip" in a mail is an attachment, "update[.]zip" a host.
 * The generic ones always need that; the country codes (.sh, .py, .pl…) only in a two-part name
 * ("exploit.py"), so "www.gob.py" still counts.
 */
const FILE_GTLDS = new Set(['zip', 'mov', 'one', 'pub', 'cab', 'java', 'dot']);
const FILE_CCTLDS = new Set(['sh', 'py', 'pl', 'md', 'rs', 'ps', 'ai', 'so', 'pm']);

/** Mail headers that carry message ids, never anyone's address (folded continuation lines included). */
const ID_HEADERS = /^(?:message-id|references|in-reply-to|content-id|resent-message-id|original-message-id|x-original-message-id|x-message-id|thread-index)[ \t]*:.*(?:\r?\n[ \t]+.*)*/gim;
/** <local@host> as in a Message-ID. */
const BRACKETED = /<([^\s<>@]{1,256})@([^\s<>@]{1,256})>/g;

/** A generated id rather than a mailbox: long, and with id-like parts (=, $, +, many digits, a long hex run). */
function looksLikeMessageId(local: string): boolean {
  if (local.length < 20) return false;
  return /[$=+%]/.test(local) || (local.match(/\d/g)?.length ?? 0) >= 8 || /(?=[0-9a-f]*\d)[0-9a-f]{12,}/i.test(local);
}

const DEFANGED_NAME = /(?<![a-z0-9-])[a-z0-9-]{1,63}(?:(?:\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\}|\.)[a-z0-9-]{1,63}){1,126}/gi;
const DEFANG_MARK = /\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\}/i;

/** The names written defanged in the text, refanged and in lower case. */
function defangedNames(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(DEFANGED_NAME)) if (DEFANG_MARK.test(m[0])) out.add(refang(m[0]).toLowerCase());
  return out;
}

/** Whether a normalised name ends in a known TLD, and is not a file name posing as one. */
function plausibleDomain(name: string, defanged: Set<string>): boolean {
  const labels = name.split('.');
  const tld = labels.at(-1)!;
  if (!KNOWN_TLDS.has(tld)) return false;
  const fileLike = FILE_GTLDS.has(tld) || (FILE_CCTLDS.has(tld) && labels.length === 2);
  return !fileLike || defanged.has(name);
}

// Repetitions are bounded (a name has at most 127 labels) so that text made of many short labels
// ("a.a.a.a…") costs linear time, not quadratic.
const PATTERNS: [ObservableType, RegExp][] = [
  ['url', /\b(?:https?|ftp):\/\/[^\s<>"'`)\]]+/gi],
  ['email', /\b[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,126}[A-Za-z]{2,63}\b/g],
  ['cidr', /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}\/\d{1,2}(?![\d])/g],
  ['ipv4', /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?!\.?\d)/g],
  ['ipv6', /(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w:])/gi],
  ['sha256', /\b[a-f0-9]{64}\b/gi],
  ['sha1', /\b[a-f0-9]{40}\b/gi],
  ['md5', /\b[a-f0-9]{32}\b/gi],
  ['domain', /\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,126}(?:xn--[a-z0-9-]{1,59}|[a-z]{2,63})\b/gi],
];

export interface Extracted {
  type: ObservableType;
  value: string;
}

export interface ExtractOptions {
  /** Values never to list: the reporter's own address, an abuse report's reporting parties (addresses and domains). */
  ignore?: readonly (string | null | undefined)[] | undefined;
}

/**
 * Finds IPs, CIDRs, domains, URLs, e-mail addresses and hashes in free text, defanged or not.
 * Each piece of text counts once (a URL's host is not also listed as a domain), values are
 * normalised, and each value is listed once. Left out: message ids (in their headers or looking
 * like one), names whose last part is no known TLD (attachment names such as invoice.pdf), names
 * ending in a file-like TLD unless defanged, and the values in `ignore`.
 */
export function extractObservables(input: string, opts: ExtractOptions = {}): Extracted[] {
  const ignore = new Set((opts.ignore ?? []).filter((a): a is string => !!a).map((a) => a.trim().toLowerCase()));
  const stripped = input
    .replace(ID_HEADERS, (m) => ' '.repeat(m.length))
    .replace(BRACKETED, (m, local: string) => (looksLikeMessageId(local) ? ' '.repeat(m.length) : m));
  const defanged = defangedNames(stripped);
  let text = refang(stripped);
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
      if (ignore.has(candidate.toLowerCase())) return ' '.repeat(match.length);
      if (type === 'domain' && !plausibleDomain(candidate, defanged)) return ' '.repeat(match.length);
      if (type === 'email' && !KNOWN_TLDS.has(candidate.split('.').at(-1)!)) return ' '.repeat(match.length);
      out.set(`${type}:${candidate}`, { type, value: candidate });
      return ' '.repeat(match.length);
    });
  }
  return [...out.values()];
}
