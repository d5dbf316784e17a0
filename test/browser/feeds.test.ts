import { describe, expect, it } from 'vitest';
import { browserHarness, poll } from './harness.ts';

/**
 * Feeds in a real browser against a real Vigil process: a manager configures a block-list feed,
 * typing its name and settings key by key (a bad setting is named before anything is saved), hands
 * it a report file, and the feed worker of `vigil serve` reads it: the counts fill in, the refused
 * line shows with its reason, and the events show where they were routed.
 */
const ADMIN_INITIAL = 'Initial-Admin-Pass-1';
const ADMIN_CHOSEN = 'Feed-Keeper-Passphrase-2026';

describe('feeds in Chromium', () => {
  const h = browserHarness('vigil-feeds-', ADMIN_INITIAL);
  const { step, byTest, firstSignIn, call, choose } = h;

  it('configures a feed, uploads a report, and shows its counts, refused lines and routed events', async () => {
    await step('sign-in', () => firstSignIn('admin', ADMIN_INITIAL, ADMIN_CHOSEN));

    await step('constituent', async () => {
      const c = await call('POST', '/constituents', { name: 'ACME Corp', netblocks: ['192.0.2.0/24'], domains: ['acme.example'] });
      expect(c.status).toBe(201);
    });

    await step('new-feed', async () => {
      await h.page.goto(`${h.base}/feeds`);
      await byTest('feed-new').click();
      await byTest('feed-name').pressSequentially('Partner block list', { delay: 10 });
      await choose('feed-parser', 'Plain list (addresses, networks, domains, URLs)');
      // A list needs its type: the server names what is missing, and nothing is saved.
      await byTest('feed-create').click();
      await poll(() => byTest('feed-settings-problems').innerText()).toMatch(/classificationType/);
      await byTest('feed-settings').pressSequentially('{"classificationType": "blacklist"}', { delay: 5 });
      await byTest('feed-create').click();
      await poll(() => h.page.locator('[data-testid="feed-row"][data-feed="Partner block list"]').count()).toBe(1);
    });

    await step('upload', async () => {
      await h.page.locator('[data-testid="feed-row"][data-feed="Partner block list"]').click();
      await h.page.locator('input[type="file"]').setInputFiles({
        name: 'blocklist-2026-12-07.txt', mimeType: 'text/plain',
        buffer: Buffer.from('# partner block list\r\n192.0.2.44\r\nphish.acme.example ; seen today\r\n203.0.113.9\r\nnot an indicator\r\n'),
      });
      await byTest('feed-upload').click();
      // The worker of `vigil serve` reads it within a second or two; the page refreshes its counts.
      await expect.poll(() => byTest('feed-report-status').first().innerText(), { timeout: 30_000, interval: 200 }).toMatch(/^parsed$/i);
      const row = h.page.locator('[data-delivery]').filter({ hasText: 'blocklist-2026-12-07.txt' });
      expect(await row.innerText()).toMatch(/parsed\s+5\s+3\s+1\s+2/i);
    });

    await step('refused-line', async () => {
      await byTest('feed-parse-error').first().waitFor();
      const text = await byTest('feed-parse-errors').innerText();
      expect(text).toMatch(/5\s+.*not an indicator/s);
    });

    await step('events', async () => {
      const events = byTest('feed-events');
      await poll(() => byTest('feed-event').count()).toBe(3);
      const all = await events.innerText();
      expect(all).toMatch(/source ip: 192\.0\.2\.44\s+netblock 192\.0\.2\.0\/24/);
      expect(all).toMatch(/source fqdn: phish\.acme\.example\s+domain acme\.example/);
      await h.page.getByText('Unrouted', { exact: true }).click();
      await poll(() => byTest('feed-event').count()).toBe(1);
      expect(await events.innerText()).toMatch(/203\.0\.113\.9\s+routed nowhere/);
    });
  });
});
