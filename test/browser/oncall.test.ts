import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserHarness, poll } from './harness.ts';

/**
 * On-call in a real browser (Debian's Chromium) against a real Vigil process. The admin creates a
 * 24/7 rota through the form (kind, members) and a business-hours rota through the API; the page
 * shows who is on duty now, the week calendar with shifts per person and the uncovered nights of
 * the business-hours rota, and moves a week on. A handler asks a colleague to take one of her
 * shifts by clicking it; the colleague accepts, and the shift is shown as a swap.
 *
 * Screenshots go to VIGIL_BROWSER_SHOTS (default /tmp/vigil-shots) as oncall-*.png.
 */
const ADMIN_INITIAL = 'Initial-Admin-Pass-1';
const ADMIN_CHOSEN = 'Browser-Chosen-Passphrase-2026';
const HANNA_CHOSEN = 'Quiet-Harbour-Lantern-2026';
const HENRIK_CHOSEN = 'Copper-Kettle-Morning-2026';

describe('on-call in Chromium', () => {
  const shots = process.env.VIGIL_BROWSER_SHOTS ?? '/tmp/vigil-shots';
  const h = browserHarness('vigil-browser-oncall-', ADMIN_INITIAL, () => mkdirSync(shots, { recursive: true }));
  const { step, byTest, firstSignIn, signOut, call, choose } = h;
  const shot = async (name: string) => h.page.screenshot({ path: join(shots, `oncall-${name}.png`), fullPage: true });

  it('creates rotas, shows who is on duty and the week, and swaps a shift', async () => {
    const temp: Record<string, string> = {};
    const ids: Record<string, string> = {};
    await step('admin-creates-rotas', async () => {
      await firstSignIn('admin', ADMIN_INITIAL, ADMIN_CHOSEN);
      for (const [username, displayName] of [['hanna', 'Hanna Handler'], ['henrik', 'Henrik Handler']] as const) {
        const r = await call<{ temporaryPassword: string; user: { id: string } }>('POST', '/users', { username, displayName, roles: ['handler'] });
        expect(r.status).toBe(201);
        temp[username] = r.json.temporaryPassword;
        ids[username] = r.json.user.id;
      }
      await h.page.goto(`${h.base}/oncall`);
      await byTest('rota-new').click();
      await byTest('rota-name').fill('SOC 24/7');
      await choose('rota-kind', '24/7 shifts');
      await choose('rota-members', 'Hanna Handler (hanna)');
      await choose('rota-members', 'Henrik Handler (henrik)');
      await h.page.keyboard.press('Escape');
      await choose('rota-zone', 'Europe/Berlin');
      // A gap between the second and third shift is refused, named in local time and UTC.
      const ends = h.page.getByLabel('to', { exact: true });
      await ends.nth(1).fill('21:00');
      await byTest('rota-save').click();
      await poll(() => byTest('error-alert').textContent()).toContain('nobody is on shift 21:00–22:00 Europe/Berlin');
      await shot('rota-form-gap');
      await ends.nth(1).fill('22:00');
      await byTest('rota-save').click();
      await poll(() => byTest('on-duty-person').count()).toBe(1);
      const bh = await call('POST', '/oncall/rotas', {
        name: 'Office hours', timeZone: 'Europe/Berlin', members: [ids.hanna], anchorDate: '2026-01-05',
        pattern: { kind: 'business_hours', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
      });
      expect(bh.status).toBe(201);
      await h.page.reload();
      await poll(() => byTest('oncall-now').locator('.mantine-Card-root').count()).toBe(2);
      await byTest('rota-picker').getByText('SOC 24/7').click();
      // A week of 24/7 shifts has 21 (or 22 with the one from Sunday night) blocks and nothing uncovered.
      await poll(() => byTest('oncall-shift').count()).toBeGreaterThanOrEqual(21);
      expect(await byTest('oncall-uncovered').count()).toBe(0);
      await expect.poll(() => byTest('zone-note').textContent()).toContain('the rota runs on Europe/Berlin time');
      // An override from the start of this hour for two hours (the form takes the viewer's local time).
      const local = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
      const inHour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000); // this hour: always in the week shown
      await byTest('override-new').click();
      await choose('override-user', 'Hanna Handler');
      await byTest('override-from').fill(local(inHour));
      await byTest('override-to').fill(local(new Date(inHour.getTime() + 2 * 3_600_000)));
      await byTest('override-save').click();
      await poll(() => byTest('override-list').locator('tbody tr').count()).toBe(1);
      await poll(() => h.page.locator('[data-testid="oncall-shift"][data-source="override"]').count()).toBeGreaterThanOrEqual(1);
      await shot('calendar-24x7');
    });

    await step('business-hours-show-uncovered-time', async () => {
      await byTest('rota-picker').getByText('Office hours').click();
      await poll(() => byTest('oncall-shift').count()).toBe(5);
      expect(await byTest('oncall-uncovered').count()).toBeGreaterThan(5);
      const label = await byTest('week-label').textContent();
      await byTest('week-next').click();
      await poll(() => byTest('week-label').textContent()).not.toBe(label);
      await poll(() => byTest('oncall-shift').count()).toBe(5);
      await shot('calendar-office');
      await signOut();
    });

    await step('handler-asks-for-a-swap', async () => {
      await firstSignIn('hanna', temp.hanna!, HANNA_CHOSEN);
      await h.page.goto(`${h.base}/oncall`);
      await byTest('rota-picker').getByText('SOC 24/7').click();
      await poll(() => byTest('oncall-shift').count()).toBeGreaterThanOrEqual(21);
      expect(await byTest('rota-new').count()).toBe(0); // handlers do not manage rotas
      await byTest('week-next').click();
      await poll(() => byTest('oncall-shift').count()).toBeGreaterThanOrEqual(21);
      await h.page.locator(`[data-testid="oncall-shift"][data-user="${ids.hanna}"]`).first().click();
      await choose('swap-to', 'Henrik Handler');
      await byTest('swap-save').click();
      await poll(() => byTest('swap-list').getByText('requested').count()).toBe(1);
      await shot('swap-requested');
      await signOut();
    });

    await step('colleague-accepts', async () => {
      await firstSignIn('henrik', temp.henrik!, HENRIK_CHOSEN);
      await h.page.goto(`${h.base}/oncall`);
      await byTest('rota-picker').getByText('SOC 24/7').click();
      await byTest('swap-accept').click();
      await poll(() => byTest('swap-list').getByText('accepted').count()).toBe(1);
      await byTest('week-next').click();
      await poll(() => h.page.locator('[data-testid="oncall-shift"][data-source="swap"]').count()).toBeGreaterThanOrEqual(1); // a night shift shows as two blocks
      await shot('swap-accepted');
    });
  }, 180_000);
});
