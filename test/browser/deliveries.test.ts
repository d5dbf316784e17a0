import { describe, expect, it } from 'vitest';
import { startHookServer, type HookServer } from '../../src/modules/notifications/testkit.ts';
import { browserHarness, poll } from './harness.ts';

/**
 * The failed-deliveries view in a real browser against a real Vigil process: a webhook that
 * refuses (HTTP 404) fails its delivery in the worker `vigil serve` runs; the admin finds it under
 * Administration › Deliveries, reads the attempt, and retries it once the receiver takes it.
 */
const ADMIN_INITIAL = 'Initial-Admin-Pass-1';
const ADMIN_CHOSEN = 'Browser-Chosen-Passphrase-2026';

describe('the deliveries view in Chromium', () => {
  const h = browserHarness('vigil-deliveries-', ADMIN_INITIAL);
  const { step, byTest, firstSignIn, call } = h;

  it('shows a failed delivery of any kind with its attempt, and retries it', async () => {
    const hooks: HookServer = await startHookServer();
    try {
      await step('sign-in', () => firstSignIn('admin', ADMIN_INITIAL, ADMIN_CHOSEN));

      await step('failing-webhook', async () => {
        hooks.failWith(404);
        const ch = await call<{ id: string }>('POST', '/notification-channels', { name: 'Refusing room', kind: 'webhook', url: `${hooks.url}/refuse` });
        expect(ch.status).toBe(201);
        expect((await call('POST', `/notification-channels/${ch.json.id}/test`)).status).toBe(202);
        // The worker of `vigil serve` tries it; the receiver's 404 fails it at once.
        await poll(async () => (await call<{ items: unknown[] }>('GET', '/deliveries?status=failed&kind=notification')).json.items.length).toBe(1);
      });

      await step('failed-view', async () => {
        await h.page.goto(`${h.base}/admin/deliveries`);
        await poll(() => h.page.getByRole('link', { name: 'Deliveries' }).count()).toBeGreaterThan(0);
        const row = h.page.locator('[data-delivery]').filter({ hasText: 'HTTP 404' });
        await poll(() => row.count()).toBe(1);
        await row.click();
        await poll(() => byTest('delivery-attempts').innerText()).toMatch(/failed\s+HTTP 404: nope/);
      });

      await step('retry', async () => {
        hooks.failWith(null);
        await byTest('delivery-retry').click();
        await poll(() => hooks.hits.filter((x) => x.url === '/refuse').length).toBe(1);
        await poll(async () => (await call<{ items: unknown[] }>('GET', '/deliveries?status=failed&kind=notification')).json.items.length).toBe(0);
      });
    } finally {
      await hooks.close();
    }
  });
});
