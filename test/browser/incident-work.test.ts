import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { browserHarness, poll } from './harness.ts';

/**
 * The incident's work tabs in a real browser (Debian's Chromium) against a real Vigil process, as
 * an incident handler: apply the compromise playbook and tick a checklist item; add observables
 * found in pasted, defanged text; upload an evidence file and see the SHA-256 the server computed
 * and the custody entries; link a second incident; merge a third into the first and see the third
 * closed as a duplicate. Three incidents are declared through the API (setup only).
 *
 * Screenshots of each tab go to VIGIL_BROWSER_SHOTS (default /tmp/vigil-shots).
 */
const ADMIN_INITIAL = 'Initial-Admin-Pass-1';
const ADMIN_CHOSEN = 'Browser-Chosen-Passphrase-2026';
const HANDLER_CHOSEN = 'Quiet-Harbour-Lantern-2026';
const PASTED = 'Beacon seen in proxy logs:\n  GET hxxps://update-check[.]example[.]net/gate.php from 10.20.30.40\nC2 at 198.51.100[.]23, nothing else.';
const EVIDENCE = 'Received: from mail.bad.example (198.51.100.23)\nSubject: invoice\n\nthis is the phishing mail, byte for byte\n';

describe('incident work tabs in Chromium', () => {
  const shots = process.env.VIGIL_BROWSER_SHOTS ?? '/tmp/vigil-shots';
  const work = mkdtempSync(join(tmpdir(), 'vigil-work-'));
  const dialogs: string[] = [];
  const h = browserHarness('vigil-browser-work-', ADMIN_INITIAL, (page) => {
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    mkdirSync(shots, { recursive: true });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const { step, byTest, firstSignIn, call } = h;
  const shot = async (name: string) => {
    await h.page.evaluate('window.scrollTo(0, 0)');
    await h.page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  };

  async function openTab(reference: string, tab: string) {
    if (!h.page.url().endsWith(`/incidents/${reference}`)) await h.page.goto(`${h.base}/incidents/${reference}`);
    await poll(() => byTest('incident-reference').innerText()).toBe(reference);
    await byTest(`tab-${tab}`).click();
  }

  it('works an incident: playbook, observables, evidence, links and a merge', async () => {
    let handlerTemporary = '';
    await step('admin-creates-handler', async () => {
      await firstSignIn('admin', ADMIN_INITIAL, ADMIN_CHOSEN);
      const r = await call<{ temporaryPassword: string }>('POST', '/users', { username: 'hanna', displayName: 'Hanna Handler', roles: ['handler'] });
      expect(r.status).toBe(201);
      handlerTemporary = r.json.temporaryPassword;
      expect((await call('POST', '/users', { username: 'colin', displayName: 'Colin Colleague', roles: ['handler'] })).status).toBe(201);
      await byTest('user-menu').click();
      await byTest('logout').click();
      await byTest('login-username').waitFor();
    });

    await step('handler-signs-in', async () => firstSignIn('hanna', handlerTemporary, HANDLER_CHOSEN));

    const refs: string[] = [];
    const ids: string[] = [];
    await step('declare-three-incidents', async () => {
      for (const title of ['Compromised jump host in the finance VLAN', 'Password spraying against the VPN portal', 'Same host reported again by the SOC']) {
        const r = await call<{ id: string; reference: string }>('POST', '/incidents', {
          title, impact: 'high', urgency: 'medium', classifications: [{ class: 'intrusions', type: 'system-compromise' }],
        });
        expect(r.status).toBe(201);
        refs.push(r.json.reference);
        ids.push(r.json.id);
      }
    });
    const [main, second, third] = refs as [string, string, string];

    await step('handler-picks-a-colleague', async () => {
      // A handler (who may not list accounts) finds a colleague by typing part of the name.
      await openTab(main, 'roles');
      await byTest('role-select').click();
      await h.page.getByRole('option', { name: 'Technical lead', exact: true }).click();
      await byTest('role-user').pressSequentially('Col');
      await h.page.getByRole('option', { name: 'Colin Colleague (colin)', exact: true }).click();
      await byTest('role-add').click();
      await poll(() => byTest('roles-table').innerText()).toContain('Colin Colleague');
      const inc = await call<{ roles: { role: string; username: string }[] }>('GET', `/incidents/${ids[0]}`);
      expect(inc.json.roles).toContainEqual(expect.objectContaining({ role: 'technical_lead', username: 'colin' }));
      // The same picker assigns the incident to the colleague from the incident list.
      await h.page.goto(`${h.base}/incidents`);
      await byTest('incidents-table').locator(`tr[data-reference="${second}"]`).getByRole('checkbox').check();
      await byTest('bulk-assign').click();
      await byTest('assign-user').pressSequentially('coli');
      await h.page.getByRole('option', { name: 'Colin Colleague (colin)', exact: true }).click();
      await byTest('assign-submit').click();
      await poll(async () => (await call<{ assignee: { username: string } | null }>('GET', `/incidents/${ids[1]}`)).json.assignee?.username).toBe('colin');
    });

    await step('apply-playbook-and-tick', async () => {
      await openTab(main, 'tasks');
      await byTest('playbook-select').waitFor();
      await poll(() => byTest('playbook-select').inputValue()).toContain('System or account compromise');
      await byTest('playbook-apply').click();
      await poll(() => byTest('playbook-outcome').innerText()).toMatch(/System or account compromise \(intrusion\): \d+ tasks added/);
      const rows = byTest('task-row');
      await poll(() => rows.count()).toBeGreaterThan(3);
      // The first task with a checklist: open it and tick its first item.
      const withList = h.page.locator('[data-testid="task-row"]:has([data-testid="task-progress"])').first();
      const title = await withList.getAttribute('data-task');
      await withList.getByTestId('task-toggle').click();
      const item = byTest('task-detail').getByTestId('checklist-item').first();
      await item.click();
      await poll(() => item.isChecked()).toBe(true);
      await poll(() => withList.getByTestId('task-progress').innerText()).toMatch(/^1\/\d+$/);
      const tasks = await call<{ items: { title: string; checklist: { done: boolean }[] }[] }>('GET', `/incidents/${ids[0]}/tasks`);
      expect(tasks.json.items.find((t) => t.title === title)?.checklist[0]?.done).toBe(true);
      // Assign it and give it a due time already past: it shows as overdue.
      await byTest('task-assignee').click();
      await h.page.getByRole('option', { name: 'Hanna Handler', exact: true }).click();
      await byTest('task-due').fill('2020-01-02T03:04');
      await byTest('task-save').click();
      await poll(() => withList.getByTestId('task-due-cell').getAttribute('data-overdue')).toBe('true');
      expect(await withList.innerText()).toContain('Hanna Handler');
      await poll(() => byTest('tasks-summary').innerText()).toContain('1 overdue');
      // Applying again adds nothing and says so.
      await byTest('playbook-apply').click();
      await poll(() => byTest('playbook-outcome').innerText()).toMatch(/0 tasks added, \d+ already there/);
      await shot('tasks');
    });

    await step('observables-from-pasted-text', async () => {
      await openTab(main, 'observables');
      await byTest('observable-paste').click();
      await byTest('paste-text').fill(PASTED);
      await byTest('paste-extract').click();
      await poll(() => byTest('paste-candidate').count()).toBeGreaterThanOrEqual(3);
      const found = await byTest('paste-candidates').innerText();
      expect(found).toContain('https://update-check.example.net/gate.php');
      expect(found).toContain('198.51.100.23');
      await shot('observables-paste');
      await byTest('paste-add').click();
      await byTest('paste-result').waitFor();
      await h.page.getByRole('button', { name: 'Done' }).click();
      const table = byTest('observables-table');
      await poll(() => table.innerText()).toContain('https://update-check.example.net/gate.php');
      expect(await table.locator('[data-testid="observable-row"][data-type="url"]').count()).toBe(1);
      expect(await table.locator('[data-testid="observable-row"][data-value="198.51.100.23"]').count()).toBe(1);
      // Untrusted values never become links.
      expect(await table.locator('a').count()).toBe(0);
      // Mark the URL as an IOC.
      const urlIoc = table.locator('[data-testid="observable-row"][data-type="url"]').getByTestId('observable-ioc');
      await urlIoc.click();
      await poll(async () => (await urlIoc.isChecked()) && (await urlIoc.isEnabled())).toBe(true);
      await poll(async () => (await call<{ items: { type: string; ioc: boolean }[] }>('GET', `/incidents/${ids[0]}/observables`)).json.items
        .find((o) => o.type === 'url')?.ioc).toBe(true);
      await shot('observables');
    });

    await step('upload-evidence', async () => {
      const file = join(work, 'phishing-mail.eml');
      writeFileSync(file, EVIDENCE);
      const sha256 = createHash('sha256').update(EVIDENCE).digest('hex');
      await openTab(main, 'evidence');
      await h.page.locator('input[type="file"]').setInputFiles(file);
      await byTest('evidence-from').fill('Mailbox of j.doe@finance (Exchange export)');
      await byTest('evidence-upload').click();
      const item = h.page.locator('[data-testid="evidence-item"][data-filename="phishing-mail.eml"]');
      await item.waitFor();
      await poll(() => item.getByTestId('evidence-sha256').innerText()).toBe(sha256);
      await item.getByTestId('evidence-custody-toggle').click();
      const log = item.getByTestId('custody-log');
      await poll(() => log.getByTestId('custody-entry').count()).toBe(2);
      expect(await log.locator('[data-action="collected"]').innerText()).toContain('Mailbox of j.doe@finance');
      expect(await log.locator('[data-action="uploaded"]').innerText()).toContain('hanna');
      await poll(() => item.getByTestId('evidence-download').getAttribute('href')).toMatch(/^\/api\/v1\/evidence\/[0-9a-f-]{36}\/download$/);
      // A hand-over goes on the chain.
      await item.getByTestId('handover-to').fill('CERT forensic lab');
      await item.getByTestId('handover-reason').fill('Imaging and malware analysis');
      await item.getByTestId('handover-submit').click();
      await poll(() => log.locator('[data-action="handed_over"]').count()).toBe(1);
      await shot('evidence');
    });

    await step('link-second-incident', async () => {
      await openTab(main, 'links');
      await byTest('link-reference').fill(second.toLowerCase());
      await byTest('link-add').click();
      const row = h.page.locator('[data-testid="link-row"][data-kind="related"]');
      await row.waitFor();
      expect(await row.innerText()).toContain(second);
      expect(await row.innerText()).toContain('Password spraying against the VPN portal');
      expect(await row.getByTestId('link-reference-anchor').getAttribute('href')).toBe(`/incidents/${second}`);
    });

    await step('merge-third-into-main', async () => {
      expect((await call('POST', `/incidents/${ids[2]}/observables`, { items: [{ type: 'domain', value: 'moved-by-merge.example' }] })).status).toBe(200);
      await openTab(third, 'links');
      await byTest('merge-open').click();
      await byTest('merge-reference').fill(main);
      await byTest('merge-find').click();
      const confirm = byTest('merge-confirm');
      await confirm.waitFor();
      const text = await confirm.innerText();
      for (const what of ['reports', 'observable', 'task', 'timeline', `closes as a duplicate of ${main}`]) expect(text).toContain(what);
      await shot('merge-confirm');
      await byTest('merge-submit').click();
      await poll(() => byTest('incident-status').innerText()).toMatch(/^closed$/i);
      await poll(() => h.page.locator('text=Duplicate').first().isVisible()).toBe(true);
      const merged = h.page.locator('[data-testid="link-row"][data-kind="merged_into"][data-direction="outgoing"]');
      await poll(() => merged.innerText()).toMatch(new RegExp(`^Merged into\\s+${main}`));
      await shot('merged-third');
    });

    await step('main-shows-merge-and-link', async () => {
      await h.page.locator('[data-testid="link-row"][data-kind="merged_into"]').getByTestId('link-reference-anchor').click();
      await poll(() => byTest('incident-reference').innerText()).toBe(main);
      await byTest('tab-links').click();
      const table = byTest('links-table');
      const from = table.locator('[data-testid="link-row"][data-kind="merged_into"][data-direction="incoming"]');
      await poll(() => from.innerText()).toMatch(new RegExp(`^Merged from\\s+${third}`));
      expect(await table.innerText()).toContain(second);
      await shot('links');
      // What the third incident had now belongs to the main one.
      await byTest('tab-observables').click();
      await poll(() => byTest('observables-table').innerText()).toContain('moved-by-merge.example');
      expect(dialogs).toEqual([]);
    });

    await step('report-attachment-kept-as-evidence', async () => {
      // A report with a file, through the public web form; the handler links it to the main incident.
      const mail = 'Received: from mx.lure.example (203.0.113.80)\nSubject: Your parcel is waiting\n\nPay the customs fee at the link.\n';
      const boundary = 'vigil-browser-form';
      const field = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
      const form = field('name', 'Petra Reporter') + field('email', 'petra@partner.example') + field('organisation', 'Partner CERT') + field('what', 'The phishing mail, attached as we got it.')
        + `--${boundary}\r\nContent-Disposition: form-data; name="attachment"; filename="phish.eml"\r\nContent-Type: message/rfc822\r\n\r\n${mail}\r\n--${boundary}--\r\n`;
      const posted = await fetch(`${h.base}/api/v1/public/reports`, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: form });
      expect(posted.status).toBe(201);
      const { reference } = (await posted.json()) as { reference: string };
      expect((await call('POST', `/reports/${reference}/link`, { incident: ids[0] })).status).toBe(200);
      await h.page.goto(`${h.base}/reports/${reference}`);
      const row = byTest('report-attachments').locator('[data-testid="attachment-row"][data-filename="phish.eml"]');
      await row.waitFor();
      const href = (await row.getByTestId('attachment-download').getAttribute('href'))!;
      const fetched = await h.page.evaluate(async (u) => {
        const r = await fetch(u);
        return { body: await r.text(), disposition: r.headers.get('content-disposition') };
      }, href);
      expect(fetched.body).toBe(mail);
      expect(fetched.disposition).toMatch(/^attachment; filename="phish.eml"/);
      await row.getByTestId('attachment-keep').click();
      await poll(() => row.getByTestId('attachment-keep').innerText()).toBe('Kept as evidence');
      await shot('report-attachments');
      const report = await call<{ receivedAt: string }>('GET', `/reports/${reference}`);
      const evidence = await call<{ items: { filename: string; collectedAt: string }[] }>('GET', `/incidents/${ids[0]}/evidence`);
      const kept = evidence.json.items.find((e) => e.filename === 'phish.eml');
      expect(kept?.collectedAt).toBe(report.json.receivedAt);
    });
  });
});
