import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { userWith, type Session } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import { verifySignature } from './format.ts';
import { deliveryRepo } from '../delivery/repo.ts';
import { notificationRepo } from './repo.ts';
import { notifyTest, type NotifyTest } from './testkit.ts';

const MIN = 60_000;

describe.each(stores())('the notification worker on %s', (store) => {
  let n: NotifyTest;
  let admin: Session;
  beforeAll(async () => {
    n = await notifyTest(store);
  });
  // A fresh admin per test: the test clock moves past session lifetimes.
  beforeEach(async () => {
    admin = await userWith(n.t, ['admin']);
  });
  afterAll(() => n?.close());
  const call = (who: Session, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: object) =>
    n.t.app.inject({ method, url: `/api/v1${url}`, headers: who.headers, ...(payload ? { payload } : {}) });
  const channel = async (body: object) => {
    const r = await call(admin, 'POST', '/notification-channels', body);
    expect(r.statusCode).toBe(201);
    return r.json() as { id: string };
  };
  const delivery = (id: string) => notificationRepo.findById(n.t.db.db, id).then((d) => d!);
  const enqueue = (input: Parameters<NotifyTest['t']['services']['notificationOutbox']['enqueue']>[1]) =>
    n.t.db.db.transaction().execute((tx) => n.t.services.notificationOutbox.enqueue(tx, input));
  /** Runs rounds until nothing is due now. */
  const drain = async () => {
    for (let i = 0; i < 10; i++) if ((await n.worker.runOnce()).claimed === 0) return;
  };

  it('posts each webhook kind in its own format, escaped, signed, and e-mails through the relay', async () => {
    const hook = await channel({ name: 'Generic', kind: 'webhook', url: `${n.hooks.url}/generic`, secret: 'hmac-key-123456' });
    const slack = await channel({ name: 'Slack', kind: 'slack', url: `${n.hooks.url}/slack/T1/B1/tok` });
    const mm = await channel({ name: 'MM', kind: 'mattermost', url: `${n.hooks.url}/mm/hooks/xyz` });
    const matrix = await channel({ name: 'Matrix', kind: 'matrix', url: `${n.hooks.url}/mx/`, roomId: '!room:matrix.test', secret: 'syt_access_token' });
    const title = '<script>alert(1)</script> & <!channel> @all *bold*';
    const r = await enqueue({
      event: 'incident.declared', dedupeKey: 'fmt-1', link: '/incidents/abc',
      vars: { incidentReference: 'CERT-7', incidentTitle: title, priority: 'P1', tlp: 'AMBER', actor: 'ann' },
      recipients: [{ channel: hook.id }, { channel: slack.id }, { channel: mm.id }, { channel: matrix.id }, { email: 'soc@partner.example' }],
    });
    expect(r.queued).toHaveLength(5);
    await drain();
    for (const d of r.queued) expect((await delivery(d.id)).status).toBe('sent');

    const hit = (p: string) => n.hooks.hits.find((h) => h.url.startsWith(p))!;
    const g = hit('/generic');
    expect(verifySignature('hmac-key-123456', g.body, g.headers['x-vigil-signature'] as string)).toBe(true);
    expect(verifySignature('other-key', g.body, g.headers['x-vigil-signature'] as string)).toBe(false);
    expect(JSON.parse(g.body)).toMatchObject({ event: 'incident.declared', dedupeKey: 'fmt-1', link: 'https://vigil.cert.test/incidents/abc', vars: { incidentTitle: title } });

    const s = JSON.parse(hit('/slack').body).text as string;
    expect(s).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;!channel&gt;');
    expect(s).not.toMatch(/<!channel>|<script>/);
    expect(s).toContain('<https://vigil.cert.test/incidents/abc|Open in Vigil>');

    const m = JSON.parse(hit('/mm').body).text as string;
    expect(m).not.toMatch(/@all|<script>|\*bold\*/);
    expect(m).toContain('\\*bold\\*');

    const x = hit('/mx');
    const rec = r.queued.find((d) => d.channelId === matrix.id)!;
    expect(x.method).toBe('PUT');
    expect(x.url).toBe(`/mx/_matrix/client/v3/rooms/${encodeURIComponent('!room:matrix.test')}/send/m.room.message/${rec.id}`);
    expect(x.headers.authorization).toBe('Bearer syt_access_token');
    const mx = JSON.parse(x.body);
    expect(mx).toMatchObject({ msgtype: 'm.text', format: 'org.matrix.custom.html' });
    expect(mx.formatted_body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp;');
    expect(mx.formatted_body).not.toContain('<script>');

    const mail = n.sink.messages.find((msg) => msg.to.includes('soc@partner.example'))!;
    expect(mail.parsed.subject).toBe(`[CERT-7] P1 incident declared: ${title}`);
    expect(mail.parsed.text).toContain('https://vigil.cert.test/incidents/abc');
    expect(mail.parsed.headers.get('auto-submitted')).toBe('auto-generated');

    // Every attempt logged; the secrets appear nowhere in it.
    const log = await call(admin, 'GET', `/notification-deliveries/${rec.id}`);
    expect(log.json().attemptLog).toMatchObject([{ outcome: 'sent', code: 200 }]);
    expect(log.body).not.toContain('syt_access_token');
  });

  it('never blocks incident work while the relay and webhooks are down; retries with backoff, then delivers', async () => {
    const hook = await channel({ name: 'SOC feed', kind: 'webhook', url: `${n.hooks.url}/soc`, events: ['incident.declared', 'incident.assigned'] });
    const handler = await userWith(n.t, ['handler']);
    const manager = await userWith(n.t, ['manager']);
    await n.t.db.db.updateTable('appUser').set({ email: 'handler@cert.test' }).where('id', '=', handler.id).execute();
    await n.hooks.down();
    await n.sink.down();
    onTestFinished(async () => {
      await n.hooks.up();
      await n.sink.up();
    });

    // Declaring and assigning incidents completes fast: notifications are only rows in the same transaction.
    const started = performance.now();
    const declared = await call(manager, 'POST', '/incidents', { title: 'Relay down', impact: 'low', urgency: 'low', classifications: [{ class: 'fraud', type: 'phishing' }] });
    expect(declared.statusCode, declared.body).toBe(201);
    const inc = declared.json();
    const asg = await call(manager, 'POST', '/incidents/assign', { incidents: [inc.id], assigneeId: handler.id });
    expect(asg.statusCode).toBe(200);
    expect(performance.now() - started).toBeLessThan(2000);

    const mine = () => n.t.db.db.selectFrom('notificationDelivery').innerJoin('delivery', 'delivery.id', 'notificationDelivery.id')
      .selectAll('notificationDelivery').select(['delivery.status', 'delivery.attempts', 'delivery.lastError', 'delivery.nextAttemptAt'])
      .where('link', '=', `https://vigil.cert.test/incidents/${inc.id}`).orderBy('notificationDelivery.createdAt').execute();
    // The incident's changes only queued their notifications: the worker addresses and renders them.
    expect(await mine()).toEqual([]);
    expect(await n.drain()).toBe(2);
    let rows = await mine();
    expect(rows.map((d) => `${d.event} ${d.medium}`).sort()).toEqual(['incident.assigned email', 'incident.assigned in_app', 'incident.assigned webhook', 'incident.declared webhook']);
    // The assignee sees it in the app at once.
    expect((await call(handler, 'GET', '/notifications')).json().unread).toBe(1);

    expect(await n.worker.runOnce()).toMatchObject({ claimed: 3, deferred: 3 });
    rows = await mine();
    for (const d of rows.filter((x) => x.medium !== 'in_app')) {
      expect(d).toMatchObject({ status: 'queued', attempts: 1 });
      expect(d.lastError).toMatch(/ECONNREFUSED|cannot reach/);
      expect(d.lastError).not.toContain(n.hooks.url);
      expect(d.nextAttemptAt.getTime() - n.clock.now().getTime()).toBe(MIN);
    }
    expect((await n.worker.runOnce()).claimed).toBe(0);
    n.clock.advance(MIN);
    expect(await n.worker.runOnce()).toMatchObject({ claimed: 3, deferred: 3 });
    // Failed deliveries show in the admins' log.
    const queued = (await call(admin, 'GET', '/notification-deliveries?status=queued&limit=200')).json();
    expect(queued.items.filter((d: { lastError: string | null }) => d.lastError).length).toBeGreaterThanOrEqual(3);

    await n.hooks.up();
    await n.sink.up();
    n.clock.advance(2 * MIN);
    expect(await n.worker.runOnce()).toMatchObject({ claimed: 3, sent: 3 });
    rows = await mine();
    expect(rows.every((d) => d.status === 'sent')).toBe(true);
    const webhook = rows.find((d) => d.channelId === hook.id && d.event === 'incident.assigned')!;
    expect((await notificationRepo.attempts(n.t.db.db, webhook.id)).map((a) => a.outcome)).toEqual(['deferred', 'deferred', 'sent']);
    expect(n.hooks.hits.filter((h) => h.url === '/soc')).toHaveLength(2);
    expect(n.sink.messages.filter((m) => m.to.includes('handler@cert.test'))).toHaveLength(1);
    // Sent once: later rounds send nothing again.
    n.clock.advance(60 * MIN);
    expect((await n.worker.runOnce()).claimed).toBe(0);
  });

  it('takes over a delivery a crashed sender left, after its lease, and sends it once', async () => {
    const r = await enqueue({ event: 'test', dedupeKey: 'lease-1', vars: { actor: 'a', channel: 'b' }, recipients: [{ email: 'lease@example.org' }] });
    const id = r.queued[0]!.id;
    // A sender claims it and dies before sending.
    const now = n.clock.now();
    const claimed = await deliveryRepo.claimDue(n.t.db.db, now, new Date(now.getTime() + 5 * MIN), 50);
    expect(claimed.map((c) => c.id)).toContain(id);
    expect((await n.worker.runOnce()).claimed).toBe(0);
    n.clock.advance(5 * MIN);
    expect((await n.worker.runOnce()).sent).toBeGreaterThanOrEqual(1);
    expect((await notificationRepo.attempts(n.t.db.db, id)).map((a) => a.outcome)).toEqual(['abandoned', 'sent']);
    expect(n.sink.messages.filter((m) => m.to.includes('lease@example.org'))).toHaveLength(1);
  });

  it('keeps e-mail queued without spending attempts while no relay is configured, and still delivers webhooks', async () => {
    const hook = await channel({ name: 'No relay', kind: 'webhook', url: `${n.hooks.url}/norelay` });
    const noRelay = n.newWorker({ relayUrl: undefined });
    const r = await enqueue({ event: 'test', dedupeKey: 'norelay-1', vars: { actor: 'a', channel: 'b' }, recipients: [{ channel: hook.id }, { email: 'later@example.org' }] });
    expect(await noRelay.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    const mail = r.queued.find((d) => d.medium === 'email')!;
    n.clock.advance(24 * 60 * MIN);
    await noRelay.runOnce();
    expect(await delivery(mail.id)).toMatchObject({ status: 'queued', attempts: 0 });
    // Once a worker with a relay runs, it goes out.
    await n.worker.runOnce();
    expect(await delivery(mail.id)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('fails permanently on a refusal or after the attempt limit; an admin retries it', async () => {
    const hook = await channel({ name: 'Refuser', kind: 'webhook', url: `${n.hooks.url}/refuse` });
    n.hooks.failWith(404);
    onTestFinished(() => n.hooks.failWith(null));
    const r = await enqueue({ event: 'test', dedupeKey: 'refuse-1', vars: { actor: 'a', channel: 'b' }, recipients: [{ channel: hook.id }] });
    const id = r.queued[0]!.id;
    expect(await n.worker.runOnce()).toMatchObject({ failed: 1 });
    expect(await delivery(id)).toMatchObject({ status: 'failed', lastError: 'HTTP 404: nope' });
    const failed = (await call(admin, 'GET', '/notification-deliveries?status=failed')).json();
    expect(failed.items.map((d: { id: string }) => d.id)).toContain(id);

    // A 503 is transient: retried until the limit, then failed.
    n.hooks.failWith(503);
    const few = n.newWorker({ maxAttempts: 2 });
    const r2 = await enqueue({ event: 'test', dedupeKey: 'refuse-2', vars: { actor: 'a', channel: 'b' }, recipients: [{ channel: hook.id }] });
    await few.runOnce();
    expect(await delivery(r2.queued[0]!.id)).toMatchObject({ status: 'queued', attempts: 1 });
    n.clock.advance(MIN);
    await few.runOnce();
    expect(await delivery(r2.queued[0]!.id)).toMatchObject({ status: 'failed', attempts: 2 });

    n.hooks.failWith(null);
    const retried = await call(admin, 'POST', `/notification-deliveries/${id}/retry`);
    expect(retried.json()).toMatchObject({ status: 'queued', attempts: 0 });
    await n.worker.runOnce();
    expect(await delivery(id)).toMatchObject({ status: 'sent' });
    expect((await call(admin, 'POST', `/notification-deliveries/${id}/retry`)).json()).toMatchObject({ code: 'VIG_NOTIFICATION_DELIVERY_NOT_RETRYABLE' });
  });
});
