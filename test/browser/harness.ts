import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { serve, tempDir, type Served } from '../process.ts';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export interface Harness {
  readonly page: Page;
  readonly base: string;
  readonly server: Served | undefined;
  /** Runs one step; on failure keeps a screenshot and the server's output, and says where. */
  step(name: string, fn: () => Promise<void>): Promise<void>;
  byTest(id: string): Locator;
}

/**
 * A real Vigil process (fresh data folder, first admin with `adminPassword`) and Debian's Chromium
 * for the enclosing describe block: started in beforeAll, stopped and cleaned up in afterAll.
 */
export function browserHarness(prefix: string, adminPassword: string, onPage?: (page: Page) => void): Harness {
  let server: Served | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let base = '';
  const dataDir = tempDir(`${prefix}`);
  const shots = mkdtempSync(join(tmpdir(), `${prefix}shots-`));

  beforeAll(async () => {
    server = await serve({ VIGIL_DATA_DIR: dataDir, VIGIL_ADMIN_PASSWORD: adminPassword, LOG_LEVEL: 'warn' }, 90_000);
    base = `http://127.0.0.1:${server.port}`;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, timeout: 60_000 });
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.setDefaultTimeout(20_000);
    onPage?.(page);
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    if (server) {
      const s = server;
      const kill = setTimeout(() => s.proc.kill('SIGKILL'), 15_000);
      await s.stop();
      clearTimeout(kill);
    }
    rmSync(dataDir, { recursive: true, force: true });
    if (readdirSync(shots).length === 0) rmSync(shots, { recursive: true, force: true });
  });

  const started = (): Page => {
    if (!page) throw new Error('the browser is not started yet');
    return page;
  };

  return {
    get page() {
      return started();
    },
    get base() {
      return base;
    },
    get server() {
      return server;
    },
    step: async (name, fn) => {
      try {
        await fn();
      } catch (e) {
        const file = join(shots, `${name}.png`);
        await page?.screenshot({ path: file, fullPage: true }).catch(() => undefined);
        writeFileSync(join(shots, 'server.log'), server?.output() ?? '');
        console.error(`browser test: step "${name}" failed; screenshot and server log in ${shots}`);
        throw new Error(`step "${name}" failed (screenshot: ${file}): ${(e as Error).message}`);
      }
    },
    byTest: (id) => started().getByTestId(id),
  };
}
