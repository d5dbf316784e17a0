import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, auditCount, userWith, type Session } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import { channelActor } from '../intake/items.service.ts';
import { notifyTest, type NotifyTest } from '../notifications/testkit.ts';
import { deliveryRepo } from './repo.ts';
import { deliveryWorker, drainQueued } from './testkit.ts';

/**
 * The delivery layer across its kinds: an incident's change only queues the work that need not
 * share its transaction, so a notification template that does not render fails that delivery
 * (shown in the failed-deliveries view, retried from there) and never the analyst's change.
 */
describe.each(stores())('the delivery layer on %s', (store) => {
  let n: NotifyTest;
  let admin: Session;
  beforeAll(async () => {
    n = await notifyTest(store);
    admin = await adminSession(n.t);
  });
  afterAll(() => n?.close());
  const call = (who: Session, method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: object) =>
    n.t.app.inject({ method, url: `/api/v1${url}`, headers: who.headers, ...(payload ? { payload } : {}) });

  it('commits an incident change whose notification template does not render, and shows the failed delivery for a retry', async () => {
    const handler = await userWith(n.t, ['handler']);
    await n.t.db.db.updateTable('appUser').set({ email: 'assignee@cert.test' }).where('id', '=', handler.id).execute();
    // A template stored by an older version names a variable the event no longer has: the API
    // refuses such a template today, so it is written straight into the table.
    await n.t.db.db.insertInto('notificationTemplate').values({
      event: 'incident.assigned', subject: '[{{incidentReference}}] for {{assignee}}', body: 'Queue: {{queueName}}', version: 1, updatedBy: null, updatedAt: n.clock.now(),
    }).execute();

    const declared = await call(handler, 'POST', '/incidents', { title: 'Template broken', impact: 'low', urgency: 'low', classifications: [{ class: 'fraud', type: 'phishing' }] });
    expect(declared.statusCode, declared.body).toBe(201);
    const inc = declared.json();
    const assigned = await call(handler, 'POST', '/incidents/assign', { incidents: [inc.id], assigneeId: handler.id });
    expect(assigned.statusCode, assigned.body).toBe(200);
    // The change committed: the incident is assigned, whatever the template.
    expect((await call(handler, 'GET', `/incidents/${inc.reference}`)).json().assignee).toMatchObject({ userId: handler.id });

    // The worker does the queued work: the declaration's goes through, the assignment's fails at once.
    await drainQueued(n.t, n.clock);
    const failed = await call(admin, 'GET', '/deliveries?status=failed&kind=notification.incident_event');
    expect(failed.statusCode, failed.body).toBe(200);
    const mine = failed.json().items.filter((d: { summary: string }) => d.summary.startsWith('incident.assigned'));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ kind: 'notification.incident_event', status: 'failed', attempts: 1, via: 'internal' });
    expect(mine[0].lastError).toMatch(/incident\.assigned notification template does not render: unknown variable \{\{queueName\}\}/);
    const detail = (await call(admin, 'GET', `/deliveries/${mine[0].id}`)).json();
    expect(detail.attemptLog).toEqual([expect.objectContaining({ outcome: 'failed', response: mine[0].lastError })]);
    // Nothing half-written: no notification of the assignment exists.
    const assignedRows = await n.t.db.db.selectFrom('notificationDelivery').select('id').where('event', '=', 'incident.assigned').where('link', 'like', `%${inc.id}%`).execute();
    expect(assignedRows).toEqual([]);

    // An admin fixes the template and retries from the failed view: the notification is written and sent.
    expect((await call(admin, 'PUT', '/notification-templates/incident.assigned', { version: 1, template: null })).statusCode).toBe(200);
    const before = await auditCount(n.t);
    const retried = await call(admin, 'POST', `/deliveries/${mine[0].id}/retry`);
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json()).toMatchObject({ status: 'queued', attempts: 0 });
    expect(await auditCount(n.t)).toBe(before + 1);
    await drainQueued(n.t, n.clock);
    expect((await deliveryRepo.findById(n.t.db.db, mine[0].id))!.status).toBe('sent');
    const rows = await n.t.db.db.selectFrom('notificationDelivery').select(['medium', 'address']).where('event', '=', 'incident.assigned').where('link', 'like', `%${inc.id}%`).execute();
    expect(rows.map((r) => r.medium).sort()).toEqual(['email', 'in_app']);
    await n.worker.runOnce();
    expect(n.sink.messages.filter((m) => m.to.includes('assignee@cert.test'))).toHaveLength(1);

    const again = await call(admin, 'POST', `/deliveries/${mine[0].id}/retry`);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'VIG_DELIVERY_NOT_RETRYABLE', deliveryStatus: 'sent' });
  });

  it('lists failed deliveries of every kind to admins only, page by page', async () => {
    // A reporter's receipt refused by the relay, and a webhook refused by its receiver.
    n.sink.failWith(550, 'No such user here');
    n.hooks.failWith(404);
    try {
      await n.t.db.db.transaction().execute((tx) => n.t.services.reports.receiveIn(tx, channelActor('smtp'), {
        channel: 'email', title: 'Refused receipt', body: 'x', reporterEmail: 'nobody@example.org',
      }));
      const ch = (await call(admin, 'POST', '/notification-channels', { name: 'Refusing room', kind: 'webhook', url: `${n.hooks.url}/refuse` })).json();
      await n.t.db.db.transaction().execute((tx) => n.t.services.notificationOutbox.enqueue(tx, { event: 'test', dedupeKey: 'failed-view-1', vars: { actor: 'a', channel: 'b' }, recipients: [{ channel: ch.id }] }));
      const all = deliveryWorker(n.t, n.clock, { relayUrl: n.sink.url });
      for (let r = await all.runOnce(); r.claimed > 0; r = await all.runOnce());
      await all.stop();
    } finally {
      n.sink.failWith(null);
      n.hooks.failWith(null);
    }

    const failed = (await call(admin, 'GET', '/deliveries?status=failed&limit=200')).json();
    expect(failed.relayConfigured).toBe(true);
    expect(failed.items.every((d: { status: string }) => d.status === 'failed')).toBe(true);
    const kinds = new Set(failed.items.map((d: { kind: string }) => d.kind));
    for (const k of ['reporter_mail', 'notification']) expect(kinds, k).toContain(k);
    const receipt = failed.items.find((d: { kind: string; recipient: string }) => d.kind === 'reporter_mail' && d.recipient === 'nobody@example.org');
    expect(receipt.lastError).toMatch(/^550 /);
    expect(failed.items.find((d: { kind: string }) => d.kind === 'notification').lastError).toBe('HTTP 404: nope');
    // The per-kind log still shows the receipt, read from the same delivery.
    const mailLog = (await call(admin, 'GET', '/mail/deliveries?status=failed')).json();
    expect(mailLog.items.map((d: { id: string }) => d.id)).toContain(receipt.id);

    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = (await call(admin, 'GET', `/deliveries?status=failed&limit=1${cursor ? `&cursor=${cursor}` : ''}`)).json();
      pages.push(...page.items.map((x: { id: string }) => x.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages).toEqual(failed.items.map((x: { id: string }) => x.id));

    for (const role of ['manager', 'handler', 'viewer'] as const) {
      const who = await userWith(n.t, [role]);
      expect((await call(who, 'GET', '/deliveries')).statusCode, role).toBe(403);
      expect((await call(who, 'POST', `/deliveries/${receipt.id}/retry`)).statusCode, role).toBe(403);
    }
    expect((await call(admin, 'GET', `/deliveries/${randomUUID()}`)).json().code).toBe('VIG_DELIVERY_NOT_FOUND');
    expect((await call(admin, 'GET', '/deliveries?kind=Bad-Kind')).statusCode).toBe(400);
  });
});
