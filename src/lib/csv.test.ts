import { describe, expect, it } from 'vitest';
import { CsvLineReader, CsvSyntaxError, parseCsv } from './csv.ts';

describe('CsvLineReader', () => {
  it('reads records line by line, a quoted field across lines', () => {
    const r = new CsvLineReader();
    expect(r.push('a,"b ""q"" c",,d')).toEqual(['a', 'b "q" c', '', 'd']);
    expect(r.push('1,"multi')).toBeNull();
    expect(r.pending).toBe(true);
    expect(r.push('')).toBeNull();
    expect(r.push('line",3')).toEqual(['1', 'multi\n\nline', '3']);
    expect(r.pending).toBe(false);
    expect(r.push('')).toEqual(['']);
    expect(r.push('x"y,z')).toEqual(['x"y', 'z']);
  });
  it('takes another delimiter and throws on text after a closing quote', () => {
    const r = new CsvLineReader(';');
    expect(r.push('"a;b";c,d')).toEqual(['a;b', 'c,d']);
    expect(() => r.push('"a"b;c')).toThrow(CsvSyntaxError);
    expect(r.pending).toBe(false);
    expect(() => new CsvLineReader('"')).toThrow();
  });
  it('agrees with parseCsv on a document', () => {
    const doc = 'h1,h2\r\n"a\nb",c\r\n"",x\r\n';
    const r = new CsvLineReader();
    const rows = doc.split(/\r\n|\n/).slice(0, -1).map((l) => r.push(l)).filter((x) => x !== null);
    expect(rows).toEqual(parseCsv(doc));
  });
});
