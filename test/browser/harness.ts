import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { CHROMIUM_ARGS } from './chromium.ts';
import { seedEmbedded, serve, tempDir, type Served } from '../process.ts';

export { CHROMIUM_ARGS } from './chromium.ts';

/** expect.poll with room for a busy machine: waits up to 10 s for the page (or the live updates) to catch up. */
export const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000, interval: 100 });

export interface Harness {
  readonly page: Page;
  readonly base: string;
  readonly server: Served | undefined;
  /** Runs one step; on failure keeps a screenshot and the server's output, and says where. */
  step(name: string, fn: () => Promise<void>): Promise<void>;
  byTest(id: string): Locator;
  signIn(username: string, password: string): Promise<void>;
  /** Signs in with a temporary password and replaces it, as the forced first step asks. */
  firstSignIn(username: string, temporary: string, chosen: string): Promise<void>;
  signOut(): Promise<void>;
  /** Calls the API as whoever is signed in in the browser (session cookie + CSRF header). */
  call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }>;
  /** Picks an option of a Mantine select by its label. */
  choose(testId: string, option: string): Promise<void>;
}

/**
 * A real Vigil process (fresh data folder, first admin with `adminPassword`) and Debian's Chromium
 * for the enclosing describe block: started in beforeAll, stopped and cleaned up in afterAll.
 */
export function browserHarness(prefix: string, adminPassword: string, onPage?: (page: Page) => void): Harness {
  let server: Served | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let base = '';
  const dataDir = tempDir(`${prefix}`);
  const shots = mkdtempSync(join(tmpdir(), `${prefix}shots-`));

  beforeAll(async () => {
    await seedEmbedded(dataDir);
    server = await serve({ VIGIL_DATA_DIR: dataDir, VIGIL_ADMIN_PASSWORD: adminPassword, LOG_LEVEL: 'warn' }, 90_000);
    base = `http://127.0.0.1:${server.port}`;
    // The tier's one Chromium (test/browser/global-setup.ts), or one of this file's own when run alone.
    const endpoint = inject('chromiumEndpoint');
    browser = endpoint
      ? await chromium.connect(endpoint, { timeout: 60_000 })
      : await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, timeout: 60_000 });
    context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    onPage?.(page);
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
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

  const byTest = (id: string) => started().getByTestId(id);
  async function signIn(username: string, password: string) {
    await started().goto(base);
    await byTest('login-username').fill(username);
    await byTest('login-password').fill(password);
    await byTest('login-submit').click();
  }

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
    byTest,
    signIn,
    async firstSignIn(username, temporary, chosen) {
      await signIn(username, temporary);
      await byTest('password-current').fill(temporary);
      await byTest('password-new').fill(chosen);
      await byTest('password-repeat').fill(chosen);
      await byTest('password-submit').click();
      await byTest('nav-account').waitFor();
    },
    async signOut() {
      await byTest('user-menu').click();
      await byTest('logout').click();
      await byTest('login-username').waitFor();
    },
    async call<T>(method: string, path: string, body?: unknown) {
      const cookie = (await started().context().cookies(base)).map((c) => `${c.name}=${c.value}`).join('; ');
      const me = (await (await fetch(`${base}/api/v1/auth/me`, { headers: { cookie } })).json()) as { csrfToken: string };
      const r = await fetch(`${base}/api/v1${path}`, {
        method,
        headers: { cookie, 'x-csrf-token': me.csrfToken, origin: base, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await r.text();
      return { status: r.status, json: (text ? JSON.parse(text) : undefined) as T };
    },
    async choose(testId, option) {
      await byTest(testId).click();
      await started().getByRole('option', { name: option, exact: true }).click();
    },
  };
}
