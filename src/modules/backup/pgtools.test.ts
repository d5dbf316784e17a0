import { describe, expect, it } from 'vitest';
import { copyTimestamp, decodeCopyField } from './pgtools.ts';

describe("reading pg_dump's COPY text", () => {
  it('decodes nulls and backslash escapes as PostgreSQL writes them', () => {
    expect(decodeCopyField('\\N')).toBeNull();
    expect(decodeCopyField('plain text')).toBe('plain text');
    // jsonb holding a string with a newline and a tab: JSON escapes them, COPY escapes the backslashes.
    expect(JSON.parse(decodeCopyField('{"note": "a\\\\nb\\\\tc \\\\"q\\\\""}')!)).toEqual({ note: 'a\nb\tc "q"' });
    expect(decodeCopyField('line\\nbreak\\ttab\\\\slash\\r')).toBe('line\nbreak\ttab\\slash\r');
    expect(decodeCopyField('\\101\\x42')).toBe('AB');
  });

  it('reads timestamptz in any zone the server writes', () => {
    expect(copyTimestamp('2026-12-07 16:14:40.123+00').toISOString()).toBe('2026-12-07T16:14:40.123Z');
    expect(copyTimestamp('2026-12-07 17:14:40+01').toISOString()).toBe('2026-12-07T16:14:40.000Z');
    expect(copyTimestamp('2026-12-07 21:44:40.5+05:30').toISOString()).toBe('2026-12-07T16:14:40.500Z');
    expect(() => copyTimestamp('yesterday')).toThrow(/unreadable timestamp/);
  });
});
