import { z } from 'zod';
import { canonicalIp } from '../../../lib/ip.ts';
import type { InputLine } from '../decode.ts';
import { cleanUrl, refang, rsitType } from '../harmonization.ts';
import { BaseSettings, finish, head, observationOf, overlong, type ParseResult } from './common.ts';

/** Settings of the plain-list parser. */
export const ListSettings = BaseSettings.extend({
  /** The RSIT (or IntelMQ) classification type of every entry. */
  classificationType: z.string().refine((t) => { try { rsitType(t); return true; } catch { return false; } }, { message: 'is not an RSIT classification type' }),
  /** Whether the entries are sources (the default) or destinations. */
  side: z.enum(['source', 'destination']).default('source'),
}).strict();
export type ListSettings = z.infer<typeof ListSettings>;

/** What an entry of a list is, or null when it is none of an IP, a network, a URL or a domain. */
export function entryFields(entry: string, side: 'source' | 'destination'): Record<string, string> | null {
  const s = refang(entry);
  if (canonicalIp(s)) return { [`${side}.ip`]: s };
  // Address/prefix shape is a network even when invalid (harmonise then says why), never a URL.
  if (/^[0-9a-f:.]+\/\d+$/i.test(s) && (s.includes(':') || /^\d/.test(s))) return { [`${side}.network`]: s };
  if (/^h..ps?:|^[a-z][a-z0-9+.-]*:\/\/|\//i.test(s)) {
    const out: Record<string, string> = { [`${side}.url`]: s };
    try {
      const host = new URL(cleanUrl(s)).hostname.replace(/^\[|\]$/g, '');
      out[canonicalIp(host) ? `${side}.ip` : `${side}.fqdn`] = host;
    } catch { /* harmonise names the bad URL */ }
    return out;
  }
  if (/^[^\s@]+\.[^\s@]+$/.test(s)) return { [`${side}.fqdn`]: s };
  return null;
}

/**
 * Plain lists: an IP address, a CIDR network, a domain or a URL per line (de-fanged ones too).
 * Lines starting with `#` or `;` and blank lines are skipped; the first word of a line is the entry, and
 * what follows it (without a leading `#` or `;`) becomes the event's `comment`.
 */
export async function* parseList(lines: AsyncIterable<InputLine>, settings: ListSettings): AsyncGenerator<ParseResult> {
  const observed = observationOf(settings);
  let n = 0;
  for await (const line of lines) {
    n++;
    const long = overlong(line, n, settings.maxLineLength);
    if (long) { yield long; continue; }
    const text = (line as string).trim();
    if (!text || text.startsWith('#') || text.startsWith(';')) continue;
    const m = /^(\S+)(?:\s+(?:[#;]\s*)?(.*?))?\s*$/.exec(text);
    const entry = m?.[1];
    const fields = entry ? entryFields(entry, settings.side) : null;
    if (!m || !fields) {
      yield { line: n, error: `${JSON.stringify(head(entry ?? text))} is not an IP address, a network, a domain or a URL`, raw: head(text) };
      continue;
    }
    if (m[2]) fields.comment = m[2];
    yield finish(n, { ...fields, 'classification.type': settings.classificationType }, text, settings, observed);
  }
}
