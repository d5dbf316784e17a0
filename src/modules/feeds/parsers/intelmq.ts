import { z } from 'zod';
import type { InputLine } from '../decode.ts';
import { FIELDS } from '../harmonization.ts';
import { BaseSettings, finish, head, observationOf, overlong, type ParseResult } from './common.ts';

/** Settings of the IntelMQ JSON-lines parser: the common ones. */
export const IntelmqSettings = BaseSettings.strict();
export type IntelmqSettings = z.infer<typeof IntelmqSettings>;

/** IntelMQ's own bookkeeping keys, ignored without a word. */
const IGNORED = new Set(['__type']);

/**
 * Flattens nested objects to dotted keys (`{source: {ip}}` to `source.ip`), down to a known field;
 * below `extra` only one level is spread (`extra.x` keeps its JSON value as it is).
 */
export function flatten(o: Record<string, unknown>, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(o)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (IGNORED.has(key)) continue;
    if (key.startsWith('extra.') || key in FIELDS || !v || typeof v !== 'object' || Array.isArray(v)) out[key] = v;
    else flatten(v as Record<string, unknown>, key, out);
  }
  return out;
}

/**
 * IntelMQ events as JSON lines: one flat object with dotted keys a line (nested objects are
 * flattened). Blank lines are skipped; a line that is not a JSON object is an error. An event's
 * own `raw` is kept; without one, raw is the line.
 */
export async function* parseIntelmq(lines: AsyncIterable<InputLine>, settings: IntelmqSettings): AsyncGenerator<ParseResult> {
  const observed = observationOf(settings);
  let n = 0;
  for await (const line of lines) {
    n++;
    const long = overlong(line, n, settings.maxLineLength);
    if (long) { yield long; continue; }
    const text = line as string;
    if (!text.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      yield { line: n, error: `not JSON: ${(e as Error).message}`, raw: head(text) };
      continue;
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      yield { line: n, error: 'not a JSON object', raw: head(text) };
      continue;
    }
    yield finish(n, flatten(value as Record<string, unknown>), text, settings, observed);
  }
}
