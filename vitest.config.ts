import { globSync, readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const include = ['src/**/*.test.ts', 'test/**/*.test.ts'];
const exclude = ['test/browser/**', 'node_modules/**'];

/**
 * With DATABASE_URL set (CI's PostgreSQL pass), the files that never touch a store (parsers, pure
 * functions, the bundle and API-type checks) already ran in the embedded pass and would run the
 * same again: the pass keeps only files that name the stores (`stores()`), PostgreSQL or
 * DATABASE_URL. VIGIL_TEST_ALL=1 runs every file anyway.
 */
function storeIndependent(): string[] {
  if (!process.env.DATABASE_URL || process.env.VIGIL_TEST_ALL) return [];
  return globSync(include, { exclude: (f) => f.includes('node_modules') })
    .filter((f) => !/stores\(\)|DATABASE_URL|'postgres'/.test(readFileSync(f, 'utf8')));
}

export default defineConfig({
  test: {
    include,
    exclude: [...exclude, ...storeIndependent()],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // V8's JIT-page tracking can abort a worker that creates and frees many PGlite (WASM) instances
    // (nodejs/node#64500); turning off its memory-protection-key mode is the known mitigation.
    execArgv: ['--no-memory-protection-keys'],
    fileParallelism: true,
    // Files in one worker share the loaded modules (each file still builds its own app and store):
    // loading the app's modules afresh for every file was a third of the suite's time.
    isolate: false,
  },
});
