import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserHarness, poll } from './harness.ts';

/**
 * The monthly KPI page in a real browser (Debian's Chromium) against a real Vigil process. The
 * admin, who is also a manager, declares three incidents this month through the API (one an
 * exercise, one closed as a false positive) and records a constituency meeting; the page shows the
 * tiles, each KPI with its target met or missed, the charts, and downloads the CSV.
 *
 * Screenshots go to VIGIL_BROWSER_SHOTS (default /tmp/vigil-shots) as kpi-*.png.
 */
const ADMIN_INITIAL = 'Initial-Admin-Pass-1';
const ADMIN_CHOSEN = 'Browser-Chosen-Passphrase-2026';

describe('KPI page in Chromium', () => {
  const shots = process.env.VIGIL_BROWSER_SHOTS ?? '/tmp/vigil-shots';
  const h = browserHarness('vigil-browser-kpi-', ADMIN_INITIAL, () => mkdirSync(shots, { recursive: true }));
  const { step, byTest, firstSignIn, call } = h;
  const shot = async (name: string) => h.page.screenshot({ path: join(shots, `kpi-${name}.png`), fullPage: true });

  it('shows the month against its targets, with charts and the CSV', async () => {
    await step('seed', async () => {
      await firstSignIn('admin', ADMIN_INITIAL, ADMIN_CHOSEN);
      const me = await call<{ user: { id: string } }>('GET', '/auth/me');
      expect((await call('PATCH', `/users/${me.json.user.id}`, { roles: ['admin', 'manager'] })).status).toBe(200);
      const declare = async (over: object) => {
        const r = await call<{ reference: string; version: number }>('POST', '/incidents', {
          title: 'Incident', impact: 'medium', urgency: 'medium', classifications: [{ class: 'fraud', type: 'phishing' }], ...over,
        });
        expect(r.status).toBe(201);
        return r.json;
      };
      await declare({ title: 'Phishing wave', classifications: [{ class: 'fraud', type: 'phishing' }] });
      const fp = await declare({ title: 'Scanner noise', impact: 'low', urgency: 'low', classifications: [{ class: 'information-gathering', type: 'scanner' }] });
      expect((await call('POST', `/incidents/${fp.reference}/close`, { version: fp.version, resolution: 'false_positive' })).status).toBe(200);
      await declare({ title: 'Tabletop', impact: 'critical', urgency: 'critical', exercise: true });
      expect((await call('POST', '/activities', { kind: 'constituency_meeting', title: 'Monthly with the ministries', startsAt: new Date().toISOString() })).status).toBe(201);
    });

    await step('monthly-page', async () => {
      await h.page.goto(`${h.base}/kpi`);
      await poll(() => byTest('kpi-tile-declared').textContent()).toContain('2');
      expect(await byTest('kpi-tile-declared').textContent()).toContain('1 exercises, 0 duplicates left out');
      expect(await byTest('kpi-tile-closed').textContent()).toContain('1');
      const meetings = byTest('kpi-card-constituency_meetings');
      expect(await meetings.getByTestId('kpi-value').textContent()).toBe('1');
      expect(await meetings.getByTestId('kpi-met').textContent()).toBe('Target met');
      // No P1 incident counted (the exercise is left out): nothing to measure.
      expect(await byTest('kpi-card-sla_breaches_critical').getByTestId('kpi-met').textContent()).toBe('No data');
      expect(await byTest('kpi-card-awareness_campaigns').getByTestId('kpi-met').textContent()).toBe('Target missed');
      expect(await byTest('kpi-by-resolution').textContent()).toContain('False positive');
      expect(await byTest('kpi-trend').locator('svg').count()).toBe(1);
      expect(await byTest('kpi-class-chart').getByRole('img', { name: 'Incidents by RSIT class' }).count()).toBe(1);
      expect(await byTest('kpi-activities').textContent()).toContain('Monthly with the ministries');
      await shot('month');
    });

    await step('csv-and-pdf', async () => {
      const month = await byTest('kpi-month').inputValue();
      const csv = await h.page.evaluate(async (m) => (await fetch(`/api/v1/kpi/monthly/export?month=${m}&format=csv`)).text(), month);
      expect(csv).toContain('kpi,constituency_meetings,Meetings with the constituency,1,count,>= 1,yes');
      const pdf = await h.page.evaluate(async (m) => {
        const r = await fetch(`/api/v1/kpi/reports/monthly?month=${m}&format=pdf`);
        return { status: r.status, type: r.headers.get('content-type'), head: new TextDecoder().decode((await r.arrayBuffer()).slice(0, 5)) };
      }, month);
      expect(pdf).toEqual({ status: 200, type: 'application/pdf', head: '%PDF-' });
      await byTest('kpi-downloads').click();
      expect(await byTest('kpi-report-pdf').getAttribute('href')).toBe(`/api/v1/kpi/reports/monthly?month=${month}&format=pdf`);
      await h.page.keyboard.press('Escape');
    });

    await step('report-schedule', async () => {
      await byTest('schedule-new').click();
      const recipients = byTest('schedule-recipients');
      await recipients.fill('management@example.org');
      await recipients.press('Enter');
      await byTest('schedule-save').click();
      await poll(() => byTest('schedule-row').count()).toBe(1);
      expect(await byTest('schedule-row').textContent()).toContain('management@example.org');
      await byTest('annual-report').scrollIntoViewIfNeeded();
      await shot('reports');
    });

    await step('earlier-month', async () => {
      await byTest('kpi-month').selectOption({ index: 1 });
      await poll(() => byTest('kpi-tile-declared').textContent()).toContain('0');
      expect(await byTest('kpi-card-constituency_meetings').getByTestId('kpi-met').textContent()).toBe('Target missed');
    });
  });
});
