import { z } from 'zod';
import type { InputLine } from '../decode.ts';
import { SHIPPED_MAPPINGS } from '../mappings.ts';
import type { Parser, ParseResult } from './common.ts';
import { CsvMapping, CsvSettings, parseCsvFeed } from './csv.ts';
import { IntelmqSettings, parseIntelmq } from './intelmq.ts';
import { ListSettings, parseList } from './list.ts';
import { parseXarf, XarfSettings } from './xarf.ts';

/** The parsers by name. */
export const PARSER_NAMES = ['intelmq', 'csv', 'list', 'xarf'] as const;
export type ParserName = (typeof PARSER_NAMES)[number];

/** CSV settings where `mapping` may also be the name of a shipped mapping (`shadowserver/scan`). */
const CsvConfigSettings = CsvSettings.extend({
  mapping: z.unknown().transform((v, ctx): CsvMapping => {
    if (typeof v === 'string') {
      const shipped = SHIPPED_MAPPINGS[v];
      if (!shipped) ctx.addIssue({ code: 'custom', message: `is not a shipped mapping (${Object.keys(SHIPPED_MAPPINGS).join(', ')})` });
      return shipped ?? z.NEVER;
    }
    const r = CsvMapping.safeParse(v);
    if (!r.success) for (const i of r.error.issues) ctx.addIssue({ code: 'custom', message: i.message, path: i.path });
    return r.success ? r.data : z.NEVER;
  }),
});

/** A feed's parser and its settings, as stored with the feed. */
export const ParserConfig = z.discriminatedUnion('parser', [
  z.object({ parser: z.literal('intelmq'), settings: IntelmqSettings.default(IntelmqSettings.parse({})) }).strict(),
  z.object({ parser: z.literal('csv'), settings: CsvConfigSettings }).strict(),
  z.object({ parser: z.literal('list'), settings: ListSettings }).strict(),
  z.object({ parser: z.literal('xarf'), settings: XarfSettings.default(XarfSettings.parse({})) }).strict(),
]);
export type ParserConfig = z.input<typeof ParserConfig>;

/** Settings that failed validation: every problem with its path (`settings.mapping.columns.0.field`). */
export class ParserSettingsInvalid extends Error {
  readonly issues: { path: string; message: string }[];
  constructor(issues: { path: string; message: string }[]) {
    super(`parser settings are invalid: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
    this.issues = issues;
  }
}

/** Checks a parser config; the problems with their paths, or none. */
export function checkParserConfig(config: unknown): { path: string; message: string }[] {
  const r = ParserConfig.safeParse(config);
  return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/**
 * The parser for a config `{ parser: 'intelmq' | 'csv' | 'list' | 'xarf', settings }`, its settings
 * validated (throws ParserSettingsInvalid naming each problem). Feed it the lines of `decodeLines`.
 */
export function parserFor(config: unknown): Parser {
  const r = ParserConfig.safeParse(config);
  if (!r.success) throw new ParserSettingsInvalid(r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  const c = r.data;
  switch (c.parser) {
    case 'intelmq': return (lines: AsyncIterable<InputLine>): AsyncIterable<ParseResult> => parseIntelmq(lines, c.settings);
    case 'csv': return (lines) => parseCsvFeed(lines, c.settings);
    case 'list': return (lines) => parseList(lines, c.settings);
    case 'xarf': return (lines) => parseXarf(lines, c.settings);
  }
}
