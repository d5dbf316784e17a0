import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { browserHarness, poll } from './harness.ts';

/**
 * The team and the external contact directory in a real browser (Debian's Chromium) against a
 * real Vigil process. A manager gives a handler seats and skills on /team and filters by seat;
 * creates a forensic firm on /contacts (a broken PGP key is refused at its field, a good one shows
 * its fingerprint), finds it by search and kind, sees "how to reach at any hour" first in its
 * panel; and puts it in a role of an incident, beside the team members. A name made of markup is
 * shown as text.
 *
 * Screenshots go to VIGIL_BROWSER_SHOTS (default /tmp/vigil-shots) as directory-*.png.
 */
const ADMIN_INITIAL = 'Initial-Admin-Pass-1';
const ADMIN_CHOSEN = 'Browser-Chosen-Passphrase-2026';
const MANAGER_CHOSEN = 'Copper-Kettle-Meadow-2026';
const XSS = '<img src=x onerror=alert(1)>';

describe('team and contact directory in Chromium', () => {
  const shots = process.env.VIGIL_BROWSER_SHOTS ?? '/tmp/vigil-shots';
  const dialogs: string[] = [];
  const h = browserHarness('vigil-browser-dir-', ADMIN_INITIAL, (page) => {
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    mkdirSync(shots, { recursive: true });
  });
  const { step, byTest, firstSignIn, signOut, call, choose } = h;
  const shot = async (name: string) => {
    await h.page.evaluate('window.scrollTo(0, 0)');
    await h.page.screenshot({ path: join(shots, `directory-${name}.png`), fullPage: true });
  };

  it('keeps the team and the contact directory, and puts a contact in an incident role', async () => {
    let managerTemporary = '';
    let handlerId = '';
    await step('admin-creates-accounts', async () => {
      await firstSignIn('admin', ADMIN_INITIAL, ADMIN_CHOSEN);
      const m = await call<{ temporaryPassword: string }>('POST', '/users', { username: 'maria', displayName: 'Maria Manager', roles: ['manager'] });
      expect(m.status).toBe(201);
      managerTemporary = m.json.temporaryPassword;
      const hd = await call<{ user: { id: string } }>('POST', '/users', { username: 'henrik', displayName: 'Henrik Handler', roles: ['handler'] });
      handlerId = hd.json.user.id;
      await signOut();
    });
    await step('manager-signs-in', async () => firstSignIn('maria', managerTemporary, MANAGER_CHOSEN));

    await step('team-edit-member', async () => {
      await byTest('nav-team').click();
      await poll(() => byTest('team-table').innerText()).toContain('Henrik Handler');
      await byTest('member-edit-henrik').click();
      await byTest('member-seats').click();
      await h.page.getByRole('option', { name: 'Duty officer', exact: true }).click();
      await h.page.getByRole('option', { name: 'Senior handler', exact: true }).click();
      await h.page.keyboard.press('Escape');
      await byTest('member-skills').fill('Windows Forensics');
      await h.page.keyboard.press('Enter');
      await byTest('member-skills').fill('malware');
      await h.page.keyboard.press('Enter');
      await byTest('member-phone').fill('+49 30 1234567');
      await byTest('member-tz').fill('Europe/Berl');
      await h.page.getByRole('option', { name: 'Europe/Berlin', exact: true }).click();
      await byTest('member-save').click();
      await poll(() => byTest('member-henrik').innerText()).toContain('windows-forensics');
      // Seat badges are upper case on screen.
      const row = (await byTest('member-henrik').innerText()).toLowerCase();
      expect(row).toContain('duty officer');
      expect(row).toContain('senior handler');
      expect(row).toContain('europe/berlin');
      const api = await call<{ seats: string[]; version: number }>('GET', `/team/members/${handlerId}`);
      expect(api.json).toMatchObject({ seats: ['duty_officer', 'senior_handler'], version: 1 });
    });

    await step('team-filter-by-seat', async () => {
      await choose('team-seat-filter', 'Duty officer');
      await poll(() => byTest('team-table').locator('tbody tr').count()).toBe(1);
      expect(await byTest('team-table').innerText()).not.toContain('Maria Manager');
      await shot('team');
    });

    const key = await openpgp.generateKey({ type: 'curve25519', userIDs: [{ name: 'Acme DFIR', email: 'ir@acme-dfir.example' }], format: 'armored' });
    const fingerprint = (await openpgp.readKey({ armoredKey: key.publicKey })).getFingerprint().toUpperCase();
    const lines = key.publicKey.trim().split('\n');
    const broken = [lines[0], '', ...lines.slice(2, 4), ...lines.slice(-2)].join('\n');

    await step('contact-create-with-key', async () => {
      await byTest('nav-contacts').click();
      await byTest('contact-create').click();
      await choose('contact-kind', 'Forensic firm');
      await byTest('contact-name').fill('Acme DFIR hotline');
      await byTest('contact-emergency-phone').fill('+49 30 555 0199');
      await byTest('contact-email').fill('ir@acme-dfir.example');
      await byTest('contact-pgp').fill(broken);
      await byTest('contact-save').click();
      await poll(() => byTest('contact-form').innerText()).toContain('could not be read');
      await shot('pgp-refused');
      await byTest('contact-pgp').fill(key.publicKey);
      await byTest('contact-save').click();
      await poll(() => byTest('contact-fingerprint').innerText()).toBe(fingerprint.replace(/(.{4})/g, '$1 ').trim());
      const reach = await byTest('contact-reach').innerText();
      expect(reach).toContain('How to reach them at any hour');
      expect(reach).toContain('24/7: +49 30 555 0199');
      await byTest('contact-form').waitFor({ state: 'hidden' });
      await h.page.waitForTimeout(400); // the drawer's slide-in
      await shot('contact-drawer');
      await h.page.keyboard.press('Escape');
    });

    await step('contact-search-and-kind', async () => {
      const created = await call('POST', '/contacts', { kind: 'law_enforcement', name: XSS, organisation: 'LKA Cybercrime', email: 'cc@lka.example', phone: '+49 30 4664 0' });
      expect(created.status).toBe(201);
      await h.page.reload();
      await poll(() => byTest('contacts-table').locator('tbody tr').count()).toBe(2);
      expect(await byTest('contacts-table').innerText()).toContain(XSS);
      await byTest('contact-search').fill('acme');
      await poll(() => byTest('contacts-table').locator('tbody tr').count()).toBe(1);
      await byTest('contact-search').fill('');
      await byTest('contact-kind-filter').getByText('Law enforcement', { exact: true }).click();
      await poll(() => byTest('contacts-table').innerText()).not.toContain('Acme DFIR hotline');
      await byTest('contact-kind-filter').getByText('All', { exact: true }).click();
      await poll(() => byTest('contacts-table').locator('tbody tr').count()).toBe(2);
      await shot('contacts');
    });

    await step('contact-in-incident-role', async () => {
      const inc = await call<{ id: string; reference: string }>('POST', '/incidents', {
        title: 'Ransomware on the file server', impact: 'high', urgency: 'high', classifications: [{ class: 'malicious-code', type: 'infected-system' }],
      });
      expect(inc.status).toBe(201);
      await h.page.goto(`${h.base}/incidents/${inc.json.reference}`);
      await byTest('tab-roles').click();
      // Choose only once the tab has settled (the contacts table loads after the team's roles).
      await poll(() => byTest('contact-roles-table').innerText()).toContain('No external contact holds a role');
      await poll(() => byTest('roles-table').innerText()).toContain('Maria Manager');
      await choose('contact-role-select', 'Analyst');
      await choose('contact-role-contact', 'Acme DFIR hotline · Forensic firm');
      await byTest('contact-role-add').click();
      await poll(() => byTest('contact-roles-table').innerText()).toContain('+49 30 555 0199');
      expect((await byTest('contact-roles-table').innerText()).toLowerCase()).toContain('analyst');
      const timeline = await call<{ items: { kind: string }[] }>('GET', `/incidents/${inc.json.id}/timeline`);
      expect(timeline.json.items.map((e) => e.kind)).toContain('incident.contact_role_assigned');
      await shot('incident-roles');
    });

    expect(dialogs).toEqual([]);
  }, 180_000);
});
