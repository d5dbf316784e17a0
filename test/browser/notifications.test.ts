import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startHookServer, type HookServer } from '../../src/modules/notifications/testkit.ts';
import { browserHarness, poll } from './harness.ts';

/**
 * Notifications in a real browser against a real Vigil process: an admin adds a webhook channel and
 * sends a test through it (delivered by the worker `vigil serve` runs, to a real local HTTP
 * server), reads the delivery log and edits a template; a manager gets an in-app notification
 * when assigned an incident, sees it on the bell, reads it in the inbox and sets preferences.
 */
const ADMIN_INITIAL = 'Initial-Admin-Pass-1';
const ADMIN_CHOSEN = 'Browser-Chosen-Passphrase-2026';
const SHOTS = process.env.VIGIL_SHOTS_DIR;

describe('notifications in Chromium', () => {
  const h = browserHarness('vigil-notify-', ADMIN_INITIAL);
  const { step, byTest, firstSignIn, signOut, call } = h;
  const shot = async (name: string) => {
    if (!SHOTS) return;
    mkdirSync(SHOTS, { recursive: true });
    await h.page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  };

  it('configures a channel, sends a test, edits a template, and reads an in-app notification', async () => {
    const hooks: HookServer = await startHookServer();
    try {
      await step('sign-in', () => firstSignIn('admin', ADMIN_INITIAL, ADMIN_CHOSEN));

      await step('add-channel', async () => {
        await h.page.goto(`${h.base}/admin/notifications`);
        await byTest('tab-channels').click();
        await byTest('channel-add').click();
        await byTest('channel-name').fill('SOC webhook');
        await byTest('channel-url').fill('ftp://not-allowed.example/hook');
        await byTest('channel-save').click();
        await poll(() => h.page.getByText('only http and https URLs').count()).toBeGreaterThan(0);
        await byTest('channel-url').fill(`${hooks.url}/soc`);
        await byTest('channel-secret').fill('browser-hmac-secret');
        await byTest('channel-save').click();
        await poll(() => h.page.locator('[data-channel="SOC webhook"]').count()).toBe(1);
        await expect(h.page.content()).resolves.not.toContain('browser-hmac-secret');
        await shot('notifications-channels');
      });

      await step('send-test', async () => {
        await h.page.locator('[data-channel="SOC webhook"]').getByTestId('channel-test').click();
        // The worker of `vigil serve` delivers it to the local HTTP server.
        await poll(() => hooks.hits.length).toBe(1);
        expect(hooks.hits[0]!.headers['x-vigil-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
        expect(JSON.parse(hooks.hits[0]!.body)).toMatchObject({ event: 'test' });
        await byTest('tab-log').click();
        await poll(async () => {
          await h.page.getByRole('button', { name: 'Refresh' }).click();
          return h.page.locator('[data-status="sent"]').count();
        }).toBeGreaterThan(0);
        await h.page.locator('[data-status="sent"]').first().click();
        await poll(() => byTest('attempt-log').innerText()).toMatch(/sent\s+HTTP 200/);
        await shot('notifications-log');
      });

      await step('template', async () => {
        await byTest('tab-templates').click();
        await byTest('template-subject').fill('[{{incidentReference}}] {{nope}}');
        await byTest('template-save').click();
        await poll(() => h.page.getByText('unknown variable {{nope}}', { exact: false }).count()).toBeGreaterThan(0);
        await byTest('template-subject').fill('[{{incidentReference}}] {{priority}} declared: {{incidentTitle}}');
        await byTest('template-save').click();
        await poll(() => h.page.getByText('customised').count()).toBe(1);
        await shot('notifications-templates');
      });

      let temporary = '';
      await step('make-manager', async () => {
        const m = await call<{ temporaryPassword: string }>('POST', '/users', { username: 'mona', displayName: 'Mona Manager', email: 'mona@cert.test', roles: ['manager'] });
        expect(m.status).toBe(201);
        temporary = m.json.temporaryPassword;
        await signOut();
      });

      await step('assigned-notification', async () => {
        await firstSignIn('mona', temporary, 'Second-Handler-Passphrase-2026');
        expect(await byTest('bell-count').getAttribute('data-unread')).toBe('0');
        const me = await call<{ user: { id: string } }>('GET', '/auth/me');
        const inc = await call<{ id: string }>('POST', '/incidents', { title: 'Phishing wave <b>', impact: 'high', urgency: 'high', classifications: [{ class: 'fraud', type: 'phishing' }] });
        expect(inc.status).toBe(201);
        expect((await call('POST', '/incidents/assign', { incidents: [inc.json.id], assigneeId: me.json.user.id })).status).toBe(200);
        // The assignment only queued its notification; the delivery worker of `vigil serve` writes it within seconds.
        await poll(async () => JSON.stringify((await call('GET', '/notifications')).json)).toContain('Assigned to mona');
        await h.page.reload();
        // The assignment, and whatever escalation policy applies to a new incident.
        await poll(async () => Number(await byTest('bell-count').getAttribute('data-unread'))).toBeGreaterThanOrEqual(1);
        await shot('notifications-bell');
        await byTest('bell').click();
        await poll(() => byTest('inbox-list').innerText()).toContain('Assigned to mona: Phishing wave <b>');
        await shot('notifications-inbox');
        await byTest('inbox-mark-read').first().click();
        await byTest('inbox-mark-all').click();
        await poll(() => byTest('bell-count').getAttribute('data-unread')).toBe('0');
      });

      await step('preferences', async () => {
        await h.page.goto(`${h.base}/account`);
        await h.page.getByLabel('Incident assigned to you: e-mail').uncheck();
        await byTest('preferences-save').click();
        await poll(async () => (await call<{ items: { event: string; email: boolean }[] }>('GET', '/account/notification-preferences')).json.items.find((p) => p.event === 'incident.assigned')?.email).toBe(false);
        await byTest('notification-preferences').scrollIntoViewIfNeeded();
        await shot('notifications-preferences');
        // A manager reads the delivery log but has no channels or templates tabs.
        await h.page.goto(`${h.base}/admin/notifications`);
        await byTest('notification-log').waitFor();
        expect(await byTest('tab-channels').count()).toBe(0);
      });
    } finally {
      await hooks.close();
    }
  });
});
