import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    // One Chromium for the tier, and the migrated embedded store each file's server starts from.
    globalSetup: ['test/browser/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // Two files at a time, each with its own server and its own context in the one Chromium: a
    // file mostly waits on a page typed into at a person's pace (605 s one at a time, 395 s two).
    fileParallelism: true,
    maxWorkers: 2,
  },
});
