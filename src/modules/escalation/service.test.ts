import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, apiOf, login, makeApp, testClock, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import type { IncidentEventRow } from '../../db/schema.ts';
import { drainQueued } from '../delivery/testkit.ts';

const MIN = 60_000;

describe.each(stores())('escalation on %s', (store) => {
  let t: TestApp;
  let admin: Session;
  let manager: Session & { id: string; username: string };
  let handler: Session & { id: string; username: string };
  let viewer: Session & { id: string; username: string };
  const clock = testClock(new Date('2026-11-30T09:00:00Z'));
  const { call, declare } = apiOf(() => t, () => handler);

  // Pages are queued as facts with the escalating change and rendered by the delivery worker after it.
  const deliveries = async (prefix: string) => {
    await drainQueued(t, clock);
    return t.db.db.selectFrom('notificationDelivery').select(['dedupeKey', 'userId', 'medium', 'event', 'address', 'channelId'])
      .where('dedupeKey', 'like', `${prefix}%`).orderBy('createdAt').orderBy('dedupeKey').execute();
  };
  const events = async (ref: string) =>
    ((await call(handler, 'GET', `/incidents/${ref}/timeline?limit=200`)).json().items as { kind: string; data: Record<string, unknown> }[])
      .filter((e) => e.kind.startsWith('escalation.') || e.kind === 'incident.declared');
  const runsOf = async (ref: string) => (await call(handler, 'GET', `/incidents/${ref}/escalations`)).json().items;

  // The test clock runs ahead by hours: sessions go idle, so sign in again after moving it.
  const signInAgain = async () => {
    for (const who of [manager, handler, viewer]) Object.assign(who, await login(t.app, who.username, 'Correct-Horse-Battery-9'));
    admin = await login(t.app, 'admin', 'A-Much-Better-Passphrase-2026');
  };

  beforeAll(async () => {
    t = await makeApp(store, {}, clock);
    admin = await adminSession(t);
    manager = await userWith(t, ['manager']);
    handler = await userWith(t, ['handler']);
    viewer = await userWith(t, ['viewer']);
    // The CSIRT manager seat: management, told first.
    const seat = await call(admin, 'PATCH', `/team/members/${manager.id}`, { version: 0, seats: ['csirt_manager'] });
    expect(seat.statusCode).toBe(200);
  });
  afterAll(() => t?.close());

  it('tells management in the transaction that declares a P1, then the later levels and rounds until acknowledged', async () => {
    const inc = await declare({ title: 'Ransomware on the file servers', impact: 'critical', urgency: 'critical' });
    expect(inc.priority).toBe('P1');
    // Level 1 is out before anything else can happen to the incident.
    const first = await events(inc.reference);
    expect(first.map((e) => e.kind)).toEqual(['incident.declared', 'escalation.started', 'escalation.level']);
    const level1 = first.find((e) => e.kind === 'escalation.level')!;
    expect(level1.data).toMatchObject({ policy: 'Management first (P1/P2)', level: 1, round: 1, unresolved: ['on_duty'] });
    const sent = await deliveries('escalation:');
    // The CSIRT manager and the declaring coordinator, in the inbox (and by e-mail where they have an address).
    expect(new Set(sent.filter((d) => d.medium === 'in_app').map((d) => d.userId))).toEqual(new Set([manager.id, handler.id]));
    expect(sent.every((d) => d.event === 'escalation.level')).toBe(true);
    let [run] = await runsOf(inc.reference);
    expect(run).toMatchObject({ state: 'active', level: 2, round: 0, policyName: 'Management first (P1/P2)', levels: 3 });
    expect(new Date(run.nextAt).getTime()).toBe(clock.now().getTime() + 15 * MIN);

    // Not due yet: nothing happens.
    clock.advance(14 * MIN);
    expect(await t.services.escalation.tick()).toBe(0);
    // Due: two workers at once notify it once.
    clock.advance(1 * MIN);
    const fired = await Promise.all([t.services.escalation.tick(), t.services.escalation.tick()]);
    expect(fired[0] + fired[1]).toBe(1);
    const level2 = (await events(inc.reference)).find((e) => e.kind === 'escalation.level' && e.data.level === 2)!;
    // Nobody holds the senior handler or technical lead seats: the event says so.
    expect(level2.data.unresolved).toEqual(['seat:senior_handler', 'seat:technical_lead']);
    clock.advance(15 * MIN);
    expect(await t.services.escalation.tick()).toBe(1);
    [run] = await runsOf(inc.reference);
    expect(run).toMatchObject({ level: 1, round: 1 });
    expect(new Date(run.nextAt).getTime()).toBe(clock.now().getTime() + 30 * MIN);
    clock.advance(30 * MIN);
    expect(await t.services.escalation.tick()).toBe(1);
    const round2 = (await deliveries('escalation:')).filter((d) => d.medium === 'in_app' && d.userId === manager.id);
    expect(round2).toHaveLength(2);

    await signInAgain();
    // Acknowledging stops everyone's paging: a write, which a viewer may not do (and is not offered).
    expect((await call(viewer, 'GET', `/incidents/${inc.reference}`)).json().allowed).toMatchObject({ acknowledgeEscalation: false });
    const refused = await call(viewer, 'POST', `/incidents/${inc.reference}/escalation/acknowledge`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'VIG_AUTHZ_FORBIDDEN', permission: 'escalation.acknowledge' });
    expect((await runsOf(inc.reference))[0]).toMatchObject({ state: 'active', acknowledgedBy: null });
    // The CSIRT manager acknowledges: no more levels.
    expect((await call(manager, 'GET', `/incidents/${inc.reference}`)).json().allowed).toMatchObject({ acknowledgeEscalation: true });
    const ack = await call(manager, 'POST', `/incidents/${inc.reference}/escalation/acknowledge`);
    expect(ack.statusCode).toBe(200);
    expect(ack.json()).toMatchObject({ state: 'acknowledged', acknowledgedBy: manager.id });
    clock.advance(120 * MIN);
    expect(await t.services.escalation.tick()).toBe(0);
    await signInAgain();
    expect((await call(handler, 'POST', `/incidents/${inc.reference}/escalation/acknowledge`)).json().code).toBe('VIG_ESCALATION_NOT_ACTIVE');
    expect((await events(inc.reference)).at(-1)!.kind).toBe('escalation.acknowledged');
  });

  it('names a TLP:RED incident by its reference only to recipients without a need to know', async () => {
    await signInAgain();
    // Management in a viewer role holds the CSIRT manager seat too; a viewer has no need to know a RED incident.
    expect((await call(admin, 'PATCH', `/team/members/${viewer.id}`, { version: 0, seats: ['csirt_manager'] })).statusCode).toBe(200);
    const inc = await declare({ title: 'Minister mailbox read by an intruder', impact: 'critical', urgency: 'critical', tlp: 'RED' });
    await drainQueued(t, clock);
    const sent = await t.db.db.selectFrom('notificationDelivery').select(['userId', 'subject', 'body'])
      .where('dedupeKey', 'like', 'escalation:%').where('medium', '=', 'in_app').where('createdAt', '=', clock.now()).execute();
    const of = (id: string) => sent.filter((d) => d.userId === id).map((d) => `${d.subject} ${d.body}`).join(' ');
    expect(of(handler.id)).toContain('Minister mailbox');
    expect(of(manager.id)).toContain('Minister mailbox');
    expect(of(viewer.id)).toContain(inc.reference);
    expect(of(viewer.id)).not.toContain('Minister');
    expect(of(viewer.id)).toContain('(restricted: see Vigil)');
    expect((await call(admin, 'PATCH', `/team/members/${viewer.id}`, { version: 1, seats: [] })).statusCode).toBe(200);
  });

  it('declares a P1 whose escalation template does not render: the page fails in the deliveries view, the declaration stands', async () => {
    await signInAgain();
    // A template stored by an older version names a variable the event no longer has (the API
    // refuses such a template today, so it is written straight into the table).
    await t.db.db.insertInto('notificationTemplate').values({
      event: 'escalation.level', subject: '[{{incidentReference}}] level {{level}}', body: 'Runbook: {{runbook}}', version: 1, updatedBy: null, updatedAt: clock.now(),
    }).execute();
    const inc = await declare({ title: 'Wiper on the payroll servers', impact: 'critical', urgency: 'critical' });
    expect(inc.reference).toMatch(/^[A-Z]+-\d{4}-\d{5}$/);
    // The declaration committed with its escalation: started, first level on the timeline.
    expect((await events(inc.reference)).map((e) => e.kind)).toEqual(['incident.declared', 'escalation.started', 'escalation.level']);
    const [run] = await runsOf(inc.reference);
    await drainQueued(t, clock);
    const failed = (await call(admin, 'GET', '/deliveries?status=failed&kind=notification.page')).json().items as { id: string; summary: string; lastError: string; attempts: number }[];
    const mine = failed.filter((d) => d.summary.includes(`escalation:${run.id}:`));
    expect(mine.length).toBeGreaterThan(0);
    for (const d of mine) {
      expect(d).toMatchObject({ attempts: 1 });
      expect(d.lastError).toMatch(/the escalation\.level notification template does not render: unknown variable \{\{runbook\}\}/);
    }
    // Nothing half-written: no page of this escalation exists yet.
    expect(await t.db.db.selectFrom('notificationDelivery').select('id').where('dedupeKey', 'like', `escalation:${run.id}:%`).execute()).toEqual([]);
    // Fixed and retried, the pages go out, naming the incident by its final reference.
    expect((await call(admin, 'PUT', '/notification-templates/escalation.level', { version: 1, template: null })).statusCode).toBe(200);
    for (const d of mine) expect((await call(admin, 'POST', `/deliveries/${d.id}/retry`)).statusCode).toBe(200);
    await drainQueued(t, clock);
    const pages = await t.db.db.selectFrom('notificationDelivery').select(['subject', 'link']).where('dedupeKey', 'like', `escalation:${run.id}:%`).execute();
    expect(pages.length).toBeGreaterThan(0);
    for (const p of pages) {
      expect(p.subject).toContain(`[${inc.reference}]`);
      expect(p.link).toContain(`/incidents/${inc.reference}`);
    }
  });

  it('does not escalate a P4, starts when it is raised to P2, and ends when the incident closes', async () => {
    await signInAgain();
    const inc = await declare({ title: 'Scan from a student lab' });
    expect(await runsOf(inc.reference)).toEqual([]);
    const raised = await call(handler, 'PATCH', `/incidents/${inc.reference}`, { version: inc.version, impact: 'high', urgency: 'high' });
    expect(raised.json().priority).toBe('P2');
    expect(await runsOf(inc.reference)).toMatchObject([{ state: 'active', level: 2 }]);
    // A P2 closes only with its lessons learned.
    const lessons = await call(handler, 'PUT', `/incidents/${inc.reference}/lessons`, { whatHappened: 'A scan.', wentWell: 'Fast triage.', toImprove: 'Nothing.', actions: [] });
    expect(lessons.statusCode).toBe(200);
    const current = (await call(handler, 'GET', `/incidents/${inc.reference}`)).json();
    const closed = await call(handler, 'POST', `/incidents/${inc.reference}/close`, { version: current.version, resolution: 'false_positive' });
    expect(closed.json()).toMatchObject({ status: 'closed' });
    expect(await runsOf(inc.reference)).toMatchObject([{ state: 'cancelled' }]);
  });

  it('refuses recipients, priorities and classes it could not page as bad input, writing nothing', async () => {
    await signInAgain();
    const uuid = '00000000-0000-4000-8000-000000000000';
    const level = (...recipients: unknown[]) => ({ delayMinutes: 0, recipients });
    const policy = (over: Record<string, unknown>) => ({ name: 'Hostile', priorities: ['P3'], levels: [level({ kind: 'on_duty' })], ...over });
    const hostile: [string, Record<string, unknown>, string][] = [
      ['a stray field on a recipient', policy({ levels: [level({ kind: 'seat', seat: 'legal', userId: uuid })] }), 'body.levels.0.recipients.0'],
      ['a field of another kind', policy({ levels: [level({ kind: 'on_duty', rotaId: uuid })] }), 'body.levels.0.recipients.0'],
      ['the same recipient twice', policy({ levels: [level({ kind: 'on_duty' }, { kind: 'on_duty' })] }), 'body.levels.0.recipients'],
      ['twenty of the same recipient', policy({ levels: [level(...Array(20).fill({ kind: 'seat', seat: 'legal' }))] }), 'body.levels.0.recipients'],
      ['more than twenty recipients', policy({ levels: [level(...Array(21).fill(0).map(() => ({ kind: 'on_duty' })))] }), 'body.levels.0.recipients'],
      ['a recipient as a string', policy({ levels: [level('on_duty')] }), 'body.levels.0.recipients.0'],
      ['recipients as an object', policy({ levels: [{ delayMinutes: 0, recipients: { kind: 'on_duty' } }] }), 'body.levels.0.recipients'],
      ['a user who is no uuid', policy({ levels: [level({ kind: 'user', userId: 'admin' })] }), 'body.levels.0.recipients.0.userId'],
      ['priorities as a string', policy({ priorities: 'P1' }), 'body.priorities'],
      ['a priority twice', policy({ priorities: ['P1', 'P1'] }), 'body.priorities'],
      ['a lower-case priority', policy({ priorities: ['p1'] }), 'body.priorities.0'],
      ['five priorities', policy({ priorities: ['P1', 'P2', 'P3', 'P4', 'P1'] }), 'body.priorities'],
      ['a class twice', policy({ rsitClasses: ['fraud', 'fraud'] }), 'body.rsitClasses'],
    ];
    const policies = (await call(manager, 'GET', '/escalation/policies')).json().items.length;
    for (const [what, body, path] of hostile) {
      const r = await call(manager, 'POST', '/escalation/policies', body);
      expect(r.statusCode, what).toBe(400);
      expect(r.headers['content-type'], what).toMatch(/^application\/problem\+json/);
      expect(r.json(), what).toMatchObject({ code: 'VIG_REQUEST_INVALID' });
      expect(r.json().errors.map((e: { path: string }) => e.path), what).toContain(path);
    }
    expect((await call(manager, 'GET', '/escalation/policies')).json().items.length).toBe(policies);
  });

  it('refuses unknown references, cycles and stale versions, and keeps a used policy', async () => {
    await signInAgain();
    const level = { delayMinutes: 0, recipients: [{ kind: 'seat', seat: 'duty_officer' }] };
    const bad = await call(manager, 'POST', '/escalation/policies', {
      name: 'Bad', priorities: ['P3'], rsitClasses: ['no-such-class'], levels: [{ delayMinutes: 5, recipients: [{ kind: 'rota', rotaId: '00000000-0000-4000-8000-000000000000' }] }],
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().problems).toEqual(['unknown RSIT class "no-such-class"', 'level 1: no rota 00000000-0000-4000-8000-000000000000']);
    expect((await call(manager, 'POST', '/escalation/policies', { name: 'Bad', priorities: ['P3'], levels: [{ delayMinutes: 0, recipients: [{ kind: 'seat', seat: 'janitor' }] }] })).statusCode).toBe(400);
    expect((await call(handler, 'POST', '/escalation/policies', { name: 'Mine', priorities: ['P3'], levels: [level] })).statusCode).toBe(403);
    expect((await call(manager, 'POST', '/escalation/policies', { name: 'Bad', priorities: ['P3'], trigger: 'sometimes', levels: [level] })).statusCode).toBe(400);

    const a = (await call(manager, 'POST', '/escalation/policies', { name: 'A', priorities: ['P3'], levels: [level] })).json();
    const b = (await call(manager, 'POST', '/escalation/policies', { name: 'B', priorities: ['P4'], thenPolicyId: a.id, levels: [level] })).json();
    const cycle = await call(manager, 'PUT', `/escalation/policies/${a.id}`, { name: 'A', priorities: ['P3'], thenPolicyId: b.id, levels: [level], version: a.version });
    expect(cycle.statusCode).toBe(422);
    expect(cycle.json()).toMatchObject({ code: 'VIG_ESCALATION_CYCLE', cycle: ['A', 'B', 'A'] });
    const self = await call(manager, 'PUT', `/escalation/policies/${a.id}`, { name: 'A', priorities: ['P3'], thenPolicyId: a.id, levels: [level], version: a.version });
    expect(self.json()).toMatchObject({ code: 'VIG_ESCALATION_CYCLE', cycle: ['A', 'A'] });
    const renamed = await call(manager, 'PUT', `/escalation/policies/${a.id}`, { name: 'A (P3)', priorities: ['P3'], levels: [level, { ...level, delayMinutes: 10 }], version: a.version });
    expect(renamed.json()).toMatchObject({ name: 'A (P3)', version: 2, levels: [{ position: 1 }, { position: 2, delayMinutes: 10 }] });
    expect((await call(manager, 'PUT', `/escalation/policies/${a.id}`, { name: 'A', priorities: ['P3'], levels: [level], version: 1 })).statusCode).toBe(409);
    const inUse = await call(manager, 'DELETE', `/escalation/policies/${a.id}`);
    expect(inUse.json()).toMatchObject({ code: 'VIG_ESCALATION_POLICY_IN_USE', followedBy: ['B'] });
    expect((await call(manager, 'DELETE', `/escalation/policies/${b.id}`)).statusCode).toBe(204);
    expect((await call(manager, 'DELETE', `/escalation/policies/${a.id}`)).statusCode).toBe(204);
  });

  it("starts an 'sla_at_risk' policy on an SLA warning or a running clock's breach, never on declaring or a breach met late", async () => {
    await signInAgain();
    const created = await call(manager, 'POST', '/escalation/policies', {
      name: 'P4 at risk', priorities: ['P4'], trigger: 'sla_at_risk', repeatCount: 1, levels: [{ delayMinutes: 0, recipients: [{ kind: 'user', userId: manager.id }] }],
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ trigger: 'sla_at_risk' });
    // Left out, a policy is a 'declared' one.
    expect((await call(handler, 'GET', '/escalation/policies')).json().items.find((p: { name: string }) => p.name === 'Management first (P1/P2)').trigger).toBe('declared');
    const inc = await declare({ title: 'Slow phishing report' });
    expect(inc.priority).toBe('P4');
    expect(await runsOf(inc.reference)).toEqual([]);
    const hook = (kind: string, data: Record<string, unknown>) => t.db.db.transaction().execute((tx) =>
      t.services.escalation.incidentEvent(tx, { id: 0, incidentId: inc.id, kind, data } as unknown as IncidentEventRow));
    await hook('sla.breached', { metric: 'acknowledge', deadline: '2026-11-30T10:00:00.000Z', targetMinutes: 480, metAt: '2026-11-30T11:00:00.000Z' });
    expect(await runsOf(inc.reference)).toEqual([]);
    await hook('sla.warning', { metric: 'acknowledge', deadline: '2026-11-30T17:00:00.000Z', warnAt: '2026-11-30T15:24:00.000Z', targetMinutes: 480 });
    expect(await runsOf(inc.reference)).toMatchObject([{ policyName: 'P4 at risk', state: 'active', level: 1, round: 1 }]);
    expect((await events(inc.reference)).find((e) => e.kind === 'escalation.started')?.data).toEqual({ policy: 'P4 at risk', trigger: 'sla.warning', priority: 'P4' });
    // Running already: the breach starts no second one.
    await hook('sla.breached', { metric: 'acknowledge', deadline: '2026-11-30T17:00:00.000Z', targetMinutes: 480 });
    expect(await runsOf(inc.reference)).toHaveLength(1);
    expect((await deliveries('escalation:')).filter((d) => d.medium === 'in_app' && d.userId === manager.id && d.event === 'escalation.level').length).toBeGreaterThan(0);
    const p = created.json();
    expect((await call(manager, 'PUT', `/escalation/policies/${p.id}`, { ...p, enabled: false })).json()).toMatchObject({ enabled: false, trigger: 'sla_at_risk' });
  });

  it('pages whoever is on duty, once, for a high alert nobody acknowledged in time', async () => {
    await signInAgain();
    const source = (await call(admin, 'POST', '/intake/sources', { name: 'edr', dedupWindowSeconds: 60, mapping: { title: '$.t', severity: { from: '$.s' } } })).json();
    const post = (body: object) => t.app.inject({ method: 'POST', url: '/api/v1/intake/alerts', headers: { authorization: `Bearer ${source.token}` }, payload: body });
    expect((await post({ t: 'Mimikatz on DC01', s: 'critical' })).statusCode).toBe(202);
    expect((await post({ t: 'Port scan', s: 'low' })).statusCode).toBe(202);
    // A 24/7 duty officer rota with the handler on duty.
    const rota = await call(manager, 'POST', '/oncall/rotas', {
      name: 'Duty officer', timeZone: 'Europe/Berlin', pattern: { kind: 'duty_officer', handover: 'weekly', handoverTime: '09:00', handoverDay: 1 },
      members: [handler.id], anchorDate: '2026-11-02',
    });
    expect(rota.statusCode).toBe(201);
    clock.advance(14 * MIN);
    expect(await t.services.escalation.pageAlerts()).toBe(0);
    clock.advance(2 * MIN);
    expect(await t.services.escalation.pageAlerts()).toBe(1);
    expect(await t.services.escalation.pageAlerts()).toBe(0);
    const paged = await deliveries('alert-unacknowledged:');
    expect(paged.filter((d) => d.medium === 'in_app').map((d) => d.userId)).toEqual([handler.id]);
  });

  it('pages for lower severities when the team asks for it (VIGIL_ALERT_PAGE_SEVERITY)', async () => {
    const clock2 = testClock(new Date('2026-11-30T09:00:00Z'));
    const t2 = await makeApp(store, { VIGIL_ALERT_PAGE_SEVERITY: 'low' }, clock2);
    try {
      const a2 = await adminSession(t2);
      const m2 = await userWith(t2, ['manager']);
      const c2 = apiOf(() => t2, () => a2).call;
      expect((await c2(a2, 'PATCH', `/team/members/${m2.id}`, { version: 0, seats: ['csirt_manager'] })).statusCode).toBe(200);
      const source = (await c2(a2, 'POST', '/intake/sources', { name: 'edr2', mapping: { title: '$.t', severity: { from: '$.s' } } })).json();
      const post = (body: object) => t2.app.inject({ method: 'POST', url: '/api/v1/intake/alerts', headers: { authorization: `Bearer ${source.token}` }, payload: body });
      for (const s of ['info', 'low', 'medium']) expect((await post({ t: `${s} thing`, s })).statusCode).toBe(202);
      clock2.advance(16 * MIN);
      // Nobody is on duty: the CSIRT manager seat is paged instead, for the low and the medium alert.
      expect(await t2.services.escalation.pageAlerts()).toBe(2);
    } finally {
      await t2.close();
    }
  });
});
