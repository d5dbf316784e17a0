import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiTypes, openApiDocument, SCHEMA_FILE } from '../scripts/gen-api-types.mjs';

/**
 * The web app's API types (web/src/api/schema.gen.ts) are generated from the server's OpenAPI
 * document; a change to a route's schemas without regenerating them fails here, so the web app
 * can never compile against a server that answers something else.
 */
describe('the web app API types', () => {
  it('match what `npm run gen:api` generates from the server now', async () => {
    const expected = await apiTypes(await openApiDocument());
    const actual = readFileSync(SCHEMA_FILE, 'utf8');
    if (actual !== expected) {
      const a = actual.split('\n');
      const e = expected.split('\n');
      const at = e.findIndex((line, i) => line !== a[i]);
      const where = at < 0 ? `the file has ${a.length - e.length} extra lines at the end` : `first difference at line ${at + 1}:\n  checked in: ${a[at] ?? '(end of file)'}\n  generated:  ${e[at]}`;
      expect.fail(`web/src/api/schema.gen.ts is out of date with the server's API: run \`npm run gen:api\` and commit the result (${where})`);
    }
  }, 120_000);
});
