import { createHash } from 'node:crypto';

/** The longest report body kept as text: the full-text index of a report cannot take much more. */
export const BODY_MAX = 200_000;

// C0/C1 controls, line and paragraph separators, and the bidirectional overrides that can make a
// name read differently from what it is.
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/**
 * One line of text for a header-derived field (reporter name, subject): no CR/LF or other
 * controls (no header injection into anything that later writes them into a mail), whitespace
 * collapsed, trimmed, at most `max` characters. Lone surrogates become U+FFFD.
 */
export function oneLine(v: string | null | undefined, max: number): string {
  return (v ?? '').toWellFormed().replace(UNSAFE_IN_LINE, ' ').replace(/\s+/g, ' ').trim().slice(0, max).trim();
}

/**
 * A plausible mailbox address, lower-cased, or null: one line, one @, no spaces, brackets or
 * quotes, at most 254 characters (RFC 5321).
 */
export function emailOf(v: string | null | undefined): string | null {
  const a = oneLine(v, 400).toLowerCase();
  return a.length <= 254 && /^[^\s@<>"(),;:\\[\]]+@[^\s@<>"(),;:\\[\]]+\.[^\s@<>"(),;:\\[\]]+$/.test(a) ? a : null;
}

/** Body text PostgreSQL can store (no NUL) and people can read: LF line ends, no stray controls. */
export function cleanText(v: string): string {
  return v.toWellFormed().replace(/\r\n?/g, '\n').replace(UNSAFE_IN_TEXT, '');
}

/** At most BODY_MAX characters, saying so when it cuts. */
export function capped(text: string): string {
  if (text.length <= BODY_MAX) return text;
  return `${text.slice(0, BODY_MAX)}\n\n[… cut at ${BODY_MAX.toLocaleString('en-US')} characters; the whole message is kept as it arrived]`;
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

/**
 * What makes two e-mails "the same report" for deduplication: sender, subject and text with
 * whitespace normalised, and the attachments' contents. A resent message collapses into the first;
 * the same words with another attachment (yesterday's log, today's log) do not.
 */
export function fingerprintOf(sender: string, subject: string, body: string, attachments: Uint8Array[]): string {
  const h = createHash('sha256').update('email\0').update(sender.toLowerCase()).update('\0').update(squash(subject)).update('\0').update(squash(body));
  const files = attachments.map((a) => createHash('sha256').update(a).digest('hex')).sort();
  for (const f of files) h.update('\0').update(f);
  return h.digest('hex');
}
