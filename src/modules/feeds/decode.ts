/**
 * Bytes to lines, streaming with flat memory: a feed file of any size is read chunk by chunk and
 * never held whole.
 *
 * - A UTF-8 BOM is dropped; a UTF-16 LE or BE BOM switches to UTF-16 decoding for the whole input.
 * - Without a UTF-16 BOM each line is decoded as UTF-8; a line that is not valid UTF-8 is decoded as
 *   Latin-1 (ISO 8859-1) instead, and counted in `info.latin1Lines` (the first few line numbers in
 *   `info.latin1LineNumbers`), so the caller can say so.
 * - CRLF, LF and CR all end a line (a CR at a chunk's end followed by an LF is one line end). A
 *   last line without a line end is still a line.
 * - A line longer than `maxLineBytes` is not buffered: its first bytes are kept for the message,
 *   the rest skipped up to the next line end, and a `TooLong` marker is yielded in its place.
 */

/** What stands for a line that was too long to keep. */
export interface TooLong {
  tooLong: true;
  /** How many bytes the line had (UTF-16: bytes of its decoded text as UTF-16). */
  bytes: number;
  /** Its first characters, for the error message. */
  head: string;
}

/** A line as parsers take it: its text, or the marker of a refused over-long one. */
export type InputLine = string | TooLong;

export const isTooLong = (l: InputLine): l is TooLong => typeof l !== 'string';

/** The default line-length cap: 1 MiB. */
export const DEFAULT_MAX_LINE = 1_048_576;

export interface DecodeInfo {
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be';
  /** Whether the input began with a byte-order mark. */
  bom: boolean;
  latin1Lines: number;
  /** The first (up to 20) line numbers decoded as Latin-1. */
  latin1LineNumbers: number[];
  lines: number;
}

/** The lines of a byte stream, and (filled as it is read) what was found about its encoding. */
export interface DecodedLines extends AsyncIterable<InputLine> {
  readonly info: DecodeInfo;
}

const HEAD = 200;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/** Splits a byte stream into decoded lines (see the file's header). */
export function decodeLines(chunks: AsyncIterable<Uint8Array>, opts: { maxLineBytes?: number } = {}): DecodedLines {
  const max = opts.maxLineBytes ?? DEFAULT_MAX_LINE;
  const info: DecodeInfo = { encoding: 'utf-8', bom: false, latin1Lines: 0, latin1LineNumbers: [], lines: 0 };
  return {
    info,
    async *[Symbol.asyncIterator]() {
      const it = chunks[Symbol.asyncIterator]();
      // Enough bytes to see a BOM.
      let first: Uint8Array = new Uint8Array(0);
      let done = false;
      while (first.length < 3 && !done) {
        const r = await it.next();
        if (r.done) done = true;
        else first = concat(first, r.value);
      }
      const rest: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => it };
      if (first[0] === 0xff && first[1] === 0xfe) {
        Object.assign(info, { encoding: 'utf-16le', bom: true });
        yield* utf16Lines(first.subarray(2), done ? null : rest, 'utf-16le', max, info);
      } else if (first[0] === 0xfe && first[1] === 0xff) {
        Object.assign(info, { encoding: 'utf-16be', bom: true });
        yield* utf16Lines(first.subarray(2), done ? null : rest, 'utf-16be', max, info);
      } else {
        const bom = first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf;
        info.bom = bom;
        yield* byteLines(bom ? first.subarray(3) : first, done ? null : rest, max, info);
      }
    },
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (!a.length) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function decodeLine(bytes: Uint8Array, info: DecodeInfo): string {
  try {
    return utf8.decode(bytes);
  } catch {
    info.latin1Lines++;
    if (info.latin1LineNumbers.length < 20) info.latin1LineNumbers.push(info.lines);
    return latin1.decode(bytes);
  }
}

/** UTF-8 (or Latin-1) lines: split on bytes, since both keep ASCII's CR and LF. */
async function* byteLines(start: Uint8Array, more: AsyncIterable<Uint8Array> | null, max: number, info: DecodeInfo): AsyncGenerator<InputLine> {
  let parts: Uint8Array[] = [];
  let size = 0;
  let skipped = 0; // bytes of an over-long line past what is kept
  let afterCr = false;
  const finish = (): InputLine => {
    info.lines++;
    const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
    parts = [];
    const total = size + skipped;
    size = 0;
    skipped = 0;
    if (total > max) return { tooLong: true, bytes: total, head: new TextDecoder('utf-8').decode(bytes.subarray(0, HEAD)) };
    return decodeLine(bytes, info);
  };
  const take = (chunk: Uint8Array, from: number, to: number) => {
    if (to <= from) return;
    const room = Math.max(0, max + 1 - size);
    const keep = Math.min(room, to - from);
    if (keep > 0) { parts.push(chunk.slice(from, from + keep)); size += keep; }
    skipped += to - from - keep;
  };
  const feed = function* (chunk: Uint8Array): Generator<InputLine> {
    let from = 0;
    if (afterCr && chunk[0] === 0x0a) from = 1;
    if (chunk.length) afterCr = false;
    // The next LF and CR, found with indexOf (native) rather than a loop over every byte.
    let lf = chunk.indexOf(0x0a, from);
    let cr = chunk.indexOf(0x0d, from);
    while (lf >= 0 || cr >= 0) {
      const i = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
      take(chunk, from, i);
      yield finish();
      from = i + 1;
      if (i === cr) {
        if (i + 1 < chunk.length) { if (chunk[i + 1] === 0x0a) from++; } else afterCr = true;
      }
      if (lf >= 0 && lf < from) lf = chunk.indexOf(0x0a, from);
      if (cr >= 0 && cr < from) cr = chunk.indexOf(0x0d, from);
    }
    take(chunk, from, chunk.length);
  };
  yield* feed(start);
  if (more) for await (const chunk of more) yield* feed(chunk);
  if (size + skipped > 0) yield finish();
}

/** UTF-16 lines: decoded as a stream, then split on the text. */
async function* utf16Lines(start: Uint8Array, more: AsyncIterable<Uint8Array> | null, enc: 'utf-16le' | 'utf-16be', max: number, info: DecodeInfo): AsyncGenerator<InputLine> {
  const dec = new TextDecoder(enc);
  let line = '';
  let skipped = 0;
  let afterCr = false;
  const maxChars = Math.floor(max / 2);
  const finish = (): InputLine => {
    info.lines++;
    const total = line.length + skipped;
    const out: InputLine = total > maxChars ? { tooLong: true, bytes: total * 2, head: line.slice(0, HEAD) } : line;
    line = '';
    skipped = 0;
    return out;
  };
  const add = (s: string) => {
    const keep = Math.max(0, Math.min(s.length, maxChars + 1 - line.length));
    line += s.slice(0, keep);
    skipped += s.length - keep;
  };
  const feed = function* (text: string): Generator<InputLine> {
    let i = 0;
    if (afterCr && text[0] === '\n') i = 1;
    if (text.length) afterCr = false;
    let from = i;
    for (; i < text.length; i++) {
      const c = text[i];
      if (c !== '\n' && c !== '\r') continue;
      add(text.slice(from, i));
      yield finish();
      if (c === '\r') {
        if (i + 1 < text.length) { if (text[i + 1] === '\n') i++; } else afterCr = true;
      }
      from = i + 1;
    }
    add(text.slice(from));
  };
  yield* feed(dec.decode(start, { stream: true }));
  if (more) for await (const chunk of more) yield* feed(dec.decode(chunk, { stream: true }));
  yield* feed(dec.decode());
  if (line.length + skipped > 0) yield finish();
}

/** Lines from an async iterable of text lines or markers, unchanged: lets plain `string[]` be fed to parsers in tests and callers. */
export async function* linesOf(lines: Iterable<InputLine> | AsyncIterable<InputLine>): AsyncGenerator<InputLine> {
  for await (const l of lines) yield l;
}
