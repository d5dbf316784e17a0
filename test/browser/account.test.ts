import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import { browserHarness, poll } from './harness.ts';

/**
 * A person at a real browser (Debian's Chromium) against a real Vigil process: first sign-in with
 * the forced password change, MFA enrolment, sign-in with the second factor, and an API token
 * created in the UI, used from outside, and revoked.
 */
const INITIAL = 'Initial-Admin-Pass-1';
const CHOSEN = 'Browser-Chosen-Passphrase-2026';
const TOTP_STEP_S = 30;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nowS = () => Date.now() / 1000;
const stepOf = (seconds: number) => Math.floor(seconds / TOTP_STEP_S);

/**
 * A TOTP code for the current time step, taken only from a step later than `after` (the server
 * refuses a step already used) and not in the last 2 s of its step (so the server checks it in
 * the same step). Waits for the next step when needed: up to 30 s.
 */
async function freshTotp(secret: string, after: number): Promise<{ code: string; step: number }> {
  for (;;) {
    const t = nowS();
    const step = stepOf(t);
    const left = (step + 1) * TOTP_STEP_S - t;
    if (step > after && left > 2) return { code: await generate({ secret, epoch: Math.floor(t) }), step };
    await sleep(left * 1000 + 250);
  }
}

describe('the web app in Chromium', () => {
  const h = browserHarness('vigil-browser-', INITIAL);
  const { step, byTest } = h;

  const signIn = (password: string) => h.signIn('admin', password);

  const me = (token: string) => fetch(`${h.base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });

  it('signs in, enrols MFA, signs in with it, and creates, uses and revokes an API token', async () => {
    await step('first-sign-in', async () => {
      await signIn(INITIAL);
      // The initial password must be changed before anything else.
      await byTest('password-current').fill(INITIAL);
      await expect(byTest('nav-account').count()).resolves.toBe(0);
      await byTest('password-new').fill(CHOSEN);
      await byTest('password-repeat').fill(CHOSEN);
      await byTest('password-submit').click();
      await byTest('nav-account').waitFor();
    });

    let secret = '';
    let usedStep = -1;
    await step('enrol-mfa', async () => {
      await byTest('nav-account').click();
      await poll(() => byTest('mfa-status').innerText()).toMatch(/^off$/i);
      await byTest('mfa-enrol').click();
      secret = (await byTest('mfa-secret').innerText()).replace(/\s+/g, '');
      expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
      const totp = await freshTotp(secret, -1);
      usedStep = totp.step;
      await byTest('mfa-verify-code').fill(totp.code);
      await byTest('mfa-verify').click();
      const codes = await byTest('recovery-codes').innerText();
      expect(codes.match(/[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}/g)).toHaveLength(10);
      await byTest('mfa-done').click();
      await poll(() => byTest('mfa-status').innerText()).toMatch(/^on$/i);
    });

    await step('sign-in-with-mfa', async () => {
      await byTest('user-menu').click();
      await byTest('logout').click();
      await byTest('login-username').waitFor();
      await signIn(CHOSEN);
      await byTest('mfa-code').waitFor();
      // The enrolment spent its time step's code: this needs a later one.
      const totp = await freshTotp(secret, usedStep);
      await byTest('mfa-code').fill(totp.code);
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
      const r = await me(token);
      expect(r.status).toBe(200);
      const body = (await r.json()) as { user: { username: string }; via: string };
      expect(body).toMatchObject({ user: { username: 'admin' }, via: 'token' });
    });

    await step('revoke-token', async () => {
      await h.page.getByRole('button', { name: 'Revoke token Browser test' }).click();
      await byTest('confirm-button').click();
      await expect.poll(async () => (await me(token)).status, { timeout: 15_000 }).toBe(401);
      const r = await me(token);
      expect(r.status).toBe(401);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await r.json()) as { code: string }).code).toBe('VIG_AUTH_TOKEN_INVALID');
    });
  });
});
