import { describe, expect, it } from 'vitest';
import { decodeLines, type InputLine } from './decode.ts';

async function* chunks(...parts: (string | number[] | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield typeof p === 'string' ? new TextEncoder().encode(p) : Uint8Array.from(p);
}
async function all(it: AsyncIterable<InputLine>): Promise<InputLine[]> {
  const out: InputLine[] = [];
  for await (const l of it) out.push(l);
  return out;
}

describe('decodeLines', () => {
  it('splits CRLF, LF and CR, also across chunks, and drops a UTF-8 BOM', async () => {
    const d = decodeLines(chunks([0xef, 0xbb], [0xbf], 'a,b\r', '\nc\rd\n\ne\r', '\n', 'f'));
    expect(await all(d)).toEqual(['a,b', 'c', 'd', '', 'e', 'f']);
    expect(d.info).toEqual({ encoding: 'utf-8', bom: true, latin1Lines: 0, latin1LineNumbers: [], lines: 6 });
  });

  it('keeps multi-byte UTF-8 split across chunks', async () => {
    const bytes = new TextEncoder().encode('Zürich;€\n');
    expect(await all(decodeLines(chunks(bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9))))).toEqual(['Zürich;€']);
  });

  it('falls back to Latin-1 for lines that are not UTF-8, and says so', async () => {
    // "192.0.2.1,Düsseldorf" and "München" in ISO 8859-1, then a UTF-8 line.
    const latin1 = (s: string) => Uint8Array.from([...s].map((c) => c.charCodeAt(0)));
    const d = decodeLines(chunks(latin1('192.0.2.1,Düsseldorf\n'), 'ok é\n', latin1('München\n')));
    expect(await all(d)).toEqual(['192.0.2.1,Düsseldorf', 'ok é', 'München']);
    expect(d.info.latin1Lines).toBe(2);
    expect(d.info.latin1LineNumbers).toEqual([1, 3]);
  });

  it('decodes UTF-16 LE and BE with a BOM', async () => {
    const le = Buffer.from('\uFEFFip\r\n192.0.2.1\r\nStraße\r\n', 'utf16le');
    const d = decodeLines(chunks(le.subarray(0, 5), le.subarray(5)));
    expect(await all(d)).toEqual(['ip', '192.0.2.1', 'Straße']);
    expect(d.info.encoding).toBe('utf-16le');
    const be = Buffer.from('\uFEFFa\nb', 'utf16le').swap16();
    const e = decodeLines(chunks(be));
    expect(await all(e)).toEqual(['a', 'b']);
    expect(e.info.encoding).toBe('utf-16be');
  });

  it('refuses an over-long line without holding it and reads on', async () => {
    async function* big(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode('first\n');
      const block = new Uint8Array(1_048_576).fill(0x41);
      for (let i = 0; i < 10; i++) yield block; // a 10 MiB line
      yield new TextEncoder().encode('\nlast');
    }
    const lines = await all(decodeLines(big()));
    expect(lines.length).toBe(3);
    expect(lines[0]).toBe('first');
    expect(lines[1]).toEqual({ tooLong: true, bytes: 10 * 1_048_576, head: 'A'.repeat(200) });
    expect(lines[2]).toBe('last');
  });

  it('streams many lines through odd chunk sizes', async () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `192.0.2.${i % 250},${i}`).join('\r\n');
    const bytes = new TextEncoder().encode(text);
    async function* odd(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < bytes.length; i += 997) yield bytes.subarray(i, i + 997);
    }
    const lines = await all(decodeLines(odd()));
    expect(lines.length).toBe(20_000);
    expect(lines[12_345]).toBe('192.0.2.95,12345');
    expect(lines.every((l) => typeof l === 'string' && !/[\r\n]/.test(l))).toBe(true);
  });

  it('has no line for empty input', async () => {
    expect(await all(decodeLines(chunks()))).toEqual([]);
    expect(await all(decodeLines(chunks('x')))).toEqual(['x']);
  });
});
