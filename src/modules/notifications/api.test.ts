import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, userWith, type Session } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import { notifyTest, type NotifyTest } from './testkit.ts';

describe.each(stores())('notifications API on %s', (store) => {
  let n: NotifyTest;
  let admin: Session;
  beforeAll(async () => {
    n = await notifyTest(store);
    admin = await adminSession(n.t);
  });
  afterAll(() => n?.close());
  const call = (who: Session, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    n.t.app.inject({ method, url: `/api/v1${url}`, headers: who.headers, ...(payload ? { payload } : {}) });
  const enqueue = (input: Parameters<NotifyTest['t']['services']['notificationOutbox']['enqueue']>[1]) =>
    n.t.db.db.transaction().execute((tx) => n.t.services.notificationOutbox.enqueue(tx, input));

  it('enqueues each notification once per recipient and medium, however often the caller retries', async () => {
    const u = await userWith(n.t, ['handler']);
    await n.t.db.db.updateTable('appUser').set({ email: 'hank@cert.test' }).where('id', '=', u.id).execute();
    const input = {
      event: 'escalation.level' as const, dedupeKey: 'escalation:inc-1:1:1', link: '/incidents/x',
      vars: { incidentReference: 'CERT-1', incidentTitle: 'Ransomware', priority: 'P1', level: 1, round: 1, policy: 'P1 chain' },
      recipients: [{ user: u.id }, { email: 'Duty@Partner.example' }],
    };
    const first = await enqueue(input);
    expect(first.queued.map((d) => `${d.medium} ${d.recipient}`).sort()).toEqual(['email email:duty@partner.example', `email user:${u.id}`, `in_app user:${u.id}`]);
    const again = await enqueue(input);
    expect(again).toMatchObject({ queued: [], duplicates: 3 });
    // The next round is another notification.
    expect((await enqueue({ ...input, dedupeKey: 'escalation:inc-1:1:2' })).queued).toHaveLength(3);
    const inApp = first.queued.find((d) => d.medium === 'in_app')!;
    expect(inApp).toMatchObject({ status: 'sent', subject: '[CERT-1] Escalation level 1: Ransomware', link: 'https://vigil.cert.test/incidents/x' });

    // Unknown variables and event kinds are refused (a programming error of the caller).
    await expect(enqueue({ ...input, dedupeKey: 'k2', vars: { nope: 'x' } as never })).rejects.toMatchObject({ code: 'VIG_NOTIFICATION_INVALID' });
    await expect(enqueue({ ...input, event: 'nope' as never })).rejects.toMatchObject({ code: 'VIG_NOTIFICATION_INVALID' });

    // The inbox: the user's own in-app notifications, unread count, mark read.
    let inbox = (await call(u, 'GET', '/notifications')).json();
    expect(inbox.unread).toBe(2);
    expect(inbox.items[0]).toMatchObject({ event: 'escalation.level', readAt: null });
    expect((await call(u, 'GET', '/notifications/unread-count')).json()).toEqual({ unread: 2 });
    const adminInbox = (await call(admin, 'GET', '/notifications')).json();
    expect(adminInbox.items).toHaveLength(0);
    // Someone else's id marks nothing.
    expect((await call(admin, 'POST', '/notifications/read', { ids: [inApp.id] })).json()).toEqual({ marked: 0, unread: 0 });
    expect((await call(u, 'POST', '/notifications/read', { ids: [inApp.id] })).json()).toEqual({ marked: 1, unread: 1 });
    expect((await call(u, 'POST', '/notifications/read', { all: true })).json()).toEqual({ marked: 1, unread: 0 });
    inbox = (await call(u, 'GET', '/notifications?unread=true')).json();
    expect(inbox.items).toHaveLength(0);
    expect((await call(u, 'POST', '/notifications/read', { ids: [] })).statusCode).toBe(400);
  });

  it('honours each user\'s preferences per event kind', async () => {
    const u = await userWith(n.t, ['handler']);
    await n.t.db.db.updateTable('appUser').set({ email: 'pat@cert.test' }).where('id', '=', u.id).execute();
    const prefs = (await call(u, 'GET', '/account/notification-preferences')).json();
    expect(prefs.hasEmail).toBe(true);
    expect(prefs.items.find((p: { event: string }) => p.event === 'incident.assigned')).toMatchObject({ email: true, inApp: true });
    const put = await call(u, 'PUT', '/account/notification-preferences', { items: [{ event: 'incident.assigned', email: false, inApp: true }, { event: 'alert.unacknowledged', email: true, inApp: false }] });
    expect(put.statusCode).toBe(200);
    expect(put.json().items.find((p: { event: string }) => p.event === 'incident.assigned')).toMatchObject({ email: false, inApp: true });
    expect((await call(u, 'PUT', '/account/notification-preferences', { items: [{ event: 'nope', email: true, inApp: true }] })).statusCode).toBe(400);

    const a = await enqueue({ event: 'incident.assigned', dedupeKey: 'pref-1', vars: { incidentReference: 'CERT-2', assignee: u.username }, recipients: [{ user: u.id }] });
    expect(a.queued.map((d) => d.medium)).toEqual(['in_app']);
    const b = await enqueue({ event: 'alert.unacknowledged', dedupeKey: 'pref-2', vars: { alertTitle: 'Beacon' }, recipients: [{ user: u.id }] });
    expect(b.queued.map((d) => `${d.medium} ${d.address}`)).toEqual(['email pat@cert.test']);
  });

  it('keeps channel secrets sealed, validates URLs, and hides Slack and Mattermost URLs', async () => {
    const bad = await call(admin, 'POST', '/notification-channels', { name: 'FTP', kind: 'webhook', url: 'ftp://example.org/hook' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VIG_NOTIFICATION_CHANNEL_INVALID' });
    expect((await call(admin, 'POST', '/notification-channels', { name: 'JS', kind: 'webhook', url: 'javascript:alert(1)' })).statusCode).toBe(400);
    expect((await call(admin, 'POST', '/notification-channels', { name: 'Room', kind: 'matrix', url: 'https://matrix.example.org' })).json()).toMatchObject({ code: 'VIG_NOTIFICATION_CHANNEL_INVALID' });

    const created = await call(admin, 'POST', '/notification-channels', { name: 'SIEM', kind: 'webhook', url: `${n.hooks.url}/siem`, secret: 'very-secret-hmac-key', events: ['incident.declared'] });
    expect(created.statusCode).toBe(201);
    const ch = created.json();
    expect(ch).toMatchObject({ name: 'SIEM', hasSecret: true, events: ['incident.declared'], version: 1 });
    expect(created.body).not.toContain('very-secret');
    const sealed = await n.t.db.db.selectFrom('notificationChannel').select('secretSealed').where('id', '=', ch.id).executeTakeFirstOrThrow();
    expect(sealed.secretSealed).toMatch(/^v1\./);
    expect(sealed.secretSealed).not.toContain('very-secret');
    expect((await call(admin, 'POST', '/notification-channels', { name: 'SIEM', kind: 'webhook', url: 'https://x.example' })).statusCode).toBe(409);

    const slack = (await call(admin, 'POST', '/notification-channels', { name: 'Slack', kind: 'slack', url: 'https://hooks.slack.com/services/T000/B000/XXXXSECRET' })).json();
    expect(slack.url).toBe('https://hooks.slack.com/…');
    const list = await call(admin, 'GET', '/notification-channels');
    expect(list.body).not.toContain('XXXXSECRET');
    expect(list.body).not.toContain('very-secret');

    // Edit with the version read; a stale one is a conflict. Secret omitted: kept.
    const upd = await call(admin, 'PATCH', `/notification-channels/${ch.id}`, { version: 1, enabled: false });
    expect(upd.json()).toMatchObject({ enabled: false, hasSecret: true, version: 2 });
    expect((await call(admin, 'PATCH', `/notification-channels/${ch.id}`, { version: 1, enabled: true })).statusCode).toBe(409);
    expect((await call(admin, 'POST', `/notification-channels/${ch.id}/test`)).json()).toMatchObject({ code: 'VIG_NOTIFICATION_CHANNEL_DISABLED' });
    await call(admin, 'PATCH', `/notification-channels/${ch.id}`, { version: 2, enabled: true });
    const test = await call(admin, 'POST', `/notification-channels/${ch.id}/test`);
    expect(test.statusCode).toBe(202);

    // No secret in the audit trail.
    const audit = await n.t.db.db.selectFrom('auditLog').select(['before', 'after']).where('entity', '=', 'notification_channel').execute();
    expect(JSON.stringify(audit)).not.toMatch(/very-secret|XXXXSECRET/);

    expect((await call(admin, 'DELETE', `/notification-channels/${slack.id}`)).statusCode).toBe(204);
    expect((await call(admin, 'GET', `/notification-channels/${slack.id}`)).statusCode).toBe(404);
  });

  it('lets admins edit templates, refusing unknown variables, with optimistic concurrency', async () => {
    const list = (await call(admin, 'GET', '/notification-templates')).json();
    const declared = list.items.find((t: { event: string }) => t.event === 'incident.declared');
    expect(declared).toMatchObject({ isDefault: true, version: 0 });
    expect(declared.variables).toContain('incidentReference');

    const bad = await call(admin, 'PUT', '/notification-templates/incident.declared', { version: 0, template: { subject: '{{incidentReference}} {{secretThing}}', body: 'x' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VIG_NOTIFICATION_TEMPLATE_INVALID' });
    expect(bad.json().errors[0].message).toContain('{{secretThing}}');
    expect((await call(admin, 'PUT', '/notification-templates/incident.declared', { version: 0, template: { subject: 'a {{incidentReference', body: 'x' } })).statusCode).toBe(400);

    const ok = await call(admin, 'PUT', '/notification-templates/incident.declared', { version: 0, template: { subject: 'NEW {{priority}} {{incidentReference}}', body: 'By {{actor}}' } });
    expect(ok.json()).toMatchObject({ isDefault: false, version: 1, subject: 'NEW {{priority}} {{incidentReference}}' });
    expect((await call(admin, 'PUT', '/notification-templates/incident.declared', { version: 0, template: null })).statusCode).toBe(409);
    const r = await enqueue({ event: 'incident.declared', dedupeKey: 'tpl-1', vars: { priority: 'P2', incidentReference: 'CERT-9', actor: 'ann' }, recipients: [{ email: 'x@example.org' }] });
    expect(r.queued[0]).toMatchObject({ subject: 'NEW P2 CERT-9', body: 'By ann' });
    const reset = await call(admin, 'PUT', '/notification-templates/incident.declared', { version: 1, template: null });
    expect(reset.json()).toMatchObject({ isDefault: true, version: 0 });
    expect((await call(admin, 'PUT', '/notification-templates/nope', { version: 0, template: null })).statusCode).toBe(400);
  });

  it('shows the delivery log to admins and managers, filtered and in keyset pages', async () => {
    const manager = await userWith(n.t, ['manager']);
    for (let i = 0; i < 5; i++) {
      n.clock.advance(1000);
      await enqueue({ event: 'test', dedupeKey: `log-${i}`, vars: { actor: 'x', channel: 'y' }, recipients: [{ email: `log${i}@example.org` }] });
    }
    const p1 = (await call(manager, 'GET', '/notification-deliveries?event=test&medium=email&limit=2&recipient=log')).json();
    expect(p1.items.map((d: { address: string }) => d.address)).toEqual(['log4@example.org', 'log3@example.org']);
    const p2 = (await call(manager, 'GET', `/notification-deliveries?event=test&medium=email&limit=2&recipient=log&cursor=${p1.nextCursor}`)).json();
    expect(p2.items.map((d: { address: string }) => d.address)).toEqual(['log2@example.org', 'log1@example.org']);
    const queued = (await call(admin, 'GET', '/notification-deliveries?status=queued&limit=200')).json();
    expect(queued.items.every((d: { status: string }) => d.status === 'queued')).toBe(true);
    expect(queued.relayConfigured).toBe(true);
    // A manager reads the log but does not retry.
    expect((await call(manager, 'POST', `/notification-deliveries/${p1.items[0].id}/retry`)).statusCode).toBe(403);
    expect((await call(admin, 'POST', `/notification-deliveries/${p1.items[0].id}/retry`)).statusCode).toBe(200);
    const detail = (await call(admin, 'GET', `/notification-deliveries/${p1.items[0].id}`)).json();
    expect(detail).toMatchObject({ body: expect.any(String), attemptLog: [] });
  });

  it('tells subscribed channels of a declared or assigned RED incident its reference only', async () => {
    const h = await userWith(n.t, ['handler']);
    const ch = (await call(admin, 'POST', '/notification-channels', { name: 'Room', kind: 'webhook', url: `${n.hooks.url}/room`, events: ['incident.declared', 'incident.assigned'] })).json();
    const declare = async (title: string, tlp: string) =>
      (await call(h, 'POST', '/incidents', { title, impact: 'low', urgency: 'low', tlp, classifications: [{ class: 'fraud', type: 'phishing' }] })).json();
    const red = await declare('Board member extorted', 'RED');
    const amber = await declare('Phishing wave at the canteen', 'AMBER');
    expect((await call(h, 'POST', '/incidents/assign', { incidents: [red.id], assigneeId: h.id })).statusCode).toBe(200);
    await n.drain();
    const rows = await n.t.db.db.selectFrom('notificationDelivery').select(['event', 'channelId', 'userId', 'subject', 'body'])
      .where('event', 'in', ['incident.declared', 'incident.assigned']).execute();
    const text = (pred: (r: (typeof rows)[number]) => boolean) => rows.filter(pred).map((r) => `${r.subject} ${r.body}`).join(' ');
    const toRoom = text((r) => r.channelId === ch.id);
    expect(toRoom).toContain(red.reference);
    expect(toRoom).not.toContain('Board member');
    expect(toRoom).toContain('Phishing wave at the canteen');
    expect(toRoom).toContain(amber.reference);
    // The assignee has a need to know.
    expect(text((r) => r.userId === h.id && r.event === 'incident.assigned')).toContain('Board member extorted');
  });
});
