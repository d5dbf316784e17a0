import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserHarness, poll } from './harness.ts';

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
const XSS = '<script>alert(1)</script>';

describe('incidents in Chromium', () => {
  const keep = process.env.VIGIL_BROWSER_SHOTS;
  const dialogs: string[] = [];
  const h = browserHarness('vigil-browser-inc-', ADMIN_INITIAL, (page) => {
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    if (keep) mkdirSync(keep, { recursive: true });
  });
  const { step, byTest, firstSignIn, choose } = h;
  const shot = async (name: string) => {
    if (keep) await h.page.screenshot({ path: join(keep, `${name}.png`), fullPage: true });
  };

  it('declares, triages, annotates and closes an incident', async () => {
    let handlerTemporary = '';
    await step('admin-creates-handler', async () => {
      await firstSignIn('admin', ADMIN_INITIAL, ADMIN_CHOSEN);
      const cookie = (await h.page.context().cookies(h.base)).map((c) => `${c.name}=${c.value}`).join('; ');
      const me = (await (await fetch(`${h.base}/api/v1/auth/me`, { headers: { cookie } })).json()) as { csrfToken: string };
      const r = await fetch(`${h.base}/api/v1/users`, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': me.csrfToken, 'content-type': 'application/json', origin: h.base },
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
      await poll(() => byTest('incident-priority-preview').innerText()).toBe('P4');
      await choose('incident-class', 'Fraud');
      await choose('incident-type', 'Phishing');
      await byTest('incident-submit').click();
      await poll(() => byTest('incident-reference').innerText()).toBe(reference);
      expect(await byTest('incident-priority').innerText()).toBe('P4');
      expect(new URL(h.page.url()).pathname).toBe(`/incidents/${reference}`);
      await poll(() => byTest('timeline').innerText()).toContain(`declared ${reference}`);
    });

    await step('move-to-triage', async () => {
      await byTest('incident-move').click();
      await h.page.getByRole('menuitem', { name: 'Triage', exact: true }).click();
      await poll(() => byTest('incident-status').innerText()).toMatch(/^triage$/i);
      await poll(() => byTest('timeline').innerText()).toContain('moved the incident from new to triage');
    });

    await step('record-communication-and-filter', async () => {
      await h.page.getByText('Communication', { exact: true }).click();
      await choose('comm-channel', 'Email');
      await byTest('comm-party').fill('Finance department head');
      await byTest('note-body').fill('Asked to **quarantine** the lure mails');
      await byTest('note-submit').click();
      await poll(() => byTest('timeline').innerText()).toContain('recorded an outbound e-mail with Finance department head');
      await choose('timeline-filter', 'Communications');
      await poll(() => byTest('timeline').locator('[data-kind]').count()).toBe(1);
      expect(await byTest('timeline').locator('strong').innerText()).toBe('quarantine');
      await choose('timeline-filter', 'Everything');
      await h.page.getByText('Note', { exact: true }).click();
    });

    await step('note-is-plain-text', async () => {
      await byTest('note-body').fill(`Suspicious mail:\n${XSS}`);
      await byTest('note-submit').click();
      const note = byTest('timeline').getByTestId('note-text').last();
      await poll(() => note.innerText()).toBe(`Suspicious mail:\n${XSS}`);
      expect(await byTest('timeline').locator('script').count()).toBe(0);
      await h.page.waitForTimeout(300);
      expect(dialogs).toEqual([]);
      await shot('incident-page');
    });

    await step('close-as-false-positive', async () => {
      await byTest('incident-close').click();
      await choose('close-resolution', 'False positive');
      await byTest('close-submit').click();
      await poll(() => byTest('incident-status').innerText()).toMatch(/^closed$/i);
      await poll(() => byTest('timeline').innerText()).toContain('as false positive');
    });

    await step('listed-as-closed', async () => {
      await byTest('nav-incidents').click();
      await byTest('incidents-table').waitFor();
      // Open only (the default) hides it.
      await poll(() => byTest('incidents-table').innerText()).toContain('No incidents match');
      await byTest('filter-open').click({ force: true });
      const row = byTest('incidents-table').locator(`tr[data-reference="${reference}"]`);
      await row.waitFor();
      expect(await row.getAttribute('data-status')).toBe('closed');
      expect(await row.innerText()).toMatch(/closed/i);
      await shot('incident-list');
      await row.click();
      await poll(() => byTest('incident-reference').innerText()).toBe(reference);
    });
  });
});
