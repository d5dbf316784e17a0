import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// test/schema-ids.mjs counts, in a process of its own, how often each id is given to a schema while
// the app's modules load: the suite's workers share loaded modules between files (vitest.config.ts,
// isolate: false), so in-process they may have loaded before this file could count.

/**
 * Every named schema of the API (`.meta({ id })`) is named once. Two schemas under one id do not
 * fail anywhere by themselves: the OpenAPI document keeps one of them as the component and every
 * route that used the other is described with the wrong shape (GET /team-members was described as
 * the team directory's record), and so are the web app's generated types.
 */
describe('the named schemas of the API', () => {
  it('each id names one schema', () => {
    const r = spawnSync(process.execPath, [fileURLToPath(new URL('./schema-ids.mjs', import.meta.url))], {
      encoding: 'utf8', timeout: 120_000, env: { ...process.env, LOG_LEVEL: 'silent' },
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { components: string[]; named: [string, number][] };
    expect(out.components).toContain('Incident');
    expect(out.named.length).toBeGreaterThan(10);
    expect(out.named.filter(([, n]) => n > 1).map(([id]) => id)).toEqual([]);
  }, 120_000);
});
