import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, tempDir, type Served } from '../process.ts';

/**
 * An incident handler at a real browser (Debian's Chromium) against a real Vigil process: the
 * admin creates the handler's account, the handler signs in, declares an incident, moves it to
 * triage, adds a note that tries to inject a script (shown literally, never run), closes it as a
 * false positive, and finds it closed in the list.
 *
 * Set VIGIL_BROWSER_SHOTS=<dir> to keep screenshots of the list and the incident page.
 */
const ADMIN_INITIAL = 'Initial-Admin-Pass-1';
const ADMIN_CHOSEN = 'Browser-Chosen-Passphrase-2026';
const HANDLER_CHOSEN = 'Quiet-Harbour-Lantern-2026';
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const XSS = '<script>alert(1)</script>';

describe('incidents in Chromium', () => {
  let server: Served | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let base: string;
  const dataDir = tempDir('vigil-browser-inc-');
  const shots = mkdtempSync(join(tmpdir(), 'vigil-browser-inc-shots-'));
  const keep = process.env.VIGIL_BROWSER_SHOTS;
  const dialogs: string[] = [];

  beforeAll(async () => {
    server = await serve({ VIGIL_DATA_DIR: dataDir, VIGIL_ADMIN_PASSWORD: ADMIN_INITIAL, LOG_LEVEL: 'warn' }, 90_000);
    base = `http://127.0.0.1:${server.port}`;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, timeout: 60_000 });
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    if (keep) mkdirSync(keep, { recursive: true });
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

  /** Runs one step; on failure keeps a screenshot and the server's output, and says where. */
  async function step(name: string, fn: () => Promise<void>) {
    try {
      await fn();
    } catch (e) {
      const file = join(shots, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
      writeFileSync(join(shots, 'server.log'), server?.output() ?? '');
      console.error(`browser test: step "${name}" failed; screenshot and server log in ${shots}`);
      throw new Error(`step "${name}" failed (screenshot: ${file}): ${(e as Error).message}`);
    }
  }

  const byTest = (id: string) => page.getByTestId(id);
  const shot = async (name: string) => {
    if (keep) await page.screenshot({ path: join(keep, `${name}.png`), fullPage: true });
  };

  /** Signs in with a temporary password and replaces it, as the forced first step asks. */
  async function firstSignIn(username: string, temporary: string, chosen: string) {
    await page.goto(base);
    await byTest('login-username').fill(username);
    await byTest('login-password').fill(temporary);
    await byTest('login-submit').click();
    await byTest('password-current').fill(temporary);
    await byTest('password-new').fill(chosen);
    await byTest('password-repeat').fill(chosen);
    await byTest('password-submit').click();
    await byTest('nav-account').waitFor();
  }

  /** Picks an option of a Mantine select by its label. */
  async function choose(testId: string, option: string) {
    await byTest(testId).click();
    await page.getByRole('option', { name: option, exact: true }).click();
  }

  it('declares, triages, annotates and closes an incident', async () => {
    let handlerTemporary = '';
    await step('admin-creates-handler', async () => {
      await firstSignIn('admin', ADMIN_INITIAL, ADMIN_CHOSEN);
      const cookie = (await page.context().cookies(base)).map((c) => `${c.name}=${c.value}`).join('; ');
      const me = (await (await fetch(`${base}/api/v1/auth/me`, { headers: { cookie } })).json()) as { csrfToken: string };
      const r = await fetch(`${base}/api/v1/users`, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': me.csrfToken, 'content-type': 'application/json', origin: base },
        body: JSON.stringify({ username: 'hanna', displayName: 'Hanna Handler', roles: ['handler'] }),
      });
      expect(r.status).toBe(201);
      handlerTemporary = ((await r.json()) as { temporaryPassword: string }).temporaryPassword;
      expect(handlerTemporary).toBeTruthy();
      await byTest('user-menu').click();
      await byTest('logout').click();
      await byTest('login-username').waitFor();
    });

    await step('handler-signs-in', async () => {
      await firstSignIn('hanna', handlerTemporary, HANDLER_CHOSEN);
    });

    const reference = `VIG-${new Date().getUTCFullYear()}-00001`;
    await step('declare', async () => {
      await byTest('nav-incidents').click();
      await byTest('incident-declare').click();
      await byTest('incident-title').fill('Phishing wave against the finance department');
      await choose('incident-impact', 'Low');
      await choose('incident-urgency', 'Low');
      await expect.poll(() => byTest('incident-priority-preview').innerText()).toBe('P4');
      await choose('incident-class', 'Fraud');
      await choose('incident-type', 'Phishing');
      await byTest('incident-submit').click();
      await expect.poll(() => byTest('incident-reference').innerText()).toBe(reference);
      expect(await byTest('incident-priority').innerText()).toBe('P4');
      expect(new URL(page.url()).pathname).toBe(`/incidents/${reference}`);
      await expect.poll(() => byTest('timeline').innerText()).toContain(`declared ${reference}`);
    });

    await step('move-to-triage', async () => {
      await byTest('incident-move').click();
      await page.getByRole('menuitem', { name: 'Triage', exact: true }).click();
      await expect.poll(() => byTest('incident-status').innerText()).toMatch(/^triage$/i);
      await expect.poll(() => byTest('timeline').innerText()).toContain('moved the incident from New to Triage');
    });

    await step('note-is-plain-text', async () => {
      await byTest('note-body').fill(`Suspicious mail:\n${XSS}`);
      await byTest('note-submit').click();
      const note = byTest('timeline').getByTestId('note-text').last();
      await expect.poll(() => note.innerText()).toBe(`Suspicious mail:\n${XSS}`);
      expect(await byTest('timeline').locator('script').count()).toBe(0);
      await page.waitForTimeout(300);
      expect(dialogs).toEqual([]);
      await shot('incident-page');
    });

    await step('close-as-false-positive', async () => {
      await byTest('incident-close').click();
      await choose('close-resolution', 'False positive');
      await byTest('close-submit').click();
      await expect.poll(() => byTest('incident-status').innerText()).toMatch(/^closed$/i);
      await expect.poll(() => byTest('timeline').innerText()).toContain('as false positive');
    });

    await step('listed-as-closed', async () => {
      await byTest('nav-incidents').click();
      await byTest('incidents-table').waitFor();
      // Open only (the default) hides it.
      await expect.poll(() => byTest('incidents-table').innerText()).toContain('No incidents match');
      await byTest('filter-open').click({ force: true });
      const row = byTest('incidents-table').locator(`tr[data-reference="${reference}"]`);
      await row.waitFor();
      expect(await row.getAttribute('data-status')).toBe('closed');
      expect(await row.innerText()).toMatch(/closed/i);
      await shot('incident-list');
      await row.click();
      await expect.poll(() => byTest('incident-reference').innerText()).toBe(reference);
    });
  });
});
