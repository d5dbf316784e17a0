import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserHarness, poll } from './harness.ts';

/**
 * Team activities and KPI definitions in a real browser (Debian's Chromium) against a real Vigil
 * process. A handler records a constituency meeting (with a constituent) and a training, edits the
 * meeting over a version someone else stored meanwhile, and deletes the training; a viewer reads the
 * year without any record, edit or delete button; a manager changes the critical SLA breach target
 * from "< 5" to "<= 3" (migration 0027's default) and is told by the server that an activity-count
 * KPI needs a kind, then creates it with one.
 *
 * Screenshots go to VIGIL_BROWSER_SHOTS (default /tmp/vigil-shots) as kpi-admin-*.png.
 */
const ADMIN_INITIAL = 'Initial-Admin-Pass-1';
const ADMIN_CHOSEN = 'Browser-Chosen-Passphrase-2026';
const CHOSEN = { hanna: 'Copper-Kettle-Meadow-2026', vera: 'Quiet-Harbour-Lantern-2026', mara: 'Silver-Birch-Compass-2026' };
const CONSTITUENT = 'Stadtwerke Nord';

interface Activity { id: string; kind: string; title: string; description: string; startsAt: string; endsAt: string | null; constituentId: string | null; constituentName: string | null; participants: number | null; tlp: string; version: number }
interface Definition { id: string; key: string; name: string; measure: string; params: Record<string, unknown>; targetOp: string | null; targetValue: number | null; enabled: boolean; position: number; version: number }

describe('Team activities and KPI definitions in Chromium', () => {
  const shots = process.env.VIGIL_BROWSER_SHOTS ?? '/tmp/vigil-shots';
  const h = browserHarness('vigil-browser-kpi-admin-', ADMIN_INITIAL, () => mkdirSync(shots, { recursive: true }));
  const { step, byTest, firstSignIn, signOut, call, choose } = h;
  const shot = async (name: string) => h.page.screenshot({ path: join(shots, `kpi-admin-${name}.png`), fullPage: true });
  const row = (title: string) => h.page.locator(`[data-testid="activity-row"][data-title="${title}"]`);
  const count = (kind: string) => h.page.locator(`[data-testid="activity-count"][data-kind="${kind}"] [data-testid="activity-count-value"]`).innerText();
  const defRow = (key: string) => h.page.locator(`[data-testid="kpi-def-row"][data-key="${key}"]`);
  const closed = (form: string) => byTest(form).waitFor({ state: 'detached' });
  /** A datetime-local value as the instant the browser (in its own time zone) sends. */
  const instant = (local: string) => h.page.evaluate((v) => new Date(v).toISOString(), local);

  it('records, edits and deletes activities, shows them read-only to a viewer, and edits KPI definitions', async () => {
    const passwords: Record<string, string> = {};
    let constituentId = '';
    let year = 0;
    let activities: () => Promise<Activity[]> = async () => [];

    await step('setup', async () => {
      await firstSignIn('admin', ADMIN_INITIAL, ADMIN_CHOSEN);
      for (const [username, displayName, role] of [['hanna', 'Hanna Handler', 'handler'], ['vera', 'Vera Viewer', 'viewer'], ['mara', 'Mara Manager', 'manager']] as const) {
        const u = await call<{ temporaryPassword: string }>('POST', '/users', { username, displayName, roles: [role] });
        expect(u.status).toBe(201);
        passwords[username] = u.json.temporaryPassword;
      }
      const c = await call<{ id: string }>('POST', '/constituents', { name: CONSTITUENT, sector: 'energy' });
      expect(c.status).toBe(201);
      constituentId = c.json.id;
      year = await h.page.evaluate(() => new Date().getFullYear());
      const range = await h.page.evaluate((y) => `from=${encodeURIComponent(new Date(y, 0, 1).toISOString())}&to=${encodeURIComponent(new Date(y + 1, 0, 1).toISOString())}`, year);
      activities = async () => (await call<{ items: Activity[] }>('GET', `/activities?${range}`)).json.items;
      await signOut();
    });

    await step('handler-records', async () => {
      await firstSignIn('hanna', passwords.hanna!, CHOSEN.hanna);
      await byTest('nav-activities').click();
      await poll(() => byTest('activity-table').innerText()).toContain(`No activity recorded in ${year}.`);
      expect(await byTest('activity-year').inputValue()).toBe(String(year));
      for (const k of ['constituency_meeting', 'awareness_campaign', 'training', 'exercise', 'other']) expect(await count(k)).toBe('0');

      await byTest('activity-new').click();
      expect(await byTest('activity-kind').inputValue()).toBe('Constituency meeting');
      await byTest('activity-title').fill('Constituency meeting Q1');
      await byTest('activity-starts').fill(`${year}-03-10T10:00`);
      await byTest('activity-ends').fill(`${year}-03-10T09:00`);
      await poll(() => byTest('activity-form').innerText()).toContain('Ends before it starts');
      expect(await byTest('activity-save').isDisabled()).toBe(true);
      await byTest('activity-ends').fill(`${year}-03-10T12:00`);
      await byTest('activity-constituent').fill('Stadt');
      await h.page.getByRole('option', { name: CONSTITUENT, exact: true }).click();
      await byTest('activity-participants').fill('14');
      await shot('record-meeting');
      await byTest('activity-save').click();
      await closed('activity-form');

      await byTest('activity-new').click();
      await choose('activity-kind', 'Training');
      await byTest('activity-title').fill('Incident handling training');
      await byTest('activity-starts').fill(`${year}-05-04T09:00`);
      await choose('activity-tlp', 'TLP:AMBER');
      await byTest('activity-save').click();
      await closed('activity-form');

      await poll(() => byTest('activity-row').count()).toBe(2);
      // Ordered by date; the meeting names its constituent and participants.
      expect(await byTest('activity-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-title')))).toEqual(['Constituency meeting Q1', 'Incident handling training']);
      expect(await row('Constituency meeting Q1').getByTestId('activity-kind-badge').innerText()).toMatch(/constituency meeting/i);
      expect(await row('Constituency meeting Q1').getByTestId('activity-constituent-name').innerText()).toBe(CONSTITUENT);
      expect(await row('Constituency meeting Q1').getByTestId('activity-participants-text').innerText()).toBe('14');
      expect(await row('Constituency meeting Q1').getByTestId('activity-tlp-badge').innerText()).toBe('TLP:GREEN');
      expect(await row('Incident handling training').getByTestId('activity-tlp-badge').innerText()).toBe('TLP:AMBER');
      expect(await row('Incident handling training').getByTestId('activity-constituent-name').innerText()).toBe('—');
      expect(await count('constituency_meeting')).toBe('1');
      expect(await count('training')).toBe('1');
      expect(await count('exercise')).toBe('0');

      const stored = await activities();
      const meeting = stored.find((a) => a.kind === 'constituency_meeting')!;
      expect(meeting).toMatchObject({
        title: 'Constituency meeting Q1', constituentId, constituentName: CONSTITUENT, participants: 14, tlp: 'GREEN',
        startsAt: await instant(`${year}-03-10T10:00`), endsAt: await instant(`${year}-03-10T12:00`),
      });
      expect(stored.find((a) => a.kind === 'training')).toMatchObject({ title: 'Incident handling training', endsAt: null, participants: null, tlp: 'AMBER', constituentId: null });
      await shot('activities');
    });

    await step('handler-edits-over-a-conflict', async () => {
      await row('Constituency meeting Q1').getByTestId('activity-edit').click();
      expect(await byTest('activity-starts').inputValue()).toBe(`${year}-03-10T10:00`);
      expect(await byTest('activity-constituent').inputValue()).toBe(CONSTITUENT);
      // Someone else stores the meeting meanwhile.
      const before = (await activities()).find((a) => a.kind === 'constituency_meeting')!;
      const other = await call<Activity>('PUT', `/activities/${before.id}`, { ...before, description: 'Minutes in the wiki.' });
      expect(other.status).toBe(200);
      await byTest('activity-title').fill('Quarterly constituency meeting');
      await byTest('activity-participants').fill('16');
      await byTest('activity-save').click();
      await poll(() => byTest('activity-problem-text').innerText()).toContain('Someone saved this activity meanwhile');
      await byTest('activity-load-theirs').waitFor();
      await shot('conflict');
      // Saving again replaces their version with this one.
      await byTest('activity-save').click();
      await closed('activity-form');
      await poll(() => row('Quarterly constituency meeting').getByTestId('activity-participants-text').innerText()).toBe('16');
      const after = (await activities()).find((a) => a.id === before.id)!;
      expect(after).toMatchObject({ title: 'Quarterly constituency meeting', participants: 16, description: '', version: other.json.version + 1, constituentId });
    });

    await step('handler-deletes', async () => {
      await row('Incident handling training').getByTestId('activity-delete').click();
      await byTest('confirm-button').click();
      await byTest('confirm-button').waitFor({ state: 'detached' });
      await poll(() => byTest('activity-row').count()).toBe(1);
      expect(await count('training')).toBe('0');
      expect(await count('constituency_meeting')).toBe('1');
      expect((await activities()).map((a) => a.title)).toEqual(['Quarterly constituency meeting']);
      // The year before holds nothing.
      await choose('activity-year', String(year - 1));
      await poll(() => byTest('activity-table').innerText()).toContain(`No activity recorded in ${year - 1}.`);
      expect(await count('constituency_meeting')).toBe('0');
      await choose('activity-year', String(year));
      await poll(() => byTest('activity-row').count()).toBe(1);
      // A handler does not define KPIs.
      expect(await byTest('nav-definitions').count()).toBe(0);
      await signOut();
    });

    await step('viewer-reads-only', async () => {
      await firstSignIn('vera', passwords.vera!, CHOSEN.vera);
      await byTest('nav-activities').click();
      await poll(() => row('Quarterly constituency meeting').getByTestId('activity-constituent-name').innerText()).toBe(CONSTITUENT);
      expect(await count('constituency_meeting')).toBe('1');
      for (const id of ['activity-new', 'activity-edit', 'activity-delete']) expect(await byTest(id).count()).toBe(0);
      expect(await byTest('nav-definitions').count()).toBe(0);
      await shot('viewer');
      await signOut();
    });

    await step('manager-changes-a-target', async () => {
      await firstSignIn('mara', passwords.mara!, CHOSEN.mara);
      await byTest('nav-definitions').click();
      const critical = defRow('sla_breaches_critical');
      await poll(() => critical.getByTestId('kpi-def-target').innerText()).toBe('< 5 %');
      expect(await critical.getByTestId('kpi-def-measure-text').innerText()).toBe('Share of P1 incidents with an SLA target breached (any target)');
      expect(await defRow('awareness_campaigns').getByTestId('kpi-def-measure-text').innerText()).toBe('Team activities: awareness campaign, counted over the last 2 months');
      expect(await defRow('sla_breaches_all').getByTestId('kpi-def-target').innerText()).toBe('—');
      await shot('definitions');
      await critical.getByTestId('kpi-def-edit').click();
      expect(await byTest('kpi-def-key').isDisabled()).toBe(true);
      // An SLA breach rate takes priorities and SLA targets, nothing else.
      await byTest('kpi-def-priorities').waitFor();
      await byTest('kpi-def-metrics').waitFor();
      for (const id of ['kpi-def-kind', 'kpi-def-months', 'kpi-def-statistic', 'kpi-def-classes']) expect(await byTest(id).count()).toBe(0);
      expect(await byTest('kpi-def-target-value').inputValue()).toBe('5 %');
      await byTest('kpi-def-target-op').getByText('≤').click();
      await byTest('kpi-def-target-value').fill('3');
      await shot('edit-target');
      await byTest('kpi-def-save').click();
      await closed('kpi-def-form');
      await poll(() => critical.getByTestId('kpi-def-target').innerText()).toBe('≤ 3 %');
      const defs = (await call<{ items: Definition[] }>('GET', '/kpi/definitions')).json.items;
      expect(defs.find((d) => d.key === 'sla_breaches_critical')).toMatchObject({ targetOp: '<=', targetValue: 3, params: { priorities: ['P1'] }, measure: 'sla_breach_rate', enabled: true, version: 2 });
    });

    await step('manager-is-told-what-is-missing', async () => {
      await byTest('kpi-def-new').click();
      await byTest('kpi-def-key').fill('workshops');
      await byTest('kpi-def-name').fill('Workshops held');
      await choose('kpi-def-measure', 'Team activities');
      await byTest('kpi-def-kind').waitFor();
      await byTest('kpi-def-months').waitFor();
      expect(await byTest('kpi-def-priorities').count()).toBe(0);
      await byTest('kpi-def-target-op').getByText('≥').click();
      await byTest('kpi-def-target-value').fill('2');
      await byTest('kpi-def-save').click();
      await poll(() => byTest('kpi-def-problems').innerText()).toMatch(/^kind: /m);
      await shot('problems');
      expect((await call<{ items: Definition[] }>('GET', '/kpi/definitions')).json.items.some((d) => d.key === 'workshops')).toBe(false);
      await choose('kpi-def-kind', 'Training');
      await byTest('kpi-def-months').fill('3');
      await byTest('kpi-def-save').click();
      await closed('kpi-def-form');
      await poll(() => defRow('workshops').getByTestId('kpi-def-measure-text').innerText()).toBe('Team activities: training, counted over the last 3 months');
      expect(await defRow('workshops').getByTestId('kpi-def-target').innerText()).toBe('≥ 2');
      const made = (await call<{ items: Definition[] }>('GET', '/kpi/definitions')).json.items.find((d) => d.key === 'workshops');
      expect(made).toMatchObject({ name: 'Workshops held', measure: 'activity_count', params: { kind: 'training', months: 3 }, targetOp: '>=', targetValue: 2, enabled: true, position: 120 });
      await shot('created');
    });
  });
});
