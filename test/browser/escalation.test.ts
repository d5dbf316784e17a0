import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserHarness, poll } from './harness.ts';

/**
 * Escalation in a real browser (Debian's Chromium) against a real Vigil process, as a CSIRT
 * manager (created by the admin through the API and given the CSIRT manager seat): the policy list
 * shows the default "Management first (P1/P2)" with its three levels; a new P3 policy is made in
 * the editor (started when an SLA is at risk; the duty officer seat at once, whoever is on duty 10
 * minutes later) and listed; a chain A → B → A is refused with the names of the circle. A P1 incident (declared through the API)
 * shows the orange banner and the escalation events in words on its timeline; Acknowledge stops it.
 *
 * Screenshots go to VIGIL_BROWSER_SHOTS (default /tmp/vigil-shots) as escalation-*.png.
 */
const ADMIN_INITIAL = 'Initial-Admin-Pass-1';
const ADMIN_CHOSEN = 'Browser-Chosen-Passphrase-2026';
const MANAGER_CHOSEN = 'Amber-Lighthouse-Compass-2026';
const DEFAULT_POLICY = 'Management first (P1/P2)';
const A = 'Duty officer for P3';
const B = 'Weekend fallback (P4)';

describe('escalation in Chromium', () => {
  const shots = process.env.VIGIL_BROWSER_SHOTS ?? '/tmp/vigil-shots';
  const h = browserHarness('vigil-browser-escalation-', ADMIN_INITIAL, () => mkdirSync(shots, { recursive: true }));
  const { step, byTest, firstSignIn, signOut, call, choose } = h;
  const shot = async (name: string) => h.page.screenshot({ path: join(shots, `escalation-${name}.png`), fullPage: true });
  const row = (name: string) => h.page.locator(`[data-testid="policy-row"][data-name="${name}"]`);
  /** A priority chip of the editor: its input is hidden, its label is what people click. */
  const chip = (p: string) => h.page.locator(`[data-testid="policy-priority-${p}"] + label`);
  const chipOn = (p: string) => byTest(`policy-priority-${p}`).isChecked();

  it('lists, creates and chains policies, then escalates a P1 until acknowledged', async () => {
    let temporary = '';
    let viewerTemporary = '';
    await step('admin-creates-manager', async () => {
      await firstSignIn('admin', ADMIN_INITIAL, ADMIN_CHOSEN);
      const v = await call<{ temporaryPassword: string }>('POST', '/users', { username: 'vera', displayName: 'Vera Viewer', roles: ['viewer'] });
      expect(v.status).toBe(201);
      viewerTemporary = v.json.temporaryPassword;
      const r = await call<{ temporaryPassword: string; user: { id: string } }>('POST', '/users', { username: 'mara', displayName: 'Mara Manager', roles: ['manager'] });
      expect(r.status).toBe(201);
      temporary = r.json.temporaryPassword;
      const seat = await call<{ seats: string[] }>('PATCH', `/team/members/${r.json.user.id}`, { version: 0, seats: ['csirt_manager'] });
      expect(seat.status).toBe(200);
      expect(seat.json.seats).toEqual(['csirt_manager']);
      await signOut();
    });

    await step('manager-signs-in', async () => firstSignIn('mara', temporary, MANAGER_CHOSEN));

    await step('default-policy-listed', async () => {
      await h.page.goto(`${h.base}/escalation`);
      const def = row(DEFAULT_POLICY);
      await def.waitFor();
      const levels = def.getByTestId('policy-level-line');
      await poll(() => levels.count()).toBe(3);
      await poll(() => levels.nth(0).innerText()).toMatch(/at once: CSIRT manager seat, whoever is on duty, the incident's coordinator/);
      expect(await levels.nth(1).innerText()).toMatch(/15 min.*Senior handler.*Technical lead/is);
      expect(await levels.nth(2).innerText()).toMatch(/15 min.*Communications.*Legal/is);
      expect(await def.innerText()).toContain('P1, P2');
      expect(await def.getByTestId('policy-trigger-text').innerText()).toBe('when declared');
      await shot('policies');
    });

    await step('create-policy-in-editor', async () => {
      await byTest('policy-new').click();
      await byTest('policy-name').fill(A);
      // The blank policy starts at P1 and P2: this one is for P3 alone.
      for (const p of ['P1', 'P2', 'P3']) await chip(p).click();
      await poll(async () => [await chipOn('P1'), await chipOn('P2'), await chipOn('P3'), await chipOn('P4')]).toEqual([false, false, true, false]);
      // It starts when an SLA of a P3 is at risk, not when one is declared.
      expect(await byTest('policy-trigger').inputValue()).toBe('Incident declared, reopened or raised in priority');
      await choose('policy-trigger', 'SLA at risk (warning or breach)');
      // Level 1, at once: the duty officer seat.
      await choose('policy-level-1-recipient-1-value', 'Duty officer');
      // Level 2, ten minutes later: whoever is on duty.
      await byTest('policy-add-level').click();
      await byTest('policy-level-2-delay').fill('10');
      await poll(() => byTest('policy-level-2-recipient-1-kind').inputValue()).toBe('Whoever is on duty');
      await poll(() => byTest('policy-level-2-when').innerText()).toContain('10 min');
      await shot('editor');
      await byTest('policy-save').click();
      await byTest('policy-save').waitFor({ state: 'detached' });
      const created = row(A);
      await created.waitFor();
      const levels = created.getByTestId('policy-level-line');
      await poll(() => levels.count()).toBe(2);
      expect(await levels.nth(0).innerText()).toMatch(/at once.*Duty officer/is);
      expect(await levels.nth(1).innerText()).toMatch(/after 10 min.*whoever is on duty/is);
      expect(await created.innerText()).toContain('P3');
      expect(await created.getByTestId('policy-trigger-text').innerText()).toBe('when an SLA is at risk');
      const stored = await call<{ items: { name: string; priorities: string[]; trigger: string; levels: { delayMinutes: number; recipients: unknown[] }[] }[] }>('GET', '/escalation/policies');
      expect(stored.json.items.find((p) => p.name === A)).toMatchObject({
        priorities: ['P3'], trigger: 'sla_at_risk',
        levels: [{ delayMinutes: 0, recipients: [{ kind: 'seat', seat: 'duty_officer' }] }, { delayMinutes: 10, recipients: [{ kind: 'on_duty' }] }],
      });
    });

    await step('cycle-refused-with-names', async () => {
      const b = await call('POST', '/escalation/policies', { name: B, priorities: ['P4'], levels: [{ delayMinutes: 0, recipients: [{ kind: 'on_duty' }] }] });
      expect(b.status).toBe(201);
      await h.page.reload();
      await row(B).waitFor();
      // A continues with B: fine.
      await row(A).getByTestId('policy-edit').click();
      await choose('policy-then', B);
      await byTest('policy-save').click();
      await byTest('policy-save').waitFor({ state: 'detached' });
      await poll(() => row(A).getByTestId('policy-then-text').innerText()).toBe(`then ${B}`);
      // B continues with A: a circle, refused, named.
      await row(B).getByTestId('policy-edit').click();
      await choose('policy-then', A);
      await byTest('policy-save').click();
      await poll(() => byTest('policy-cycle').innerText()).toContain(`${B} → ${A} → ${B}`);
      expect(await byTest('error-alert').innerText()).toContain('would continue into each other in a circle');
      await shot('cycle');
      // Nothing was saved: B still stops after its rounds.
      await h.page.getByRole('button', { name: 'Cancel' }).click();
      await byTest('policy-save').waitFor({ state: 'detached' });
      expect(await row(B).getByTestId('policy-then-text').innerText()).toBe('then stop');
      // B cannot be deleted while A continues with it; the refusal says so.
      await row(B).getByTestId('policy-delete').click();
      await byTest('confirm-button').click();
      await poll(() => byTest('error-alert').innerText()).toContain(`${B} is in use: ${A} continues with it. Disable it instead`);
      await shot('delete-refused');
      await h.page.getByRole('button', { name: 'Cancel' }).click();
      await byTest('confirm-button').waitFor({ state: 'detached' });
      expect(await h.page.locator('[data-testid="policy-row"]').count()).toBe(3);
      await shot('policies-three');
    });

    let reference = '';
    await step('declare-p1', async () => {
      const r = await call<{ reference: string; priority: string }>('POST', '/incidents', {
        title: 'Ransomware on the payroll file server', impact: 'critical', urgency: 'high',
        classifications: [{ class: 'intrusions', type: 'system-compromise' }],
      });
      expect(r.status).toBe(201);
      expect(r.json.priority).toBe('P1');
      reference = r.json.reference;
    });

    await step('banner-and-timeline', async () => {
      await h.page.goto(`${h.base}/incidents/${reference}`);
      await poll(() => byTest('incident-reference').innerText()).toBe(reference);
      const banner = byTest('escalation-state');
      await poll(() => banner.getAttribute('data-value')).toBe('active');
      const text = await banner.innerText();
      expect(text).toContain(DEFAULT_POLICY);
      expect(text).toMatch(/Level 1 notified .*Level 2 of 3 goes out .* unless someone acknowledges/s);
      // Mantine's orange, not some other colour.
      const css = (of: string, prop: string) => h.page.evaluate<string>(`getComputedStyle(document.querySelector('${of}')).getPropertyValue('${prop}')`);
      const orange = await css('html', '--mantine-color-orange-light-color');
      expect(orange).not.toBe('');
      expect(await css('[data-testid="escalation-state"]', '--alert-color')).toBe(orange);
      await shot('banner');
      await byTest('tab-timeline').click();
      const started = h.page.locator('[data-testid="timeline"] [data-kind="escalation.started"]');
      const level = h.page.locator('[data-testid="timeline"] [data-kind="escalation.level"]');
      await poll(() => started.innerText()).toContain(`started the escalation policy "${DEFAULT_POLICY}" because the incident was declared`);
      const said = await level.innerText();
      // Mara holds the CSIRT manager seat and, having declared it, coordinates the incident: one
      // person. Nobody is on duty.
      expect(said).toContain(`notified level 1 of the escalation policy "${DEFAULT_POLICY}"`);
      expect(said).toContain('1 person reached;');
      expect(said).toContain('nobody reached through whoever is on duty');
      expect(said).not.toMatch(/seat:|on_duty|incident_role:/);
      await shot('timeline');
    });

    await step('viewer-cannot-acknowledge', async () => {
      // Acknowledging stops everyone's paging: a viewer sees the escalation but is offered no button.
      await signOut();
      await firstSignIn('vera', viewerTemporary, 'Quiet-Reader-Lantern-2026');
      await h.page.goto(`${h.base}/incidents/${reference}`);
      await poll(() => byTest('escalation-state').getAttribute('data-value')).toBe('active');
      expect(await byTest('escalation-acknowledge').count()).toBe(0);
      await signOut();
      await h.signIn('mara', MANAGER_CHOSEN);
      await byTest('nav-account').waitFor();
      await h.page.goto(`${h.base}/incidents/${reference}`);
      await poll(() => byTest('escalation-state').getAttribute('data-value')).toBe('active');
    });

    await step('acknowledge', async () => {
      await byTest('escalation-acknowledge').click();
      const banner = byTest('escalation-state');
      await poll(() => banner.getAttribute('data-value')).toBe('acknowledged');
      await poll(() => banner.innerText()).toContain(`${DEFAULT_POLICY}: escalation acknowledged by Mara Manager`);
      expect(await byTest('escalation-acknowledge').count()).toBe(0);
      const ack = h.page.locator('[data-testid="timeline"] [data-kind="escalation.acknowledged"]');
      await poll(() => ack.innerText()).toMatch(/(mara|Mara Manager) acknowledged the escalation/);
      const runs = await call<{ items: { state: string }[] }>('GET', `/incidents/${reference}/escalations`);
      expect(runs.json.items[0]?.state).toBe('acknowledged');
      await shot('acknowledged');
    });

    await step('sla-clocks', async () => {
      // Acknowledging the escalation met the acknowledge target; the others run until paused.
      await poll(() => byTest('sla-acknowledge').getAttribute('data-state')).toBe('met');
      expect(await byTest('sla-containment').getAttribute('data-state')).toBe('running');
      await h.page.getByLabel('Why the clocks pause').fill('Waiting for the constituent\'s logs');
      await byTest('sla-pause').click();
      await poll(() => byTest('sla-containment').getAttribute('data-state')).toBe('paused');
      await byTest('sla-resume').click();
      await poll(() => byTest('sla-containment').getAttribute('data-state')).toBe('running');
      await poll(() => h.page.locator('[data-testid="timeline"] [data-kind="sla.paused"]').innerText()).toContain("paused the SLA clocks: Waiting for the constituent's logs");
      await shot('sla');
    });
  });
});
