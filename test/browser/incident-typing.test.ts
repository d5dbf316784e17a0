import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { browserHarness, poll } from './harness.ts';

/**
 * A handler works an incident the way people do: typing into every form of the incident page one
 * key at a time (each keystroke a React update; a handler that reads the event too late throws on
 * the second character), then reads the timeline as the sentences a person reads, and takes the
 * case report through the Export menu. A part of the page that breaks shows its own message while
 * the rest keeps working and keeps what was typed.
 *
 * Screenshots go to VIGIL_BROWSER_SHOTS (default /tmp/vigil-shots).
 */
const ADMIN_INITIAL = 'Initial-Admin-Pass-1';
const ADMIN_CHOSEN = 'Quill-Keyboard-Passphrase-2026';
const HANDLER_CHOSEN = 'Slow-Typist-Passphrase-2026';

describe('typing into every form of the incident page in Chromium', () => {
  const shots = process.env.VIGIL_BROWSER_SHOTS ?? '/tmp/vigil-shots';
  const work = mkdtempSync(join(tmpdir(), 'vigil-typing-'));
  const pageErrors: string[] = [];
  const h = browserHarness('vigil-browser-typing-', ADMIN_INITIAL, (page) => {
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('dialog', (d) => void d.dismiss());
    mkdirSync(shots, { recursive: true });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const { step, byTest, firstSignIn, call, choose } = h;
  const shot = async (name: string) => {
    await h.page.evaluate('window.scrollTo(0, 0)');
    await h.page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  };

  /** Types text one key at a time, as a person does, and checks every character arrived. */
  async function typeInto(field: Locator, text: string) {
    await field.click();
    await field.pressSequentially(text, { delay: 15 });
    expect(await field.inputValue()).toContain(text);
  }
  /**
   * A date and time typed key by key into a datetime-local field, in the order of its parts in the
   * browser's locale (en-US: mm dd yyyy hh mm AM/PM).
   */
  async function typeDateTime(field: Locator, iso: string) {
    const [, y, mo, d, hh, mi] = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(iso)!;
    const order = await h.page.evaluate(() => new Intl.DateTimeFormat(navigator.language, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(new Date(2026, 0, 2, 13, 4)).map((p) => p.type).filter((t) => ['year', 'month', 'day', 'hour', 'minute', 'dayPeriod'].includes(t)));
    const hour = Number(hh);
    const twelve = order.includes('dayPeriod');
    const keys: Record<string, string> = {
      year: y!, month: mo!, day: d!, minute: mi!, dayPeriod: hour < 12 ? 'A' : 'P',
      hour: twelve ? String(hour % 12 || 12).padStart(2, '0') : hh!,
    };
    // Focus (not a click, which lands on whichever part is under the pointer) starts at the first part.
    await field.focus();
    for (const [i, part] of order.entries()) {
      await h.page.keyboard.type(keys[part]!, { delay: 15 });
      // A year may have more than four digits: the field moves on only when told to.
      if (part === 'year' && i < order.length - 1) await h.page.keyboard.press('ArrowRight');
    }
    await poll(() => field.inputValue()).toBe(iso);
  }
  const sentences = () => byTest('timeline-sentence').allInnerTexts();

  it('types every field, reads the timeline as sentences and exports the report', async () => {
    let handlerTemporary = '';
    await step('admin-creates-team', async () => {
      await firstSignIn('admin', ADMIN_INITIAL, ADMIN_CHOSEN);
      const r = await call<{ temporaryPassword: string }>('POST', '/users', { username: 'tomas', displayName: 'Tomas Typist', roles: ['handler'] });
      expect(r.status).toBe(201);
      handlerTemporary = r.json.temporaryPassword;
      expect((await call('POST', '/users', { username: 'colin', displayName: 'Colin Colleague', roles: ['handler'] })).status).toBe(201);
      await h.signOut();
    });
    await step('handler-signs-in', async () => firstSignIn('tomas', handlerTemporary, HANDLER_CHOSEN));

    let ref = '';
    let id = '';
    let other = '';
    await step('declare-incidents', async () => {
      const r = await call<{ id: string; reference: string }>('POST', '/incidents', {
        title: 'Credential phishing against finance', impact: 'high', urgency: 'medium', classifications: [{ class: 'fraud', type: 'phishing' }],
      });
      expect(r.status).toBe(201);
      ({ id, reference: ref } = r.json);
      const o = await call<{ reference: string }>('POST', '/incidents', {
        title: 'Password spraying against the VPN portal', impact: 'medium', urgency: 'medium', classifications: [{ class: 'intrusion-attempts', type: 'brute-force' }],
      });
      expect(o.status).toBe(201);
      other = o.json.reference;
      await h.page.goto(`${h.base}/incidents/${ref}`);
      await poll(() => byTest('incident-reference').innerText()).toBe(ref);
    });

    await step('note', async () => {
      await typeInto(byTest('note-body'), 'Found the **dropper** on FIN-WS-0142.');
      await byTest('note-submit').click();
      await poll(sentences).toContain('tomas added a note');
      await poll(() => byTest('note-body').inputValue()).toBe('');
    });

    await step('communication', async () => {
      await byTest('entry-mode').getByText('Communication', { exact: true }).click();
      // The field that used to blank the whole app on its second character.
      await typeInto(byTest('comm-party'), 'Finance head of IT');
      await typeDateTime(byTest('comm-when'), '2026-03-02T09:15');
      await typeInto(byTest('note-body'), 'Agreed to block login-portal.example at the proxy.');
      await byTest('note-submit').click();
      await poll(sentences).toContain('tomas recorded an outbound phone call with Finance head of IT');
      expect(await byTest('area-error').count()).toBe(0);
    });

    await step('task-new-and-note', async () => {
      await byTest('tab-tasks').click();
      await byTest('task-new').click();
      const dialog = h.page.getByRole('dialog');
      await typeInto(byTest('task-new-title'), 'Reset the finance passwords');
      await typeInto(dialog.getByLabel('Description'), 'All accounts that opened the lure.');
      await typeDateTime(dialog.getByLabel('Due'), '2026-03-03T17:30');
      await typeInto(byTest('task-new-checklist'), 'Finance\nPayroll');
      await byTest('task-new-submit').click();
      const row = h.page.locator('[data-testid="task-row"]', { hasText: 'Reset the finance passwords' });
      await row.waitFor();
      await row.getByTestId('task-toggle').click();
      await byTest('task-detail').getByTestId('checklist-item').first().click();
      await poll(() => row.getByTestId('task-progress').innerText()).toBe('1/2');
      // A note half-written when the task changes (here by its own Save) keeps what was typed.
      await typeDateTime(byTest('task-due'), '2026-03-04T12:00');
      await typeInto(byTest('task-note-body'), 'Finance done, payroll tomorrow.');
      const version = await row.getAttribute('data-version');
      await byTest('task-save').click();
      await poll(() => row.getAttribute('data-version')).not.toBe(version);
      await poll(() => byTest('task-save').isDisabled()).toBe(true);
      expect(await byTest('task-note-body').inputValue()).toBe('Finance done, payroll tomorrow.');
      expect(await byTest('task-due').inputValue()).toBe('2026-03-04T12:00');
      await byTest('task-detail').getByRole('button', { name: 'Add note' }).click();
      await poll(() => byTest('task-note').count()).toBe(1);
    });

    await step('observables', async () => {
      await byTest('tab-observables').click();
      await choose('observable-type', 'domain');
      await typeInto(byTest('observable-value'), 'login-portal.example');
      await byTest('observable-add').click();
      const table = byTest('observables-table');
      await poll(() => table.innerText()).toContain('login-portal.example');
      await byTest('observable-paste').click();
      await typeInto(byTest('paste-text'), 'Beacon to 198.51.100.77 seen.');
      await byTest('paste-extract').click();
      await poll(() => byTest('paste-candidate').count()).toBeGreaterThanOrEqual(1);
      await byTest('paste-add').click();
      await byTest('paste-result').waitFor();
      await h.page.getByRole('button', { name: 'Done' }).click();
      await poll(() => table.innerText()).toContain('198.51.100.77');
      const ioc = table.locator('[data-testid="observable-row"][data-value="login-portal.example"]').getByTestId('observable-ioc');
      await ioc.click();
      await poll(async () => (await ioc.isChecked()) && (await ioc.isEnabled())).toBe(true);
    });

    await step('evidence-and-hand-over', async () => {
      await byTest('tab-evidence').click();
      const file = join(work, 'lure.eml');
      writeFileSync(file, 'From: "Payroll" <payroll@login-portal.example>\r\nSubject: Your salary statement\r\n\r\nOpen https://login-portal.example/s\r\n');
      await h.page.locator('input[type="file"]').setInputFiles(file);
      await typeInto(byTest('evidence-from'), 'Mailbox of j.doe@finance');
      await byTest('evidence-by').fill('');
      await typeInto(byTest('evidence-by'), 'Tomas Typist');
      await byTest('evidence-at').fill('');
      await typeDateTime(byTest('evidence-at'), '2026-03-02T08:05');
      await typeInto(h.page.getByRole('form', { name: 'Upload evidence' }).getByLabel('Description'), 'The lure as received, exported from Exchange');
      await byTest('evidence-upload').click();
      const item = h.page.locator('[data-testid="evidence-item"][data-filename="lure.eml"]');
      await item.waitFor();
      await item.getByTestId('evidence-custody-toggle').click();
      await typeInto(item.getByTestId('handover-to'), 'CERT forensic lab');
      await typeInto(item.getByTestId('handover-reason'), 'Header analysis');
      await item.getByTestId('handover-submit').click();
      await poll(() => item.getByTestId('custody-log').locator('[data-action="handed_over"]').count()).toBe(1);
    });

    await step('link-and-role', async () => {
      await byTest('tab-links').click();
      await typeInto(byTest('link-reference'), other);
      await byTest('link-add').click();
      await h.page.locator('[data-testid="link-row"][data-kind="related"]').waitFor();
      await byTest('tab-roles').click();
      await byTest('role-select').click();
      await h.page.getByRole('option', { name: 'Technical lead', exact: true }).click();
      await byTest('role-user').pressSequentially('Col', { delay: 15 });
      await h.page.getByRole('option', { name: 'Colin Colleague (colin)', exact: true }).click();
      await byTest('role-add').click();
      await poll(() => byTest('roles-table').innerText()).toContain('Colin Colleague');
    });

    await step('key-times', async () => {
      await byTest('tab-key-times').click();
      await typeDateTime(byTest('keytime-detectedAt'), '2026-03-02T07:45');
      await byTest('keytimes-save').click();
      await poll(async () => (await call<{ keyTimes: { detectedAt: string | null } }>('GET', `/incidents/${id}`)).json.keyTimes.detectedAt).not.toBeNull();
    });

    await step('lessons', async () => {
      await byTest('tab-lessons').click();
      await typeInto(byTest('lessons-whatHappened'), 'A lure reached 14 mailboxes; 3 people entered passwords.');
      await typeInto(byTest('lessons-wentWell'), 'Reported within 20 minutes.');
      await typeInto(byTest('lessons-toImprove'), 'Block look-alike domains earlier.');
      await h.page.getByRole('button', { name: 'Add action' }).click();
      await typeInto(h.page.getByLabel('Action 1', { exact: true }), 'Register look-alike domains');
      await byTest('lessons-save').click();
      await poll(async () => (await call<{ whatHappened: string } | null>('GET', `/incidents/${id}/lessons`)).json?.whatHappened).toContain('14 mailboxes');
    });

    await step('edit-incident', async () => {
      await byTest('incident-edit').click();
      await byTest('edit-title').fill('');
      await typeInto(byTest('edit-title'), 'Credential phishing against finance and payroll');
      await typeInto(byTest('edit-summary'), 'Look-alike login portal.');
      await typeInto(byTest('edit-constituent'), 'City finance office');
      await byTest('edit-save').click();
      await poll(() => byTest('incident-heading').innerText()).toBe('Credential phishing against finance and payroll');
    });

    await step('timeline-reads-as-sentences', async () => {
      await byTest('tab-timeline').click();
      const expected = [
        'tomas added a note',
        'tomas recorded an outbound phone call with Finance head of IT',
        'tomas added a note to the task "Reset the finance passwords"',
        'tomas added 1 observable: domain login-portal.example',
        'tomas updated the observable domain login-portal.example: marked it as an IOC',
        'tomas added 1 observable: ipv4 198.51.100.77',
        `tomas linked ${other} to this incident as related`,
        "tomas made colin the incident's technical lead",
        'tomas recorded the lessons-learned review, with 1 follow-up action',
        'tomas handed the evidence file "lure.eml" over to CERT forensic lab: Header analysis',
      ];
      await poll(async () => {
        const now = await sentences();
        return expected.filter((s) => !now.includes(s));
      }).toEqual([]);
      const all = await sentences();
      for (const s of expected) expect(all).toContain(s);
      const joined = all.join('\n');
      expect(joined).toMatch(/tomas created the task "Reset the finance passwords" in the triage phase, due Mar 3, 2026/);
      expect(joined).toMatch(/tomas updated the task "Reset the finance passwords": ticked "Finance" \(1 of 2 done\)/);
      expect(joined).toMatch(/tomas updated the task "Reset the finance passwords": set it due /);
      expect(joined).toMatch(/tomas added the evidence file "lure.eml" \(\d+ bytes\), SHA-256 [0-9a-f]{64}/);
      expect(joined).toMatch(/tomas set the key time "Detected" to /);
      expect(joined).toContain('tomas changed the title from "Credential phishing against finance" to "Credential phishing against finance and payroll"');
      expect(joined).toContain('rewrote the summary');
      expect(joined).toContain('changed the constituent from (empty) to "City finance office"');
      // No entry falls back to its internal name or raw data.
      expect(joined).not.toMatch(/recorded [a-z_]+\.[a-z_]+|[{}]|\bundefined\b|\[object/);
      expect(pageErrors).toEqual([]);
      await shot('incident-typed');
    });

    await step('export-menu-downloads', async () => {
      const get = async (testId: string) => {
        await byTest('incident-export').click();
        const [download] = await Promise.all([h.page.waitForEvent('download'), byTest(testId).click()]);
        const path = join(work, download.suggestedFilename());
        await download.saveAs(path);
        return { name: download.suggestedFilename(), body: readFileSync(path) };
      };
      const html = await get('export-html');
      expect(html.name).toBe(`${ref}-report.html`);
      const text = html.body.toString('utf8');
      expect(text).toContain('Credential phishing against finance and payroll');
      expect(text).toContain('recorded an outbound phone call with Finance head of IT');
      expect(text).not.toContain('{&quot;');
      const pdf = await get('export-pdf');
      expect(pdf.name).toBe(`${ref}-report.pdf`);
      expect(pdf.body.subarray(0, 5).toString()).toBe('%PDF-');
      const json = await get('export-json');
      expect(json.name).toBe(`${ref}.json`);
      expect(JSON.parse(json.body.toString('utf8'))).toMatchObject({ format: 'vigil.incident-export', incident: { reference: ref } });
    });

    await step('a-broken-part-keeps-the-rest', async () => {
      // The SLA clocks come back malformed: that panel fails, in its own place.
      await h.page.route(`**/api/v1/incidents/${id}/sla`, (route) => route.fulfill({
        status: 200, contentType: 'application/json',
        body: JSON.stringify({ policy: { priority: 'P2', constituentName: null, calendar: { kind: '24x7', timeZone: 'UTC' } }, paused: false, clocks: null }),
      }));
      await h.page.reload();
      const broken = h.page.locator('[data-testid="area-error"][data-area="The SLA clocks"]');
      await broken.waitFor();
      expect(await broken.innerText()).toContain('The SLA clocks could not be shown');
      // The rest works, and typing elsewhere goes on.
      await poll(() => byTest('incident-heading').innerText()).toBe('Credential phishing against finance and payroll');
      await typeInto(byTest('note-body'), 'Half-written note that must survive');
      await shot('incident-area-error');
      await h.page.unroute(`**/api/v1/incidents/${id}/sla`);
      await poll(async () => {
        if (await broken.count()) await broken.getByTestId('area-retry').click();
        return broken.count();
      }).toBe(0);
      expect(await byTest('note-body').inputValue()).toBe('Half-written note that must survive');
      expect(await byTest('area-error').count()).toBe(0);
    });
  });
});
