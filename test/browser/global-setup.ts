import { chromium } from 'playwright-core';
import type { TestProject } from 'vitest/node';
import imageSetup from '../global-setup.ts';
import { CHROMIUM_ARGS } from './chromium.ts';

/**
 * One Chromium for the whole browser tier (each file gets a fresh context of its own, so no cookie
 * or storage crosses files), and the migrated embedded-store image each file's server starts from.
 */
export default async function setup(project: TestProject) {
  const teardownImage = await imageSetup();
  const server = await chromium.launchServer({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, timeout: 60_000 });
  project.provide('chromiumEndpoint', server.wsEndpoint());
  return async () => {
    await server.close().catch(() => undefined);
    await teardownImage?.();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    chromiumEndpoint: string;
  }
}
