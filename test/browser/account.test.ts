import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'otplib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, tempDir, type Served } from '../process.ts';

/**
 * A person at a real browser (Debian's Chromium) against a real Vigil process: first sign-in with
 * the forced password change, MFA enrolment, sign-in with the second factor, and an API token
 * created in the UI, used from outside, and revoked.
 */
const INITIAL = 'Initial-Admin-Pass-1';
const CHOSEN = 'Browser-Chosen-Passphrase-2026';
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

describe('the web app in Chromium', () => {
  let server: Served;
  let browser: Browser;
  let page: Page;
  let base: string;
  const dataDir = tempDir('vigil-browser-');
  const shots = mkdtempSync(join(tmpdir(), 'vigil-shots-'));

  beforeAll(async () => {
    server = await serve({ VIGIL_DATA_DIR: dataDir, VIGIL_ADMIN_PASSWORD: INITIAL, LOG_LEVEL: 'warn' });
    base = `http://127.0.0.1:${server.port}`;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Runs one step; on failure keeps a screenshot and says where. */
  async function step(name: string, fn: () => Promise<void>) {
    try {
      await fn();
    } catch (e) {
      const file = join(shots, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
      throw new Error(`step "${name}" failed (screenshot: ${file}): ${(e as Error).message}`);
    }
  }

  const byTest = (id: string) => page.getByTestId(id);

  async function signIn(password: string) {
    await page.goto(base);
    await byTest('login-username').fill('admin');
    await byTest('login-password').fill(password);
    await byTest('login-submit').click();
  }

  it('signs in, enrols MFA, signs in with it, and creates, uses and revokes an API token', async () => {
    await step('first-sign-in', async () => {
      await signIn(INITIAL);
      await byTest('password-current').fill(INITIAL);
      await byTest('password-new').fill(CHOSEN);
      await byTest('password-repeat').fill(CHOSEN);
      await byTest('password-submit').click();
      await byTest('nav-account').waitFor();
    });

    let secret = '';
    await step('enrol-mfa', async () => {
      await byTest('nav-account').click();
      await byTest('mfa-enrol').click();
      secret = (await byTest('mfa-secret').innerText()).replace(/\s+/g, '');
      expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
      await byTest('mfa-verify-code').fill(await generate({ secret }));
      await byTest('mfa-verify').click();
      const codes = await byTest('recovery-codes').innerText();
      expect(codes.match(/[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}/g)).toHaveLength(10);
      await byTest('mfa-done').click();
      await expect.poll(() => byTest('mfa-status').innerText()).toMatch(/on/i);
    });

    await step('sign-in-with-mfa', async () => {
      await byTest('user-menu').click();
      await byTest('logout').click();
      await signIn(CHOSEN);
      // The enrolment spent this 30-second step's code; the next step's code is within the allowed drift.
      await byTest('mfa-code').fill(await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
      await byTest('mfa-submit').click();
      await byTest('nav-account').waitFor();
    });

    let token = '';
    await step('create-token', async () => {
      await byTest('nav-account').click();
      await byTest('token-name').fill('Browser test');
      await byTest('token-create').click();
      token = (await byTest('new-token').innerText()).trim();
      expect(token).toMatch(/^vgl_[A-Za-z0-9_-]{43}$/);
    });

    await step('use-token', async () => {
      const r = await fetch(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(r.status).toBe(200);
      const me = (await r.json()) as { user: { username: string }; via: string };
      expect(me).toMatchObject({ user: { username: 'admin' }, via: 'token' });
    });

    await step('revoke-token', async () => {
      await page.getByRole('button', { name: 'Revoke token Browser test' }).click();
      await byTest('confirm-button').click();
      await expect
        .poll(async () => (await fetch(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } })).status)
        .toBe(401);
      const r = await fetch(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(((await r.json()) as { code: string }).code).toBe('VIG_AUTH_TOKEN_INVALID');
    });
  });
});
