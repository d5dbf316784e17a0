import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS, RETIRED_CODES, VigilError, toProblem, type ErrorCode } from './errors.ts';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Map(
  [...doc.matchAll(/^\| `(VIG_[A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1]!, Number(m[2])] as const),
);

describe('error catalogue', () => {
  it('documents every code with its status in docs/errors.md', () => {
    for (const [code, e] of Object.entries(ERRORS)) expect(documented.get(code), code).toBe(e.status);
  });

  it('documents no code that does not exist', () => {
    for (const code of documented.keys()) expect(Object.keys(ERRORS), code).toContain(code);
  });

  it('never reuses a retired code and uses only 4xx and 5xx statuses', () => {
    for (const [code, e] of Object.entries(ERRORS)) {
      expect(RETIRED_CODES).not.toContain(code);
      expect(e.status).toBeGreaterThanOrEqual(400);
      expect(e.status).toBeLessThan(600);
      expect(code).toMatch(/^VIG_[A-Z]+(_[A-Z]+)*$/);
    }
  });

  it('renders problem+json and hides detail of server errors', () => {
    const p = toProblem(new VigilError('VIG_USER_NOT_FOUND', { id: 'x' }), 'r1');
    expect(p).toMatchObject({ code: 'VIG_USER_NOT_FOUND', status: 404, id: 'x', instance: 'urn:vigil:request:r1' });
    const s = toProblem(new VigilError('VIG_INTERNAL' as ErrorCode, { sql: 'select secret' }), 'r2');
    expect(s).not.toHaveProperty('sql');
  });
});
