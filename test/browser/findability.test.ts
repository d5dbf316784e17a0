import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { browserHarness, poll } from './harness.ts';

/**
 * A newcomer's first hour in a real browser (Debian's Chromium) against a real Vigil process:
 * the dashboard's set-up checklist on a fresh install, the incident list's search box and class
 * and constituent filters kept in the URL (reload and back keep them), the observable search page,
 * and axe-core over the main pages: no serious or critical finding, one <h1> on each page.
 * Set VIGIL_BROWSER_SHOTS=<dir> (it must exist) to keep a screenshot of each page checked.
 */
const ADMIN_INITIAL = 'Initial-Admin-Pass-1';
const ADMIN_CHOSEN = 'Browser-Chosen-Passphrase-2026';
const MIRA_CHOSEN = 'Amber-Orchard-Compass-2026';
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[]; failureSummary?: string }[] }[];
}

describe('finding things, and accessibility, in Chromium', () => {
  const h = browserHarness('vigil-browser-find-', ADMIN_INITIAL);
  const { step, byTest, firstSignIn, signOut, call, choose } = h;
  const rows = () => byTest('incidents-table').locator('tr[data-reference]');
  const url = () => new URL(h.page.url());

  /** axe-core on the page as it is: the serious and critical findings, one line each. */
  async function axe(): Promise<string[]> {
    // Evaluated through the DevTools protocol, so the app's CSP (script-src 'self') does not block it.
    await h.page.evaluate(AXE);
    const options = {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      rules: { 'label-content-name-mismatch': { enabled: true } },
    };
    const r = (await h.page.evaluate(`axe.run(document, ${JSON.stringify(options)})`)) as AxeResult;
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} at ${n.target.join(' ')}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, ' ')}` : ''}`));
  }

  it('shows the set-up checklist, filters incidents through the URL, searches observables, and passes axe', async () => {
    let miraTemp = '';
    const refs: Record<string, string> = {};

    await step('fresh-install-checklist', async () => {
      await firstSignIn('admin', ADMIN_INITIAL, ADMIN_CHOSEN);
      await byTest('setup-checklist').waitFor();
      expect(await byTest('setup-escalation_policy').getAttribute('data-done')).toBe('true');
      for (const k of ['manager_seat', 'oncall_rota', 'mail_relay']) expect(await byTest(`setup-${k}`).getAttribute('data-done'), k).toBe('false');
      const text = await h.page.locator('body').innerText();
      expect(text).not.toMatch(/later release/i);
      expect(text).toContain('Someone holds the CSIRT manager seat');
      const u = await call<{ temporaryPassword: string; user: { id: string } }>('POST', '/users', { username: 'mira', displayName: 'Mira Manager', roles: ['manager'] });
      expect(u.status).toBe(201);
      miraTemp = u.json.temporaryPassword;
      expect((await call('PATCH', `/team/members/${u.json.user.id}`, { version: 0, seats: ['csirt_manager'] })).status).toBe(200);
      await h.page.reload();
      await poll(() => byTest('setup-manager_seat').getAttribute('data-done')).toBe('true');
      await signOut();
    });

    await step('manager-declares', async () => {
      await firstSignIn('mira', miraTemp, MIRA_CHOSEN);
      const declare = async (key: string, body: object) => {
        const r = await call<{ id: string; reference: string }>('POST', '/incidents', { impact: 'medium', urgency: 'medium', ...body });
        expect(r.status, JSON.stringify(r.json)).toBe(201);
        refs[key] = r.json.reference;
        return r.json;
      };
      const payroll = await declare('payroll', { title: 'Phishing wave against payroll staff', classifications: [{ class: 'fraud', type: 'phishing' }], constituent: 'Ministry of Water' });
      await declare('hospital', { title: 'Ransomware at the city hospital', classifications: [{ class: 'malicious-code', type: 'infected-system' }], constituent: 'City Hospital' });
      await declare('invoice', { title: 'Invoice fraud by a spoofed supplier', classifications: [{ class: 'fraud', type: 'masquerade' }], constituent: 'City Hospital' });
      // A RED P1 and a P2: the list shows the TLP:RED label and the red and orange priority labels to axe below.
      await declare('outage', { title: 'DDoS on the tax portal', classifications: [{ class: 'availability', type: 'ddos' }], tlp: 'RED', impact: 'critical', urgency: 'high' });
      await declare('outage2', { title: 'Outage of the citizen portal', classifications: [{ class: 'availability', type: 'outage' }], tlp: 'GREEN', impact: 'high', urgency: 'medium' });
      const obs = await call('POST', `/incidents/${payroll.id}/observables`, { items: [{ type: 'ipv4', value: '198.51.100.24' }, { type: 'domain', value: 'payroll-login.example' }] });
      expect(obs.status).toBe(200);
    });

    await step('incident-list-search-and-filters-in-the-url', async () => {
      await byTest('nav-incidents').click();
      await poll(() => rows().count()).toBe(5);
      await byTest('filter-q').pressSequentially('payroll', { delay: 30 });
      await poll(() => rows().count()).toBe(1);
      expect(await rows().first().getAttribute('data-reference')).toBe(refs.payroll);
      expect(url().searchParams.get('q')).toBe('payroll');
      await byTest('filter-q').fill('');
      await poll(() => url().searchParams.get('q')).toBe(null);
      await choose('filter-class', 'Fraud');
      await poll(() => rows().count()).toBe(2);
      expect(url().searchParams.get('class')).toBe('fraud');
      await byTest('filter-constituent').pressSequentially('City Hospital', { delay: 20 });
      await byTest('filter-constituent').press('Escape');
      await poll(() => url().searchParams.get('constituent')).toBe('City Hospital');
      await poll(() => rows().count()).toBe(1);
      expect(await rows().first().getAttribute('data-reference')).toBe(refs.invoice);

      // A reload keeps the filters, the boxes show them, and the list is the same.
      await h.page.reload();
      await poll(() => rows().count()).toBe(1);
      expect(await byTest('filter-constituent').inputValue()).toBe('City Hospital');
      expect(await byTest('filter-class').inputValue()).toBe('Fraud');
      // Into the incident and back: still filtered.
      await rows().first().click();
      await byTest('incident-heading').waitFor();
      await h.page.goBack();
      await poll(() => rows().count()).toBe(1);
      expect(url().searchParams.get('class')).toBe('fraud');
      await byTest('filter-reset').click();
      await poll(() => url().search).toBe('');
      await poll(() => rows().count()).toBe(5);
    });

    await step('observable-search', async () => {
      await byTest('nav-observables').click();
      await byTest('observable-search-value').fill('198.51.100[.]24');
      await byTest('observable-search-submit').click();
      await poll(() => byTest('observable-hit').count()).toBe(1);
      expect(await byTest('observable-hit').getAttribute('data-value')).toBe('198.51.100.24');
      expect(await byTest('observable-hit-incident').textContent()).toBe(refs.payroll);
      expect(url().searchParams.get('value')).toBe('198.51.100[.]24');
      await h.page.reload();
      await poll(() => byTest('observable-hit').count()).toBe(1);
      await byTest('observable-search-value').fill('never-seen.example');
      await byTest('observable-search-submit').click();
      await poll(() => byTest('observable-results').textContent()).toContain('Not seen in any incident shared with you');
      await byTest('observable-hit').first().waitFor({ state: 'detached' });
    });

    await step('axe-core-on-the-main-pages', async () => {
      const findings: string[] = [];
      const pages: [string, string][] = [
        ['/', 'operations-dashboard'], ['/incidents', 'incidents-table'], [`/incidents/${refs.payroll}`, 'incident-heading'],
        ['/observables?value=198.51.100.24', 'observable-hit'], ['/triage', 'shortcut-help-open'], ['/oncall', 'nav-oncall'], ['/team', 'nav-team'],
      ];
      for (const [path, ready] of pages) {
        await h.page.goto(`${h.base}${path}`);
        await byTest(ready).first().waitFor();
        await h.page.waitForLoadState('networkidle');
        expect(await h.page.locator('h1').count(), `${path}: one h1`).toBe(1);
        const shots = process.env.VIGIL_BROWSER_SHOTS;
        if (shots) await h.page.screenshot({ path: `${shots}/findability-${path.split('?')[0]!.replace(/\W+/g, '-')}.png`, fullPage: true });
        for (const f of await axe()) findings.push(`${path}: ${f}`);
      }
      expect(findings, `axe-core findings:\n${findings.join('\n')}`).toEqual([]);
    });
  });
});
