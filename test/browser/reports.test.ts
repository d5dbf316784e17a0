import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserHarness, poll } from './harness.ts';

/**
 * Report triage in a real browser (Debian's Chromium) against a real Vigil process. A manager logs
 * a phone call through the form (two more reports arrive through the API), works the queue from
 * the keyboard (ticks two reports with x, declares an incident from them with d) and finds both on
 * the incident's Reports tab; rejects the third (r) as spam and reads its raw content as plain
 * text; bulk-assigns two incidents to a handler from the incident list. A reporter account submits
 * a report on /my-reports and sees it go from "received" to "in progress" once a handler links it.
 *
 * Screenshots go to VIGIL_BROWSER_SHOTS (default /tmp/vigil-shots) as reports-*.png.
 */
const ADMIN_INITIAL = 'Initial-Admin-Pass-1';
const ADMIN_CHOSEN = 'Browser-Chosen-Passphrase-2026';
const MANAGER_CHOSEN = 'Copper-Kettle-Morning-2026';
const HANDLER_CHOSEN = 'Quiet-Harbour-Lantern-2026';
const REPORTER_CHOSEN = 'Willow-Stream-Paper-2026';
const XSS = '<img src=x onerror=alert(1)><script>alert(2)</script>';

describe('reports in Chromium', () => {
  const shots = process.env.VIGIL_BROWSER_SHOTS ?? '/tmp/vigil-shots';
  const dialogs: string[] = [];
  const h = browserHarness('vigil-browser-rep-', ADMIN_INITIAL, (page) => {
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    mkdirSync(shots, { recursive: true });
  });
  const { step, byTest, signIn, firstSignIn, signOut, call, choose } = h;
  const shot = async (name: string) => {
    await h.page.evaluate('window.scrollTo(0, 0)');
    await h.page.screenshot({ path: join(shots, `reports-${name}.png`), fullPage: true });
  };
  const year = new Date().getUTCFullYear();
  const rref = (n: number) => `VIG-R-${year}-${String(n).padStart(6, '0')}`;
  const iref = (n: number) => `VIG-${year}-${String(n).padStart(5, '0')}`;

  const queueRow = (ref: string) => byTest('reports-table').locator(`tr[data-reference="${ref}"]`);
  const queueRefs = () => byTest('reports-table').locator('tr[data-reference]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-reference')));
  const selectedRef = () => byTest('reports-table').locator('tr[data-selected]').getAttribute('data-reference', { timeout: 1000 }).catch(() => null);

  /** Moves the queue's selection to a report with j/k, as a duty officer would. */
  async function moveTo(ref: string) {
    const refs = await queueRefs();
    const target = refs.indexOf(ref);
    expect(target).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < refs.length + 1 && (await selectedRef()) !== ref; i++) {
      const current = refs.indexOf((await selectedRef()) ?? '');
      await h.page.keyboard.press(current < target ? 'j' : 'k');
    }
    expect(await selectedRef()).toBe(ref);
  }

  it('triages reports from the keyboard, assigns incidents, and shows a reporter the public status', async () => {
    const temp: Record<string, string> = {};
    let hannaId = '';
    await step('admin-creates-accounts', async () => {
      await firstSignIn('admin', ADMIN_INITIAL, ADMIN_CHOSEN);
      for (const [username, displayName, roles, organisation] of [
        ['mara', 'Mara Manager', ['manager'], undefined],
        ['hanna', 'Hanna Handler', ['handler'], undefined],
        ['rita', 'Rita Reporter', ['reporter'], 'Northtown Water Board'],
      ] as const) {
        const r = await call<{ temporaryPassword: string; user: { id: string; organisation: string | null } }>('POST', '/users', {
          username, displayName, roles, ...(organisation ? { organisation } : {}),
        });
        expect(r.status).toBe(201);
        temp[username] = r.json.temporaryPassword;
        if (username === 'hanna') hannaId = r.json.user.id;
        if (organisation) expect(r.json.user.organisation).toBe(organisation);
      }
      expect(hannaId).toBeTruthy();
      await signOut();
    });

    await step('manager-logs-a-phone-call', async () => {
      await firstSignIn('mara', temp.mara!, MANAGER_CHOSEN);
      await byTest('nav-reports').click();
      await poll(() => byTest('reports-table').innerText()).toContain('The queue is empty');
      await byTest('report-log-open').click();
      await choose('log-channel', 'Phone');
      await byTest('log-title').fill('Caller: ransom note on the Northtown file server');
      await byTest('log-body').fill('Head of IT called at 09:10.\nShares on fs01 are encrypted, a README_RESTORE.txt is in every folder.');
      await byTest('log-reporter-name').fill('Olaf Olsen');
      await byTest('log-organisation').fill('Northtown Water Board');
      await byTest('log-reporter-phone').fill('+31 20 555 0101');
      await shot('log-form');
      await byTest('log-submit').click();
      await poll(() => byTest('report-notice').innerText()).toContain(rref(1));
      const row = queueRow(rref(1));
      await row.waitFor();
      expect(await row.innerText()).toContain('Olaf Olsen');
      expect(await row.innerText()).toContain('Phone');
    });

    await step('two-more-reports-arrive', async () => {
      const a = await call<{ reference: string }>('POST', '/reports', {
        title: 'Encrypted shares at Northtown', body: 'Our monitoring shows mass renames to *.locked on fs01 since 08:55.',
        channel: 'email', reporterEmail: 'soc@northtown.example', organisation: 'Northtown Water Board',
      });
      expect(a.status).toBe(201);
      expect(a.json.reference).toBe(rref(2));
      const spam = await call<{ reference: string }>('POST', '/reports', {
        title: 'You have won a free cruise', body: `Click here: ${XSS}`, channel: 'email', reporterEmail: 'prize@cruise.example',
      });
      expect(spam.json.reference).toBe(rref(3));
      await h.page.reload();
      await queueRow(rref(3)).waitFor();
      expect(await queueRefs()).toHaveLength(3);
    });

    await step('keyboard-declare-from-two', async () => {
      // Typing in the search box does not fire shortcuts (and a search finds by body text).
      await h.page.keyboard.press('j');
      await poll(() => selectedRef()).toBe(rref(3));
      await byTest('report-search').click();
      await h.page.keyboard.type('renames'); // r, n, a… would reject the selected report if shortcuts fired here
      await poll(() => queueRefs()).toEqual([rref(2)]);
      expect(await h.page.getByRole('dialog').count()).toBe(0);
      await byTest('report-search').fill('');
      await h.page.keyboard.press('Escape');
      await poll(() => queueRefs()).toHaveLength(3);
      await moveTo(rref(1));
      await h.page.keyboard.press('x');
      await moveTo(rref(2));
      await h.page.keyboard.press('x');
      await poll(() => byTest('report-bulk').innerText()).toContain('2 ticked');
      await shot('queue');
      await h.page.keyboard.press('d');
      await poll(() => byTest('declare-from-reports').innerText()).toContain(rref(1));
      expect(await byTest('declare-from-reports').innerText()).toContain(rref(2));
      const title = await byTest('incident-title').inputValue();
      expect(['Caller: ransom note on the Northtown file server', 'Encrypted shares at Northtown']).toContain(title);
      await choose('incident-class', 'Malicious Code');
      await choose('incident-type', 'Infected System');
      await byTest('incident-submit').click();
      await poll(() => byTest('incident-reference').innerText()).toBe(iref(1));
      await byTest('tab-reports').click();
      const table = byTest('incident-reports-table');
      await poll(() => table.innerText()).toContain(rref(1));
      expect(await table.innerText()).toContain(rref(2));
      expect(await table.innerText()).not.toContain(rref(3));
      await shot('incident-reports-tab');
    });

    await step('reject-third-as-spam', async () => {
      await byTest('nav-reports').click();
      await queueRow(rref(3)).waitFor();
      expect(await queueRefs()).toEqual([rref(3)]);
      await h.page.keyboard.press('j');
      await h.page.keyboard.press('r');
      await h.page.getByRole('radio', { name: 'Spam' }).check();
      await byTest('reject-note').fill('Prize scam, no relation to our constituency.');
      await shot('reject');
      await byTest('triage-submit').click();
      await poll(() => byTest('reports-table').innerText()).toContain('The queue is empty');
      await poll(() => byTest('report-notice').innerText()).toContain(`Rejected: ${rref(3)}`);
    });

    await step('rejected-report-raw-is-plain-text', async () => {
      await h.page.goto(`${h.base}/reports/${rref(3)}`);
      await poll(() => byTest('report-status').innerText()).toMatch(/rejected/i);
      expect(await byTest('report-decision').innerText()).toContain('Rejected: spam');
      expect(await byTest('report-body').innerText()).toBe(`Click here: ${XSS}`);
      await byTest('tab-raw').click();
      await poll(() => byTest('tab-raw').getAttribute('aria-selected')).toBe('true');
      await poll(() => byTest('raw-text').innerText()).toContain(XSS);
      expect(await h.page.locator('main img, main script').count()).toBe(0);
      await h.page.waitForTimeout(300);
      expect(dialogs).toEqual([]);
      await shot('raw');
      // A decided report cannot be linked: the page offers only "Reopen".
      expect(await byTest('report-link').count()).toBe(0);
      expect(await byTest('report-reopen').count()).toBe(1);
    });

    await step('bulk-assign-two-incidents', async () => {
      const second = await call<{ reference: string }>('POST', '/incidents', {
        title: 'Credential stuffing on the customer portal', impact: 'medium', urgency: 'high',
        classifications: [{ class: 'intrusion-attempts', type: 'brute-force' }],
      });
      expect(second.status).toBe(201);
      await byTest('nav-incidents').click();
      await byTest('incidents-table').locator(`tr[data-reference="${second.json.reference}"]`).waitFor();
      await byTest('incidents-tick-all').click();
      await poll(() => byTest('bulk-bar').innerText()).toContain('2 incidents ticked');
      await byTest('bulk-assign').click();
      await choose('assign-user', 'Hanna Handler (hanna)');
      await byTest('assign-submit').click();
      await poll(() => byTest('assign-outcome').innerText()).toContain('Assigned 2 incidents to Hanna Handler');
      for (const ref of [iref(1), second.json.reference]) {
        const cell = byTest('incidents-table').locator(`tr[data-reference="${ref}"]`).getByTestId('incident-assignee');
        await poll(() => cell.innerText()).toBe('Hanna Handler');
      }
      await choose('filter-assignee', 'Unassigned');
      await poll(() => byTest('incidents-table').innerText()).toContain('No incidents match');
      await choose('filter-assignee', 'Anyone');
      await byTest('incidents-table').locator(`tr[data-reference="${iref(1)}"]`).waitFor();
      await shot('incident-list');
      await signOut();
    });

    await step('reporter-submits', async () => {
      await firstSignIn('rita', temp.rita!, REPORTER_CHOSEN);
      expect(await byTest('nav-reports').count()).toBe(0);
      await byTest('nav-my-reports').click();
      await byTest('my-report-title').fill('Pumping station HMI shows strange logins');
      await byTest('my-report-body').fill('Since this morning the HMI at station 4 lists logins from an unknown account "svc_tmp".');
      await byTest('my-report-submit').click();
      await poll(() => byTest('my-report-sent').innerText()).toContain(rref(4));
      const row = byTest('my-reports-table').locator(`tr[data-reference="${rref(4)}"]`);
      await poll(() => row.getAttribute('data-status')).toBe('received');
      expect(await row.innerText()).toMatch(/received/i);
      await shot('my-reports-received');
      await signOut();
    });

    await step('handler-links-it', async () => {
      await firstSignIn('hanna', temp.hanna!, HANDLER_CHOSEN);
      await h.page.goto(`${h.base}/reports/${rref(4)}`);
      await poll(() => byTest('report-status').innerText()).toMatch(/new/i);
      expect(await byTest('report-heading').innerText()).toBe('Pumping station HMI shows strange logins');
      await byTest('report-link').click();
      await byTest('triage-reference').fill(iref(1));
      await byTest('triage-submit').click();
      await poll(() => byTest('report-status').innerText()).toMatch(/linked/i);
      expect(await byTest('report-incident-link').innerText()).toBe(iref(1));
      await shot('linked-report');
      await byTest('report-incident-link').click();
      await poll(() => byTest('incident-assignee-name').innerText()).toBe('Hanna Handler');
      await signOut();
    });

    await step('reporter-sees-in-progress', async () => {
      await signIn('rita', REPORTER_CHOSEN);
      await byTest('nav-my-reports').click();
      const row = byTest('my-reports-table').locator(`tr[data-reference="${rref(4)}"]`);
      await poll(() => row.getAttribute('data-status')).toBe('in_progress');
      expect(await row.innerText()).toMatch(/in progress/i);
      expect(await row.innerText()).toContain(iref(1));
      await shot('my-reports-in-progress');
    });
  });
});
