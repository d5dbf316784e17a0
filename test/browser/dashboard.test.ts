import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserHarness, poll } from './harness.ts';

/**
 * The operations dashboard in a real browser (Debian's Chromium) against a real Vigil process. The
 * admin tightens the team's P2 and P3 SLA policies (acknowledge within 2 and 1 minutes, warning at
 * half) and puts a handler on a 24/7 rota; a manager declares a P3, a P2, a RED P4 and an exercise.
 * The manager's dashboard counts three open incidents (the exercise apart), draws the stacked chart
 * with its hidden data table and shows the handler on duty. The handler, who may not see the RED
 * incident, counts two; she logs two reports, which the intake tile and chart show. A minute
 * later the P3's acknowledge clock is overdue (a red row) and the P2's at risk, both linking to
 * their incidents.
 *
 * Screenshots go to VIGIL_BROWSER_SHOTS (default /tmp/vigil-shots) as dashboard-*.png.
 */
const ADMIN_INITIAL = 'Initial-Admin-Pass-1';
const ADMIN_CHOSEN = 'Browser-Chosen-Passphrase-2026';
const HANNA_CHOSEN = 'Quiet-Harbour-Lantern-2026';
const MIRA_CHOSEN = 'Amber-Orchard-Compass-2026';
const NIGHTS = { kind: 'shifts_24x7', shifts: [{ start: '06:00', end: '14:00' }, { start: '14:00', end: '22:00' }, { start: '22:00', end: '06:00' }] };

describe('operations dashboard in Chromium', () => {
  const shots = process.env.VIGIL_BROWSER_SHOTS ?? '/tmp/vigil-shots';
  const h = browserHarness('vigil-browser-dashboard-', ADMIN_INITIAL, () => mkdirSync(shots, { recursive: true }));
  const { step, byTest, firstSignIn, signOut, call } = h;
  const shot = async (name: string) => h.page.screenshot({ path: join(shots, `dashboard-${name}.png`), fullPage: true });
  const tile = (id: string) => byTest(`tile-${id}-value`).textContent();

  it('shows counts, charts, who is on duty, intake and the SLA clocks at risk, each within the caller’s scope', async () => {
    let hannaTemp = '';
    const refs: Record<string, string> = {};
    let declaredAt = 0;
    let miraTemp = '';
    await step('admin-sets-up', async () => {
      await firstSignIn('admin', ADMIN_INITIAL, ADMIN_CHOSEN);
      const users: Record<string, { temporaryPassword: string; user: { id: string } }> = {};
      for (const [username, displayName, role] of [['hanna', 'Hanna Handler', 'handler'], ['mira', 'Mira Manager', 'manager']] as const) {
        const u = await call<{ temporaryPassword: string; user: { id: string } }>('POST', '/users', { username, displayName, roles: [role] });
        expect(u.status).toBe(201);
        users[username] = u.json;
      }
      hannaTemp = users.hanna!.temporaryPassword;
      miraTemp = users.mira!.temporaryPassword;
      const policies = await call<{ items: { id: string; priority: string; constituentId: string | null; version: number }[] }>('GET', '/sla/policies');
      for (const [priority, minutes] of [['P3', 1], ['P2', 2]] as const) {
        const p = policies.json.items.find((x) => x.priority === priority && x.constituentId === null)!;
        const r = await call('PUT', `/sla/policies/${p.id}`, {
          priority, calendar: { kind: '24x7', timeZone: 'UTC' }, acknowledgeMinutes: minutes, warnPercent: 50, version: p.version,
        });
        expect(r.status).toBe(200);
      }
      expect((await call('POST', '/oncall/rotas', { name: 'SOC 24/7', timeZone: 'Europe/Berlin', pattern: NIGHTS, members: [users.hanna!.user.id], anchorDate: '2026-03-01' })).status).toBe(201);
      await signOut();
    });

    await step('manager-declares-and-reads-the-dashboard', async () => {
      await firstSignIn('mira', miraTemp, MIRA_CHOSEN);
      declaredAt = Date.now();
      const declare = async (key: string, over: object) => {
        const r = await call<{ reference: string; priority: string }>('POST', '/incidents', {
          title: `Dashboard ${key}`, impact: 'medium', urgency: 'medium', classifications: [{ class: 'fraud', type: 'phishing' }], ...over,
        });
        expect(r.status).toBe(201);
        refs[key] = r.json.reference;
        return r.json;
      };
      expect((await declare('phishing wave', {})).priority).toBe('P3');
      expect((await declare('ransomware at the hospital', { impact: 'high' })).priority).toBe('P2');
      expect((await declare('secret takedown', { impact: 'low', urgency: 'low', tlp: 'RED' })).priority).toBe('P4');
      await declare('tabletop drill', { exercise: true });
      await h.page.goto(h.base);
      await byTest('operations-dashboard').waitFor();
      await poll(() => tile('open')).toBe('3');
      expect(await byTest('tile-open').textContent()).toContain('and 1 exercise');
      expect(await tile('p1')).toBe('0');
      // The chart is drawn (SVG) with an accessible name and its numbers as a hidden table.
      const chart = byTest('chart-open-incidents');
      await poll(() => chart.locator('svg rect, svg path').count()).toBeGreaterThan(3);
      expect(await chart.getByRole('img').getAttribute('aria-label')).toBe('Open incidents by priority and status: P1 0, P2 1, P3 1, P4 1');
      expect(await chart.locator('table tbody tr').allTextContents()).toEqual(['P10000000', 'P21000001', 'P31000001', 'P41000001']);
      expect(await byTest('on-duty').textContent()).toContain('Hanna Handler');
      expect(await tile('unparsed')).toBe('0');
      await shot('manager');
      await signOut();
    });

    await step('handler-dashboard', async () => {
      await firstSignIn('hanna', hannaTemp, HANNA_CHOSEN);
      for (const [title, channel] of [['Phishing mail at the town hall', 'email'], ['Caller reports defaced site', 'phone']] as const) {
        expect((await call('POST', '/reports', { title, channel })).status).toBe(201);
      }
      await h.page.goto(h.base);
      await byTest('operations-dashboard').waitFor();
      await poll(() => tile('open')).toBe('2'); // the RED incident is not hers to see
      expect(await tile('reports')).toBe('2');
      expect(await tile('unparsed')).toBe('0');
      const intake = byTest('chart-intake');
      await poll(() => intake.locator('svg path, svg rect').count()).toBeGreaterThan(3);
      expect(await intake.getByRole('img').getAttribute('aria-label')).toContain('2 in all');
      expect(await intake.locator('table thead th').allTextContents()).toEqual(['Hour', 'Email', 'Phone', 'Total']);
      expect(await byTest('on-duty').textContent()).toContain('Hanna Handler');
      expect(await h.page.textContent('body')).not.toContain('secret takedown');
    });

    await step('clocks-at-risk', async () => {
      // The P3's acknowledge clock is due a minute after it was declared; the P2's warns then.
      const wait = declaredAt + 63_000 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await h.page.reload();
      const table = byTest('at-risk-table');
      await poll(() => table.locator('tbody tr').count()).toBe(2);
      const rows = table.locator('tbody tr');
      expect(await rows.nth(0).textContent()).toContain('Dashboard phishing wave');
      expect(await rows.nth(0).getAttribute('data-breached')).toBe('true');
      expect(await rows.nth(0).textContent()).toMatch(/Overdue \d+ min/);
      expect(await rows.nth(1).textContent()).toContain('Dashboard ransomware at the hospital');
      expect(await rows.nth(1).getAttribute('data-breached')).toBeNull();
      expect(await rows.nth(1).textContent()).toMatch(/(\d+ min|< 1 min) left/);
      expect(await tile('at-risk')).toBe('2');
      expect(await tile('breached')).toBe('1');
      await shot('handler');
      await rows.nth(0).getByRole('link', { name: refs['phishing wave']! }).click();
      await poll(() => h.page.url()).toContain(`/incidents/${refs['phishing wave']}`);
    });
  });
});
