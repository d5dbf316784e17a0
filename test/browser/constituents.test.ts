import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { browserHarness, poll } from './harness.ts';

/**
 * Constituents in a real browser (Debian's Chromium) against a real Vigil process. An admin
 * creates a constituent with a netblock, a domain and a contact; a broken PGP key is refused with
 * its reason; a nested netblock of another constituent shows an overlap warning; the "whose is
 * this?" box routes an address, a URL and an e-mail address; a CSV import with a bad row is refused
 * row by row; a name made of markup is shown as text.
 *
 * Screenshots go to VIGIL_BROWSER_SHOTS (default /tmp/vigil-shots) as constituents-*.png.
 */
const ADMIN_INITIAL = 'Initial-Admin-Pass-1';
const ADMIN_CHOSEN = 'Browser-Chosen-Passphrase-2026';
const XSS = '<img src=x onerror=alert(1)>';

describe('constituents in Chromium', () => {
  const shots = process.env.VIGIL_BROWSER_SHOTS ?? '/tmp/vigil-shots';
  const dialogs: string[] = [];
  const h = browserHarness('vigil-browser-con-', ADMIN_INITIAL, (page) => {
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    mkdirSync(shots, { recursive: true });
  });
  const { step, byTest, firstSignIn, signOut, call, choose } = h;
  const shot = async (name: string) => {
    await h.page.evaluate('window.scrollTo(0, 0)');
    await h.page.screenshot({ path: join(shots, `constituents-${name}.png`), fullPage: true });
  };

  it('keeps constituents, warns of overlaps, routes what is typed and imports CSV all or nothing', async () => {
    const key = await openpgp.generateKey({ type: 'curve25519', userIDs: [{ name: 'SOC', email: 'soc@water.example' }], format: 'armored' });
    const lines = key.publicKey.trim().split('\n');
    const broken = [lines[0], '', ...lines.slice(2, 4), ...lines.slice(-2)].join('\n');

    await step('sign-in', async () => firstSignIn('admin', ADMIN_INITIAL, ADMIN_CHOSEN));

    await step('create-with-bad-key', async () => {
      await byTest('nav-constituents').click();
      await byTest('constituent-create').click();
      await byTest('cf-name').fill('Water Board');
      await byTest('cf-sector').fill('Water');
      await choose('cf-criticality', 'critical');
      await byTest('cf-netblocks').fill('198.18.0.0/15\n2001:db8:77::/48');
      await byTest('cf-domains').fill('water.example');
      await byTest('cf-add-contact').click();
      await byTest('cf-contact-email').fill('soc@water.example');
      await byTest('cf-contact-pgp').fill(broken);
      await byTest('cf-save').click();
      await poll(() => byTest('cf-problem').innerText()).toContain('Contact 1: not an OpenPGP public key');
      await shot('pgp-refused');
      await byTest('cf-contact-pgp').fill(key.publicKey);
      await byTest('cf-save').click();
      await poll(() => byTest('netblocks').innerText()).toContain('198.18.0.0/15');
      expect((await byTest('constituent-criticality').innerText()).toLowerCase()).toContain('critical');
      expect(await byTest('contacts-table').innerText()).toContain('soc@water.example');
    });

    await step('overlap-warning', async () => {
      const r = await call<{ warnings: unknown[] }>('POST', '/constituents', { name: XSS, netblocks: ['198.18.5.0/24'] });
      expect(r.status).toBe(201);
      expect(r.json.warnings).toHaveLength(1);
      await h.page.reload();
      await poll(() => byTest('overlap-warnings').innerText()).toContain('198.18.5.0/24');
      expect(await byTest('overlap-warnings').innerText()).toContain(XSS);
      await shot('page');
    });

    await step('route-box', async () => {
      await byTest('nav-constituents').click();
      await byTest('route-input').fill('198.18.5.9');
      await byTest('route-submit').click();
      await poll(() => byTest('route-answer').innerText()).toContain(`belongs to ${XSS}`);
      expect(await byTest('route-answer').innerText()).toContain('198.18.5.0/24');
      await byTest('route-input').fill('https://www.water.example/login');
      await byTest('route-submit').click();
      await poll(() => byTest('route-answer').innerText()).toContain('belongs to Water Board');
      await byTest('route-input').fill('someone@elsewhere.example');
      await byTest('route-submit').click();
      await poll(() => byTest('route-answer').innerText()).toContain('belongs to no constituent');
      await byTest('route-input').fill('2001:db8:77::1');
      await byTest('route-submit').click();
      await poll(() => byTest('route-answer').innerText()).toContain('by its netblock 2001:db8:77::/48');
      await shot('list');
    });

    await step('csv-import-refused-then-done', async () => {
      await byTest('constituent-import').click();
      await byTest('import-text').fill('name,criticality,netblocks\nGood Co,low,203.0.113.0/24\nBad Co,low,203.0.113.9/24\n');
      await byTest('import-run').click();
      await poll(() => byTest('import-errors').innerText()).toContain('host bits are set: the network is 203.0.113.0/24');
      expect(await byTest('import-errors').innerText()).toContain('Row 3');
      await shot('import-refused');
      await byTest('import-text').fill('name,criticality,netblocks\nGood Co,low,203.0.113.0/24\nBad Co,low,203.0.114.0/24\n');
      await byTest('import-run').click();
      await poll(() => byTest('constituents-table').innerText()).toContain('Bad Co');
      expect(await byTest('constituents-table').locator('tr').count()).toBe(4);
    });

    await step('triage-suggests-constituent', async () => {
      const made = await call<{ temporaryPassword: string }>('POST', '/users', { username: 'hanna', displayName: 'Hanna Handler', roles: ['handler'] });
      expect(made.status).toBe(201);
      await signOut();
      await firstSignIn('hanna', made.json.temporaryPassword, 'Quiet-Harbour-Lantern-2026');
      const rep = await call<{ reference: string }>('POST', '/reports', {
        title: 'Port scan', body: 'We saw a port scan from 198.18.77.1 this morning.', channel: 'email', reporterEmail: 'noc@water.example',
      });
      expect(rep.status).toBe(201);
      await h.page.goto(`${h.base}/triage/report/${rep.json.reference}`);
      await poll(() => byTest('suggested-constituents').innerText()).toContain('Water Board');
      expect(await byTest('suggested-constituents').innerText()).toContain('Impact raised: Water Board is of critical criticality');
      await byTest('suggestion').scrollIntoViewIfNeeded();
      await h.page.screenshot({ path: join(shots, 'constituents-triage.png'), fullPage: true });
    });

    expect(dialogs).toEqual([]);
  }, 240_000);
});
