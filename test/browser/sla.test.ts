import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserHarness, poll } from './harness.ts';

/**
 * SLA policies in a real browser (Debian's Chromium) against a real Vigil process. The admin sees the
 * defaults of migration 0024 in words (P3: Mon–Fri 09:00–17:00 UTC, acknowledge 4 h, resolution 5
 * working days), moves P3 to Europe/Berlin with a holiday and a 2 h acknowledge target, is stopped
 * by a time zone that does not exist, saves over a version someone else stored meanwhile, creates a
 * P1 policy for a constituent with an SLA agreement and deletes the team's P4 policy. A viewer sees
 * the same tables without any edit button.
 *
 * Screenshots go to VIGIL_BROWSER_SHOTS (default /tmp/vigil-shots) as sla-*.png.
 */
const ADMIN_INITIAL = 'Initial-Admin-Pass-1';
const ADMIN_CHOSEN = 'Browser-Chosen-Passphrase-2026';
const VIEWER_CHOSEN = 'Quiet-Harbour-Lantern-2026';
const CONSTITUENT = 'Stadtwerke Nord';

interface Policy { id: string; priority: string; constituentId: string | null; version: number; calendar: { kind: string; timeZone: string; days: number[]; start: string; end: string; holidays: string[] }; acknowledgeMinutes: number | null; resolutionMinutes: number | null; warnPercent: number }

describe('SLA policies in Chromium', () => {
  const shots = process.env.VIGIL_BROWSER_SHOTS ?? '/tmp/vigil-shots';
  const h = browserHarness('vigil-browser-sla-', ADMIN_INITIAL, () => mkdirSync(shots, { recursive: true }));
  const { step, byTest, firstSignIn, signOut, call, choose } = h;
  const shot = async (name: string) => h.page.screenshot({ path: join(shots, `sla-${name}.png`), fullPage: true });
  const teamRow = (p: string) => h.page.locator(`[data-testid="sla-team-table"] [data-testid="sla-row"][data-priority="${p}"]`);
  const cell = (p: string, id: string) => teamRow(p).getByTestId(id).innerText();
  const policies = async () => (await call<{ items: Policy[] }>('GET', '/sla/policies')).json.items;
  const closed = () => byTest('sla-form').waitFor({ state: 'detached' });

  it('shows, edits, creates and deletes policies; a viewer only reads them', async () => {
    let viewerPassword = '';
    let constituentId = '';
    await step('setup', async () => {
      await firstSignIn('admin', ADMIN_INITIAL, ADMIN_CHOSEN);
      const v = await call<{ temporaryPassword: string }>('POST', '/users', { username: 'vera', displayName: 'Vera Viewer', roles: ['viewer'] });
      expect(v.status).toBe(201);
      viewerPassword = v.json.temporaryPassword;
      const c = await call<{ id: string }>('POST', '/constituents', {
        name: CONSTITUENT, sector: 'energy', agreements: [{ kind: 'sla', reference: 'SLA-2024-07', startsOn: '2024-01-01', endsOn: null }],
      });
      expect(c.status).toBe(201);
      constituentId = c.json.id;
    });

    await step('defaults-in-words', async () => {
      await byTest('nav-sla').click();
      await poll(() => teamRow('P3').getByTestId('sla-calendar-text').innerText()).toBe('Mon–Fri 09:00–17:00 UTC');
      expect(await cell('P1', 'sla-calendar-text')).toBe('24x7 UTC');
      expect(await cell('P1', 'sla-acknowledgeMinutes')).toBe('15 min');
      expect(await cell('P1', 'sla-resolutionMinutes')).toBe('1 d');
      expect(await cell('P2', 'sla-resolutionMinutes')).toBe('3 d');
      // Business hours: a day is one working day of 8 h, so 2,400 working minutes are 5 days.
      expect(await cell('P3', 'sla-acknowledgeMinutes')).toBe('4 h');
      expect(await cell('P3', 'sla-containmentMinutes')).toBe('—');
      expect(await cell('P3', 'sla-resolutionMinutes')).toBe('5 d');
      expect(await cell('P4', 'sla-firstResponseMinutes')).toBe('2 d');
      expect(await cell('P3', 'sla-warn-text')).toBe('80 %');
      await byTest('sla-no-constituent-policies').waitFor();
      await shot('list');
    });

    await step('edit-p3', async () => {
      await teamRow('P3').getByTestId('sla-edit').click();
      // Around the clock has no business hours nor holidays; back to business hours shows them again.
      await byTest('sla-calendar-kind').getByText('Around the clock').click();
      await byTest('sla-start').waitFor({ state: 'detached' });
      await byTest('sla-calendar-kind').getByText('Business hours').click();
      expect(await byTest('sla-start').inputValue()).toBe('09:00');
      expect(await byTest('sla-end').inputValue()).toBe('17:00');
      await byTest('sla-timezone').fill('Europe/Berlin');
      await byTest('sla-timezone').press('Tab');
      await byTest('sla-holiday-date').fill('2026-12-24');
      await byTest('sla-holiday-add').click();
      await poll(() => byTest('sla-holiday').allInnerTexts()).toEqual(['2026-12-24']);
      expect(await byTest('sla-day-note').innerText()).toContain('A day is one working day of this calendar (8 h).');
      expect(await byTest('sla-target-acknowledgeMinutes-amount').inputValue()).toBe('4');
      expect(await byTest('sla-target-acknowledgeMinutes-unit').inputValue()).toBe('hours');
      expect(await byTest('sla-target-resolutionMinutes-amount').inputValue()).toBe('5');
      expect(await byTest('sla-target-resolutionMinutes-unit').inputValue()).toBe('days');
      await byTest('sla-target-acknowledgeMinutes-amount').fill('2');
      await shot('edit-p3');
      await byTest('sla-save').click();
      await closed();
      await poll(() => cell('P3', 'sla-calendar-text')).toBe('Mon–Fri 09:00–17:00 Europe/Berlin, 1 holiday');
      expect(await cell('P3', 'sla-acknowledgeMinutes')).toBe('2 h');
      const p3 = (await policies()).find((p) => p.priority === 'P3' && !p.constituentId)!;
      expect(p3.calendar).toEqual({ kind: 'business_hours', timeZone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', holidays: ['2026-12-24'] });
      expect(p3.acknowledgeMinutes).toBe(120);
      expect(p3.resolutionMinutes).toBe(2400);
    });

    await step('bad-time-zone', async () => {
      await teamRow('P3').getByTestId('sla-edit').click();
      await byTest('sla-timezone').fill('Europe/Berlinn');
      await byTest('sla-timezone').press('Tab');
      await poll(() => byTest('sla-calendar').innerText()).toContain('Unknown time zone: Europe/Berlinn');
      expect(await byTest('sla-save').isDisabled()).toBe(true);
      await shot('bad-zone');
      // Ends before it starts: refused in the form too.
      await byTest('sla-timezone').fill('Europe/Berlin');
      await byTest('sla-timezone').press('Tab');
      await byTest('sla-end').fill('08:00');
      await poll(() => byTest('sla-calendar').innerText()).toContain('Must be after the start');
      expect(await byTest('sla-save').isDisabled()).toBe(true);
      await h.page.getByRole('button', { name: 'Cancel' }).click();
      await closed();
      expect(await cell('P3', 'sla-calendar-text')).toBe('Mon–Fri 09:00–17:00 Europe/Berlin, 1 holiday');
    });

    await step('server-problems', async () => {
      // The server's own check, as problem+json: no target at all.
      const p2 = (await policies()).find((p) => p.priority === 'P2' && !p.constituentId)!;
      const r = await call<{ code: string; problems: string[] }>('PUT', `/sla/policies/${p2.id}`, {
        ...p2, acknowledgeMinutes: null, firstResponseMinutes: null, containmentMinutes: null, resolutionMinutes: null, calendar: { ...p2.calendar, timeZone: 'Mars/Olympus' },
      });
      expect(r.status).toBe(422);
      expect(r.json.problems).toContain('unknown time zone: Mars/Olympus');
    });

    await step('version-conflict', async () => {
      await teamRow('P1').getByTestId('sla-edit').click();
      // Someone else stores P1 meanwhile.
      const p1 = (await policies()).find((p) => p.priority === 'P1' && !p.constituentId)!;
      const other = await call<Policy>('PUT', `/sla/policies/${p1.id}`, { ...p1, warnPercent: 90 });
      expect(other.status).toBe(200);
      await byTest('sla-target-acknowledgeMinutes-amount').fill('10');
      await byTest('sla-save').click();
      await poll(() => byTest('sla-problem-text').innerText()).toContain('Someone saved this policy meanwhile');
      await byTest('sla-load-theirs').waitFor();
      await shot('conflict');
      // Saving again replaces their version with this one.
      await byTest('sla-save').click();
      await closed();
      await poll(() => cell('P1', 'sla-acknowledgeMinutes')).toBe('10 min');
      const after = (await policies()).find((p) => p.id === p1.id)!;
      expect(after).toMatchObject({ acknowledgeMinutes: 10, warnPercent: 80, version: other.json.version + 1 });
    });

    await step('create-constituent-policy', async () => {
      await byTest('sla-new').click();
      await byTest('sla-priority').getByText('P1').click();
      await byTest('sla-constituent').fill('Stadt');
      await h.page.getByRole('option', { name: CONSTITUENT, exact: true }).click();
      await poll(() => byTest('sla-form').getByTestId('sla-agreement').getAttribute('data-value')).toBe('in-force');
      await byTest('sla-calendar-kind').getByText('Around the clock').click();
      await poll(() => byTest('sla-day-note').innerText()).toContain('A day is one working day of this calendar (24 h).');
      await byTest('sla-timezone').fill('Europe/Berlin');
      await byTest('sla-timezone').press('Tab');
      await byTest('sla-target-acknowledgeMinutes-amount').fill('10');
      await choose('sla-target-acknowledgeMinutes-unit', 'minutes');
      await byTest('sla-target-resolutionMinutes-amount').fill('1.5');
      await choose('sla-target-resolutionMinutes-unit', 'days');
      await byTest('sla-warn').fill('75');
      await shot('create');
      await byTest('sla-save').click();
      await closed();
      const group = h.page.locator(`[data-testid="sla-constituent-group"][data-name="${CONSTITUENT}"]`);
      await group.waitFor();
      const row = group.locator('[data-testid="sla-row"][data-priority="P1"]');
      expect(await row.getByTestId('sla-calendar-text').innerText()).toBe('24x7 Europe/Berlin');
      expect(await row.getByTestId('sla-acknowledgeMinutes').innerText()).toBe('10 min');
      expect(await row.getByTestId('sla-resolutionMinutes').innerText()).toBe('1 d 12 h');
      expect(await row.getByTestId('sla-firstResponseMinutes').innerText()).toBe('—');
      expect(await row.getByTestId('sla-warn-text').innerText()).toBe('75 %');
      await poll(() => group.getByTestId('sla-agreement').innerText()).toContain('SLA-2024-07 in force');
      const own = (await policies()).find((p) => p.constituentId === constituentId)!;
      expect(own).toMatchObject({ priority: 'P1', acknowledgeMinutes: 10, resolutionMinutes: 2160, warnPercent: 75, calendar: { kind: '24x7', timeZone: 'Europe/Berlin', holidays: [] } });
      // The same priority for the same constituent again: the clash is said in words.
      await byTest('sla-new').click();
      await byTest('sla-priority').getByText('P1').click();
      await byTest('sla-constituent').fill('Stadt');
      await h.page.getByRole('option', { name: CONSTITUENT, exact: true }).click();
      await byTest('sla-target-acknowledgeMinutes-amount').fill('1');
      await byTest('sla-save').click();
      await poll(() => byTest('sla-problem-text').innerText()).toBe(`${CONSTITUENT} already has a P1 policy. Edit that one instead.`);
      await h.page.getByRole('button', { name: 'Cancel' }).click();
      await closed();
      await shot('with-constituent');
    });

    await step('delete-p4', async () => {
      await teamRow('P4').getByTestId('sla-delete').click();
      await byTest('confirm-button').click();
      await byTest('confirm-button').waitFor({ state: 'detached' });
      await poll(() => teamRow('P4').getAttribute('data-missing')).toBe('true');
      expect(await teamRow('P4').innerText()).toContain('No policy: incidents of this priority have no SLA clocks.');
      expect((await policies()).filter((p) => !p.constituentId).map((p) => p.priority).sort()).toEqual(['P1', 'P2', 'P3']);
      await signOut();
    });

    await step('viewer-reads-only', async () => {
      await firstSignIn('vera', viewerPassword, VIEWER_CHOSEN);
      await byTest('nav-sla').click();
      await poll(() => cell('P3', 'sla-calendar-text')).toBe('Mon–Fri 09:00–17:00 Europe/Berlin, 1 holiday');
      expect(await cell('P3', 'sla-acknowledgeMinutes')).toBe('2 h');
      await h.page.locator(`[data-testid="sla-constituent-group"][data-name="${CONSTITUENT}"]`).waitFor();
      for (const id of ['sla-new', 'sla-edit', 'sla-delete', 'sla-create-here', 'sla-group-add']) expect(await byTest(id).count()).toBe(0);
      await shot('viewer');
    });
  });
});
