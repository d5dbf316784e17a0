// Feeds: machine feeds taken in the way IntelMQ does — parsers (IntelMQ JSON lines, CSV by
// mapping, plain lists, X-ARF v4), the event field table and its cleaning, the event hash, and
// the byte-to-line decoding of feed files. Pure code: storing and routing events is the caller's.
// The module's front door.
export { checkParserConfig, PARSER_NAMES, ParserConfig, parserFor, ParserSettingsInvalid } from './parsers/index.ts';
export type { ParserName } from './parsers/index.ts';
export type { Parser, ParseResult } from './parsers/common.ts';
export { CsvMapping } from './parsers/csv.ts';
export { SHIPPED_MAPPINGS, shippedMappingNames } from './mappings.ts';
export { describeErrors, eventHash, FIELDS, harmonise, ROUTING_FIELDS } from './harmonization.ts';
export type { FieldError, FieldType, HarmonisedEvent, JsonValue } from './harmonization.ts';
export { decodeLines, DEFAULT_MAX_LINE, isTooLong, linesOf } from './decode.ts';
export type { DecodedLines, DecodeInfo, InputLine, TooLong } from './decode.ts';
