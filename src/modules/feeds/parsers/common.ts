import { z } from 'zod';
import { type InputLine, DEFAULT_MAX_LINE, isTooLong } from '../decode.ts';
import { describeErrors, FIELDS, harmonise, type HarmonisedEvent } from '../harmonization.ts';

/** What a parser yields for each record: a cleaned event (with the fields it dropped, if any) or why the record was refused. */
export type ParseResult =
  | { line: number; event: HarmonisedEvent; warnings?: string[] }
  | { line: number; error: string; raw: string };

/** A parser: lines in (strings without line ends, or over-long markers), results out, streaming. */
export type Parser = (lines: AsyncIterable<InputLine>) => AsyncIterable<ParseResult>;

const FieldName = z.string().refine((f) => f in FIELDS || /^extra\.[A-Za-z0-9_][A-Za-z0-9_.:-]{0,127}$/.test(f), {
  message: 'is not a known event field (or extra.<name>)',
});
const Constant = z.union([z.string().max(10_000), z.number(), z.boolean()]);

/** Settings every parser takes. */
export const BaseSettings = z.object({
  /** Longest line (characters) read; a longer one is refused with an error. Default 1 MiB. */
  maxLineLength: z.number().int().min(1024).max(64 * 1_048_576).default(DEFAULT_MAX_LINE),
  /** Fields given to every event that does not set them itself (e.g. feed.name, feed.provider, tlp). */
  constants: z.record(FieldName, Constant).default({}),
  /** time.observation for every event that has none; default the time the parse started. */
  observationTime: z.iso.datetime({ offset: true }).optional(),
  /** Whether events carry `raw`: the base64 of the record as read. */
  keepRaw: z.boolean().default(true),
});
export type BaseSettings = z.infer<typeof BaseSettings>;
export { FieldName };

const HEAD = 200;
export const head = (s: string): string => (s.length > HEAD ? `${s.slice(0, HEAD)}...` : s);

/** The error result for a refused over-long line, or null when the line is within the cap. */
export function overlong(line: InputLine, n: number, max: number): ParseResult | null {
  if (isTooLong(line)) return { line: n, error: `line is longer than the ${max}-character limit (${line.bytes} bytes): refused`, raw: line.head };
  if (line.length > max) return { line: n, error: `line is longer than the ${max}-character limit (${line.length} characters): refused`, raw: head(line) };
  return null;
}

/**
 * Completes and cleans a record's fields: constants and time.observation filled where absent, raw
 * added, then `harmonise`d. An event dropped by harmonise becomes an error result.
 */
export function finish(n: number, fields: Record<string, unknown>, rawText: string, s: BaseSettings, observed: string): ParseResult {
  const input: Record<string, unknown> = { ...fields };
  for (const [k, v] of Object.entries(s.constants)) if (input[k] === undefined || input[k] === null || input[k] === '') input[k] = v;
  if (input['time.observation'] === undefined) input['time.observation'] = observed;
  if (s.keepRaw && input.raw === undefined) input.raw = Buffer.from(rawText, 'utf8').toString('base64');
  const { event, errors } = harmonise(input);
  if (!event) return { line: n, error: describeErrors(errors), raw: head(rawText) };
  return errors.length ? { line: n, event, warnings: errors.map((e) => `${e.field}: ${e.reason}`) } : { line: n, event };
}

/** The observation time for a parse: the setting, else now. */
export const observationOf = (s: BaseSettings): string => new Date(s.observationTime ?? Date.now()).toISOString();
