import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserHarness, poll } from './harness.ts';

/**
 * The public web form and the reporter's status page in a real browser (Debian's Chromium) at a
 * phone's size (375 × 812), against a real Vigil process. A constituent finds the form from the
 * sign-in page, is told what is missing, fills it in with a file, gets a reference and a private
 * status link, opens it, and adds information with another file. The team then finds the report
 * (channel web_form, both files) in its queue. A made-up link gets a plain "does not work" page.
 *
 * Screenshots go to VIGIL_BROWSER_SHOTS (default /tmp/vigil-shots) as public-*.png.
 */
const ADMIN_INITIAL = 'Initial-Admin-Pass-1';
const ADMIN_CHOSEN = 'Browser-Chosen-Passphrase-2026';
const PHONE = { width: 375, height: 812 };

describe('public web form in Chromium, phone-sized', () => {
  const shots = process.env.VIGIL_BROWSER_SHOTS ?? '/tmp/vigil-shots';
  const dialogs: string[] = [];
  const h = browserHarness('vigil-browser-pub-', ADMIN_INITIAL, (page) => {
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    mkdirSync(shots, { recursive: true });
  });
  const { step, byTest, firstSignIn, call } = h;
  const shot = async (name: string) => {
    await h.page.evaluate('window.scrollTo(0, 0)');
    await h.page.screenshot({ path: join(shots, `public-${name}.png`), fullPage: true });
  };
  /** Nothing sticks out sideways: the page scrolls only up and down on a phone. */
  const fitsTheScreen = async () => expect(Number(await h.page.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(PHONE.width);

  it('takes a report without an account, and lets the reporter follow it and add to it', async () => {
    let reference = '';
    let statusLink = '';
    await step('finds-the-form', async () => {
      await h.page.setViewportSize(PHONE);
      await h.page.goto(h.base);
      await byTest('login-report-link').waitFor();
      await fitsTheScreen();
      await shot('login');
      await byTest('login-report-link').click();
      await byTest('public-report-form').waitFor();
      expect(new URL(h.page.url()).pathname).toBe('/report');
      await fitsTheScreen();
      // The trap for bots: out of sight, out of the tab order, hidden from screen readers.
      const trap = h.page.locator('#public-homepage');
      expect(await trap.getAttribute('tabindex')).toBe('-1');
      expect(await trap.getAttribute('autocomplete')).toBe('off');
      expect(await trap.evaluate((el) => el.closest('[aria-hidden="true"]') !== null)).toBe(true);
      const box = await trap.boundingBox();
      expect(box === null || box.x + box.width <= 0).toBe(true);
      await shot('form');
    });

    await step('is-told-what-is-missing', async () => {
      await byTest('public-submit').click();
      await poll(() => h.page.getByText('Tell us what happened').count()).toBeGreaterThan(0);
      expect(await h.page.getByRole('textbox', { name: /Your name/ }).getAttribute('aria-invalid')).toBe('true');
    });

    await step('fills-in-and-sends', async () => {
      // Fields are found by their labels, as a screen reader user would.
      await h.page.getByRole('textbox', { name: /Your name/ }).fill('Zoë Reporter');
      await h.page.getByRole('textbox', { name: /E-mail/ }).fill('zoe@water.example');
      await h.page.getByRole('textbox', { name: /Organisation/ }).fill('Northtown Water Board');
      await h.page.getByRole('textbox', { name: /Phone/ }).fill('+31 20 555 0100');
      await h.page.getByRole('textbox', { name: /What happened/ }).fill('Ransom note on the SCADA workstation\nFiles on the engineering share end in .locked');
      await byTest('public-when').fill('2026-01-12T08:30');
      await h.page.getByRole('textbox', { name: /Affected systems/ }).fill('eng-ws-04');
      await h.page.getByRole('radio', { name: /TLP:GREEN/ }).check();
      await h.page.locator('input[type="file"]').first().setInputFiles({ name: 'ransom-note.txt', mimeType: 'text/plain', buffer: Buffer.from('Pay 5 BTC') });
      await poll(() => byTest('public-files').textContent()).toContain('ransom-note.txt');
      expect(await byTest('public-updates').isChecked()).toBe(true);
      await fitsTheScreen();
      await shot('form-filled');
      await byTest('public-submit').click();
      await byTest('public-report-done').waitFor();
      reference = (await byTest('public-reference').textContent()) ?? '';
      statusLink = (await byTest('public-status-link').textContent()) ?? '';
      expect(reference).toMatch(/^VIG-R-\d{4}-\d{6}$/);
      expect(statusLink).toMatch(new RegExp(`^${h.base}/status/[A-Za-z0-9_-]{43}$`));
      await h.page.getByRole('button', { name: 'Copy status link' }).waitFor();
      await fitsTheScreen();
      await shot('confirmation');
    });

    await step('opens-the-status-page', async () => {
      await byTest('public-open-status').click();
      await byTest('public-status').waitFor();
      expect(h.page.url()).toBe(statusLink);
      expect(await byTest('public-status-reference').textContent()).toBe(reference);
      expect(await byTest('public-status-title').textContent()).toBe('Ransom note on the SCADA workstation');
      expect(await byTest('public-status-badge').getAttribute('data-value')).toBe('received');
      await poll(() => byTest('public-status').textContent()).toContain('ransom-note.txt');
      await fitsTheScreen();
      await shot('status');
    });

    await step('adds-information', async () => {
      await byTest('public-add-message').fill('A second machine shows the note now:\neng-ws-07');
      await byTest('public-add-form').locator('input[type="file"]').setInputFiles({ name: 'ws07.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47]) });
      await byTest('public-add-submit').click();
      await byTest('public-add-sent').waitFor();
      await poll(() => byTest('public-status-message').count()).toBe(1);
      expect(await byTest('public-status-message').textContent()).toContain('eng-ws-07');
      expect(await byTest('public-status-message').textContent()).toContain('ws07.png');
      await fitsTheScreen();
      await h.page.waitForTimeout(400); // the Send button's loader slides out
      await shot('status-added');
      // The link opened afresh (as from the e-mail or a bookmark) shows the same.
      await h.page.goto(statusLink);
      await poll(() => byTest('public-status-message').count()).toBe(1);
    });

    await step('a-made-up-link-does-not-work', async () => {
      await h.page.goto(`${h.base}/status/${'A'.repeat(43)}`);
      await byTest('public-status-gone').waitFor();
      await fitsTheScreen();
      await shot('status-unknown');
    });

    await step('the-team-finds-the-report', async () => {
      await h.page.setViewportSize({ width: 1360, height: 900 });
      await h.page.goto(`${h.base}/report`);
      await byTest('public-report-form').waitFor();
      await shot('form-desktop');
      await firstSignIn('admin', ADMIN_INITIAL, ADMIN_CHOSEN);
      const list = await call<{ items: { id: string; reference: string; channel: string; tlp: string; reporterEmail: string }[] }>('GET', '/reports?channel=web_form');
      const report = list.json.items.find((r) => r.reference === reference);
      expect(report).toMatchObject({ channel: 'web_form', tlp: 'GREEN', reporterEmail: 'zoe@water.example' });
    });
    expect(dialogs).toEqual([]);
  });
});
