import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserHarness, poll } from './harness.ts';

/**
 * The duty officer's triage queue in a real browser (Debian's Chromium) against a real Vigil
 * process. An admin creates a monitoring source on /admin/sources and copies its token (shown
 * once); the source posts alerts over the API (one of them three times, so it is deduplicated).
 * A handler logs a phishing report, then works /triage from the keyboard: the queue is most urgent
 * first; typing in the search box fires no shortcut; `a` acknowledges an alert; `x` selects the
 * critical alert and the report and `d` declares one incident from both; `r` dismisses an alert
 * with a reason. The queue follows each step, and the API agrees.
 *
 * Screenshots go to VIGIL_BROWSER_SHOTS (default /tmp/vigil-shots) as triage-*.png.
 */
const ADMIN_INITIAL = 'Initial-Admin-Pass-1';
const ADMIN_CHOSEN = 'Browser-Chosen-Passphrase-2026';
const HANDLER_CHOSEN = 'Quiet-Harbour-Lantern-2026';
const XSS = '<img src=x onerror=alert(1)><script>alert(2)</script>';

const MAPPING = {
  title: '{{rule.description}} on {{agent.name}}',
  description: '$.full_log',
  severity: { from: '$.rule.level', map: { '>=12': 'critical', '>=10': 'high', '>=7': 'medium', '>=4': 'low' }, default: 'info' },
  sourceRef: '$.id',
  fingerprint: ['$.rule.id', '$.agent.name', '$.data.srcip'],
  classification: { from: '$.rule.groups[0]', map: { authentication_failures: 'intrusion-attempts/brute-force', web: 'intrusion-attempts/exploit' } },
  observables: [{ type: 'ipv4', from: '$.data.srcip' }],
};

const event = (id: number, level: number, description: string, agent: string, srcip: string, group: string, log: string) => ({
  id: String(id), rule: { id: String(5700 + level), level, description, groups: [group] }, agent: { name: agent }, data: { srcip }, full_log: log,
});

describe('triage in Chromium', () => {
  const shots = process.env.VIGIL_BROWSER_SHOTS ?? '/tmp/vigil-shots';
  const dialogs: string[] = [];
  const h = browserHarness('vigil-browser-tri-', ADMIN_INITIAL, (page) => {
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    mkdirSync(shots, { recursive: true });
  });
  const { step, byTest, firstSignIn, signOut, call } = h;
  const shot = async (name: string) => {
    await h.page.evaluate('window.scrollTo(0, 0)');
    await h.page.screenshot({ path: join(shots, `triage-${name}.png`), fullPage: true });
  };
  const year = new Date().getUTCFullYear();
  const aref = (n: number) => `VIG-A-${year}-${String(n).padStart(6, '0')}`;
  const rref = (n: number) => `VIG-R-${year}-${String(n).padStart(6, '0')}`;
  const iref = (n: number) => `VIG-${year}-${String(n).padStart(5, '0')}`;

  const table = () => byTest('triage-table');
  const row = (ref: string) => table().locator(`tr[data-reference="${ref}"]`);
  const queueRefs = () => table().locator('tr[data-reference]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-reference')));
  const current = () => table().locator('tr[data-selected]').getAttribute('data-reference', { timeout: 1000 }).catch(() => null);

  /** Moves the queue's cursor to an item with j/k, as a duty officer would. */
  async function moveTo(ref: string) {
    const refs = await queueRefs();
    const target = refs.indexOf(ref);
    expect(target).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < refs.length + 1 && (await current()) !== ref; i++) {
      const at = refs.indexOf((await current()) ?? '');
      await h.page.keyboard.press(at < target ? 'j' : 'k');
    }
    expect(await current()).toBe(ref);
  }

  it('works the queue from the keyboard: acknowledge, declare from two items, dismiss with a reason', async () => {
    let token = '';
    let temp = '';
    await step('admin-creates-a-source', async () => {
      await firstSignIn('admin', ADMIN_INITIAL, ADMIN_CHOSEN);
      const r = await call<{ temporaryPassword: string }>('POST', '/users', { username: 'hanna', displayName: 'Hanna Handler', roles: ['handler'] });
      expect(r.status).toBe(201);
      temp = r.json.temporaryPassword;
      await byTest('nav-sources').click();
      await poll(() => byTest('sources-table').innerText()).toContain('No sources yet');
      await byTest('source-create').click();
      await byTest('source-name').fill('wazuh');
      await byTest('source-description').fill('Wazuh manager at the SOC');
      // A mapping the server refuses is explained by field.
      await byTest('source-mapping').fill(JSON.stringify({ ...MAPPING, severity: { from: '$.rule.level', map: { 1: 'urgent' } } }));
      await byTest('source-submit').click();
      await poll(() => byTest('mapping-errors').innerText()).toContain('severity.map');
      await byTest('source-mapping').fill(JSON.stringify(MAPPING, null, 2));
      await byTest('source-submit').click();
      token = (await byTest('source-token').innerText()).trim();
      expect(token).toMatch(/^vgs_/);
      expect(await byTest('token-warning').innerText()).toContain('only this once');
      await h.page.waitForTimeout(300); // the modal's fade-in, for the screenshot
      await shot('source-token');
      await byTest('token-done').click();
      await poll(() => byTest('sources-table').locator('tr[data-source="wazuh"]').innerText()).toContain(`${token.slice(0, 8)}…`);
      await signOut();
    });

    await step('alerts-and-a-report-arrive', async () => {
      const post = async (body: unknown) => {
        const r = await fetch(`${h.base}/api/v1/intake/alerts`, {
          method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
        });
        expect(r.status).toBe(202);
        return (await r.json()) as { alerts: { reference: string; repeat: boolean }[] };
      };
      const first = await post([
        event(1, 13, 'Multiple authentication failures', 'vpn-gw-01', '203.0.113.45', 'authentication_failures', 'sshd: 40 failed logins for root'),
        event(2, 10, 'SQL injection attempt', 'web-02', '198.51.100.7', 'web', `GET /search?q=1' OR 1=1-- ${XSS}`),
        event(3, 5, 'Port scan detected', 'fw-edge', '192.0.2.99', 'recon', 'nmap SYN scan from 192.0.2.99'),
        event(4, 2, 'Agent restarted', 'db-01', '10.0.0.5', 'ossec', 'ossec agent restarted'),
      ]);
      expect(first.alerts.map((a) => a.reference)).toEqual([aref(1), aref(2), aref(3), aref(4)]);
      // The same brute force twice more: one alert, three arrivals.
      for (const id of [11, 12]) expect((await post(event(id, 13, 'Multiple authentication failures', 'vpn-gw-01', '203.0.113.45', 'authentication_failures', 'again'))).alerts[0]).toEqual({ id: expect.any(String), reference: aref(1), repeat: true });

      await firstSignIn('hanna', temp, HANDLER_CHOSEN);
      const rep = await call<{ reference: string }>('POST', '/reports', {
        title: 'Phishing mail impersonating our CEO', channel: 'email', organisation: 'Northtown Water Board',
        body: 'Staff got a phishing mail from ceo@examp1e.com asking to buy gift cards.',
      });
      expect(rep.status).toBe(201);
      expect(rep.json.reference).toBe(rref(1));
    });

    await step('queue-is-most-urgent-first', async () => {
      await byTest('nav-triage').click();
      // Critical first; the two high ones oldest first (the phishing report is high by its suggestion); then low, info.
      await poll(() => queueRefs()).toEqual([aref(1), aref(2), rref(1), aref(3), aref(4)]);
      expect(await row(aref(1)).getAttribute('data-severity')).toBe('critical');
      // The report's severity comes from its triage suggestion, which the queue reads after the list.
      await poll(() => row(rref(1)).getAttribute('data-severity')).toBe('high');
      expect(await row(aref(1)).getByTestId('arrivals-badge').innerText()).toBe('×3');
      expect(await row(rref(1)).getByTestId('kind-badge').innerText()).toMatch(/report/i);
      expect(await row(aref(1)).innerText()).toContain('wazuh');
      expect(await row(aref(1)).innerText()).toMatch(/just now|min ago/);
      expect(await byTest('shortcut-hints').innerText()).toContain('acknowledge');
      expect(await byTest('triage-declare').getAttribute('aria-keyshortcuts')).toBe('d');
      await shot('queue');
    });

    await step('typing-fires-no-shortcut', async () => {
      await h.page.keyboard.press('j');
      await poll(() => current()).toBe(aref(1));
      await h.page.keyboard.press('/');
      await poll(() => h.page.evaluate('document.activeElement && document.activeElement.getAttribute("data-testid")')).toBe('triage-search');
      await h.page.keyboard.type('scan'); // "a" would acknowledge, "d" declare… if shortcuts fired here
      await poll(() => queueRefs()).toEqual([aref(3)]);
      expect(await h.page.getByRole('dialog').count()).toBe(0);
      await byTest('triage-search').fill('');
      await h.page.keyboard.press('Escape');
      await poll(() => queueRefs()).toHaveLength(5);
      expect(await row(aref(1)).getAttribute('data-status')).toBe('new');
      await h.page.keyboard.press('?');
      await poll(() => byTest('shortcut-help').innerText()).toContain('Declare an incident from the selected items');
      await h.page.keyboard.press('Escape');
      await poll(() => h.page.getByRole('dialog').count()).toBe(0);
    });

    await step('acknowledge-with-a', async () => {
      await moveTo(aref(4));
      await h.page.keyboard.press('a');
      await poll(() => byTest('triage-notice').innerText()).toContain(`Acknowledged: ${aref(4)}`);
      await poll(() => row(aref(4)).getAttribute('data-status')).toBe('acknowledged');
      expect(await row(aref(4)).innerText()).toMatch(/acknowledged/i);
    });

    await step('declare-from-two-with-x-and-d', async () => {
      await moveTo(aref(1));
      await h.page.keyboard.press('x');
      await moveTo(rref(1));
      await h.page.keyboard.press('x');
      await poll(() => byTest('triage-selection').innerText()).toContain('2 selected (1 report and 1 alert)');
      await shot('selected');
      await h.page.keyboard.press('d');
      await poll(() => byTest('triage-targets').innerText()).toContain(aref(1));
      expect(await byTest('triage-targets').innerText()).toContain(rref(1));
      // Pre-filled from the most urgent item and the suggestions.
      expect(await byTest('incident-title').inputValue()).toBe('Multiple authentication failures on vpn-gw-01');
      expect(await byTest('incident-classifications').innerText()).toMatch(/Login Attempts|brute/i);
      expect(await byTest('incident-constituent').inputValue()).toBe('Northtown Water Board');
      await shot('declare');
      await byTest('incident-submit').click();
      await poll(() => byTest('triage-declared').innerText()).toBe(iref(1));
      await poll(() => queueRefs()).toEqual([aref(2), aref(3), aref(4)]);
      expect(await byTest('triage-selection').innerText()).not.toContain('selected (');
    });

    await step('dismiss-with-r-and-a-reason', async () => {
      await moveTo(aref(3));
      await h.page.keyboard.press('r');
      await h.page.getByRole('radio', { name: 'Benign (expected activity)' }).check();
      await byTest('dismiss-note').fill('Our own quarterly scan.');
      await shot('dismiss');
      await byTest('dismiss-submit').click();
      await poll(() => byTest('triage-notice').innerText()).toContain(`Dismissed: ${aref(3)}`);
      await poll(() => queueRefs()).toEqual([aref(2), aref(4)]);
      await shot('after');
    });

    await step('the-api-agrees', async () => {
      const escalated = await call<{ status: string; incident: { reference: string } | null; arrivals: number }>('GET', `/alerts/${aref(1)}`);
      expect(escalated.json).toMatchObject({ status: 'escalated', incident: { reference: iref(1) }, arrivals: 3 });
      const report = await call<{ status: string; incident: { reference: string } | null }>('GET', `/reports/${rref(1)}`);
      expect(report.json).toMatchObject({ status: 'linked', incident: { reference: iref(1) } });
      const dismissed = await call<{ status: string; dismissal: string; dismissalNote: string }>('GET', `/alerts/${aref(3)}`);
      expect(dismissed.json).toMatchObject({ status: 'dismissed', dismissal: 'benign', dismissalNote: 'Our own quarterly scan.' });
      expect((await call<{ status: string }>('GET', `/alerts/${aref(4)}`)).json.status).toBe('acknowledged');
    });

    await step('alert-view-shows-raw-as-text', async () => {
      await moveTo(aref(2));
      await h.page.keyboard.press('Enter');
      await poll(() => byTest('item-heading').innerText()).toBe('SQL injection attempt on web-02');
      expect(await byTest('alert-description').innerText()).toContain(XSS);
      await byTest('correlation-panel').waitFor();
      await byTest('tab-raw').click();
      await poll(() => byTest('raw-text').innerText()).toContain(XSS);
      expect(await h.page.locator('main img, main script').count()).toBe(0);
      await h.page.waitForTimeout(300);
      expect(dialogs).toEqual([]);
      await shot('alert-raw');
    });

    await step('an-x-arf-report-reads-field-by-field', async () => {
      // A phishing desk's X-ARF v4 report, logged as it came: the report page names its kind, when it
      // was seen, the class it suggests and each field, and lists its indicators with the observables.
      const xarf = {
        xarf_version: '4.0.0', report_id: '2b1f3c1e-5a0c-4c34-9b0e-6f1f2a7c9d10', timestamp: '2026-11-29T06:12:00Z',
        reporter: { org: 'Bank of Example', contact: 'security@bank.example', domain: 'bank.example' },
        sender: { org: 'Phish Reporting Service', contact: 'reports@phish-desk.example', domain: 'phish-desk.example' },
        source_identifier: '203.0.113.80', category: 'content', type: 'phishing',
        url: 'https://secure-bank-login.example/signin/index.php', domain: 'secure-bank-login.example',
        target_brand: 'Bank of Example', evidence_source: 'user_report',
      };
      const rep = await call<{ reference: string }>('POST', '/reports', {
        title: 'X-ARF: phishing site imitating Bank of Example', channel: 'email', body: JSON.stringify(xarf, null, 2),
      });
      expect(rep.status).toBe(201);
      await h.page.goto(`${h.base}/triage/report/${rep.json.reference}`);
      const panel = byTest('abuse-reports');
      await poll(() => panel.innerText()).toContain('content/phishing');
      const text = await panel.innerText();
      expect(text).toContain('X-ARF');
      expect(text).toContain('suggests fraud / phishing');
      expect(text).toMatch(/target_brand\s+Bank of Example/);
      expect(text).toMatch(/reporter\s+Bank of Example security@bank\.example/);
      await poll(() => h.page.locator('main').innerText()).toContain('secure-bank-login.example');
      await shot('xarf-report');
    });
  });
});
