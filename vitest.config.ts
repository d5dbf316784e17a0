import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['test/browser/**', 'node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // V8's JIT-page tracking can abort a worker that creates and frees many PGlite (WASM) instances
    // (nodejs/node#64500); turning off its memory-protection-key mode is the known mitigation.
    execArgv: ['--no-memory-protection-keys'],
    fileParallelism: true,
  },
});
