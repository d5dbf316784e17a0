// What the feed service needs of the parsers: settings checked as the API's errors, a report's
// bytes as lines, and the parser of a feed with the feed's defaults given to every event.
import type { Readable } from 'node:stream';
import type { FeedParser, FeedRow } from './repo.ts';
import { VigilError } from '../../lib/errors.ts';
import { decodeLines } from './decode.ts';
import { eventHash as hashOf, type HarmonisedEvent } from './harmonization.ts';
import { SHIPPED_MAPPINGS, shippedMappingNames } from './mappings.ts';
import { checkParserConfig, parserFor } from './parsers/index.ts';
import type { ParseResult } from './parsers/common.ts';

export type ParsedLine = ParseResult;

/** A parser's settings as stored with a feed; VIG_FEED_SETTINGS_INVALID lists every problem with its place. */
export function checkParserSettings(parser: FeedParser, settings: Record<string, unknown>): Record<string, unknown> {
  const problems = checkParserConfig({ parser, settings }).map((p) => ({ path: p.path.replace(/^settings\.?/, ''), message: p.message }));
  if (problems.length) throw new VigilError('VIG_FEED_SETTINGS_INVALID', { problems });
  return settings;
}

/** The settings of a CSV feed read with a shipped mapping, by its name (`shadowserver/scan`). */
export function shippedMapping(name: string): Record<string, unknown> {
  if (!(name in SHIPPED_MAPPINGS)) throw new VigilError('VIG_FEED_SETTINGS_INVALID', { problems: [{ path: 'mapping', message: `no shipped mapping is called ${name}; there are ${shippedMappingNames().join(', ')}` }] });
  return { mapping: name };
}

/** The names of the shipped CSV mappings. */
export const shippedMappings = (): string[] => shippedMappingNames();

/**
 * A report's lines, how many bytes have been read (for progress), and how they were read once they
 * have been (utf-8, utf-16le/be, with Latin-1 lines).
 */
export function openLines(file: Readable) {
  let bytes = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const chunk of file as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      yield chunk;
    }
  }
  const lines = decodeLines(counted());
  return {
    lines,
    bytes: () => bytes,
    /** Lines read so far (comments and blank lines too). */
    count: () => lines.info.lines,
    encoding(): string {
      const i = lines.info;
      return i.latin1Lines > 0 ? `${i.encoding} (${i.latin1Lines} lines as latin-1)` : i.encoding;
    },
  };
}

/** What a feed gives every event that does not say: its name and provider, accuracy, classification type and TLP. */
export interface FeedDefaults {
  feed: Pick<FeedRow, 'name' | 'provider' | 'documentationUrl' | 'accuracy' | 'classificationType' | 'tlp'>;
  observedAt: Date;
}

/**
 * The lines read by the feed's parser: the feed's defaults go in as constants (the parser
 * settings' own constants win), time.observation is when the report was received.
 */
export function parseLines(parser: FeedParser, settings: Record<string, unknown>, lines: ReturnType<typeof openLines>['lines'], d: FeedDefaults): AsyncIterable<ParsedLine> {
  const own = (settings.constants ?? {}) as Record<string, unknown>;
  const constants: Record<string, unknown> = {
    'feed.name': d.feed.name,
    'feed.accuracy': d.feed.accuracy,
    tlp: d.feed.tlp,
    ...(d.feed.provider ? { 'feed.provider': d.feed.provider } : {}),
    ...(d.feed.documentationUrl ? { 'feed.documentation': d.feed.documentationUrl } : {}),
    ...(d.feed.classificationType ? { 'classification.type': d.feed.classificationType } : {}),
    ...own,
  };
  return parserFor({ parser, settings: { ...settings, constants, observationTime: d.observedAt.toISOString() } })(lines);
}

/** The event's idempotence hash (without time.observation and raw). */
export const eventHash = (event: HarmonisedEvent): string => hashOf(event);
