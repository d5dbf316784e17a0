import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, apiOf, login, makeApp, testClock, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import { drainQueued } from '../delivery/testkit.ts';

const MIN = 60_000;
type Event = { kind: string; at: string; data: Record<string, unknown> };

describe.each(stores())('SLA warnings and breaches on %s', (store) => {
  let t: TestApp;
  let admin: Session;
  let manager: Session & { id: string; username: string };
  let handler: Session & { id: string; username: string };
  // Monday 30 November 2026, 10:00 UTC.
  const clock = testClock(new Date('2026-11-30T10:00:00Z'));
  const { call, declare } = apiOf(() => t, () => handler);
  const setClock = (iso: string) => clock.advance(new Date(iso).getTime() - clock.now().getTime());
  const signInAgain = async () => {
    for (const who of [manager, handler]) Object.assign(who, await login(t.app, who.username, 'Correct-Horse-Battery-9'));
    admin = await login(t.app, 'admin', 'A-Much-Better-Passphrase-2026');
  };
  const timeline = async (ref: string): Promise<Event[]> => {
    const r = await call(handler, 'GET', `/incidents/${ref}/timeline?limit=200`);
    expect(r.statusCode, r.body).toBe(200);
    return (r.json().items as Event[]).slice().sort((a, b) => a.at.localeCompare(b.at));
  };
  const slaEvents = async (ref: string) => (await timeline(ref)).filter((e) => e.kind === 'sla.warning' || e.kind === 'sla.breached');
  const row = async (incidentId: string, metric: string) =>
    t.db.db.selectFrom('slaClock').selectAll().where('incidentId', '=', incidentId).where('metric', '=', metric as 'acknowledge').executeTakeFirst();
  const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
  const tick = () => t.services.slaWatch.tick();

  beforeAll(async () => {
    t = await makeApp(store, {}, clock);
    admin = await adminSession(t);
    manager = await userWith(t, ['manager']);
    handler = await userWith(t, ['handler']);
  });
  afterAll(() => t?.close());

  it('warns at 80 % of a P1 acknowledgement, breaches at 15 min, once each, and no second breach when acknowledged late', async () => {
    // Default P1: 24x7, acknowledge within 15 min, warning at 80 % = 12 min.
    const inc = await declare({ title: 'Ransomware', impact: 'critical', urgency: 'critical' });
    expect(inc.priority).toBe('P1');
    expect(await row(inc.id, 'acknowledge')).toMatchObject({ targetMinutes: 15, paused: false, metAt: null, warnedAt: null, breachedAt: null });
    expect(iso((await row(inc.id, 'acknowledge'))!.deadline)).toBe('2026-11-30T10:15:00.000Z');
    expect(iso((await row(inc.id, 'acknowledge'))!.warnAt)).toBe('2026-11-30T10:12:00.000Z');
    // First response 60 min, containment 240, resolution 1440: one row each.
    expect((await t.db.db.selectFrom('slaClock').select('metric').where('incidentId', '=', inc.id).execute()).map((r) => r.metric).sort())
      .toEqual(['acknowledge', 'containment', 'first_response', 'resolution']);

    clock.advance(11 * MIN); // 10:11
    expect(await tick()).toEqual({ warned: 0, breached: 0, backfilled: 0 });
    clock.advance(1 * MIN); // 10:12
    // Two workers at once: one warning.
    const [a, b] = await Promise.all([tick(), tick()]);
    expect(a.warned + b.warned).toBe(1);
    expect(await slaEvents(inc.reference)).toEqual([
      expect.objectContaining({ kind: 'sla.warning', at: '2026-11-30T10:12:00.000Z', data: { metric: 'acknowledge', deadline: '2026-11-30T10:15:00.000Z', warnAt: '2026-11-30T10:12:00.000Z', targetMinutes: 15 } }),
    ]);
    clock.advance(2 * MIN); // 10:14
    expect(await tick()).toEqual({ warned: 0, breached: 0, backfilled: 0 });
    clock.advance(1 * MIN); // 10:15
    expect(await tick()).toEqual({ warned: 0, breached: 1, backfilled: 0 });
    clock.advance(1 * MIN); // 10:16
    expect(await tick()).toEqual({ warned: 0, breached: 0, backfilled: 0 });
    expect(await tick()).toEqual({ warned: 0, breached: 0, backfilled: 0 });
    expect((await slaEvents(inc.reference)).map((e) => [e.kind, e.at, e.data])).toEqual([
      ['sla.warning', '2026-11-30T10:12:00.000Z', expect.anything()],
      ['sla.breached', '2026-11-30T10:15:00.000Z', { metric: 'acknowledge', deadline: '2026-11-30T10:15:00.000Z', targetMinutes: 15 }],
    ]);

    // Acknowledged at 10:20 (the escalation the P1 started): met late, already recorded as breached.
    clock.advance(4 * MIN);
    await signInAgain();
    expect((await call(handler, 'POST', `/incidents/${inc.reference}/escalation/acknowledge`)).statusCode).toBe(200);
    expect(await row(inc.id, 'acknowledge')).toMatchObject({ metAt: new Date('2026-11-30T10:20:00Z') });
    expect((await slaEvents(inc.reference)).filter((e) => e.kind === 'sla.breached')).toHaveLength(1);
    expect(await tick()).toEqual({ warned: 0, breached: 0, backfilled: 0 });
  });

  it('records the breach of a clock met late in the transaction that meets it, when no tick saw it due', async () => {
    setClock('2026-11-30T12:00:00Z');
    await signInAgain();
    const inc = await declare({ title: 'Data leak', impact: 'critical', urgency: 'critical' });
    clock.advance(11 * MIN); // 12:11
    await tick();
    expect(await slaEvents(inc.reference)).toEqual([]);
    clock.advance(9 * MIN); // 12:20, no tick since 12:11
    const moved = await call(handler, 'POST', `/incidents/${inc.reference}/status`, { version: inc.version, status: 'triage' });
    expect(moved.statusCode, moved.body).toBe(200);
    const events = await slaEvents(inc.reference);
    expect(events).toEqual([expect.objectContaining({
      kind: 'sla.breached', at: '2026-11-30T12:20:00.000Z',
      data: { metric: 'acknowledge', deadline: '2026-11-30T12:15:00.000Z', targetMinutes: 15, metAt: '2026-11-30T12:20:00.000Z' },
    })]);
    expect(await row(inc.id, 'acknowledge')).toMatchObject({ metAt: new Date('2026-11-30T12:20:00Z'), breachedAt: new Date('2026-11-30T12:20:00Z'), warnedAt: null });
    await tick();
    expect(await slaEvents(inc.reference)).toHaveLength(1);
    // A late milestone starts no 'sla_at_risk' escalation and pages nobody.
    await drainQueued(t, clock);
    expect(await t.db.db.selectFrom('notificationDelivery').select('id').where('event', 'in', ['sla.warning', 'sla.breached']).execute()).toEqual([]);
  });

  it('clears the deadline while paused (no warning) and sets a later one on resume', async () => {
    setClock('2026-11-30T14:00:00Z');
    await signInAgain();
    const inc = await declare({ title: 'Phishing wave', impact: 'critical', urgency: 'critical' });
    clock.advance(5 * MIN); // 14:05
    expect((await call(handler, 'POST', `/incidents/${inc.reference}/sla/pause`, { reason: 'Waiting for their logs' })).statusCode).toBe(204);
    expect(await row(inc.id, 'acknowledge')).toMatchObject({ paused: true, deadline: null, warnAt: null });
    clock.advance(25 * MIN); // 14:30
    await tick();
    expect(await slaEvents(inc.reference)).toEqual([]);
    expect((await call(handler, 'POST', `/incidents/${inc.reference}/sla/resume`)).statusCode).toBe(204);
    // 5 min used before the pause: 10 min left from 14:30; the warning at 12 min used = 14:37.
    const r = (await row(inc.id, 'acknowledge'))!;
    expect([r.paused, iso(r.deadline), iso(r.warnAt)]).toEqual([false, '2026-11-30T14:40:00.000Z', '2026-11-30T14:37:00.000Z']);
    clock.advance(6 * MIN); // 14:36
    await tick();
    expect(await slaEvents(inc.reference)).toEqual([]);
    clock.advance(1 * MIN); // 14:37
    await tick();
    expect((await slaEvents(inc.reference)).map((e) => e.kind)).toEqual(['sla.warning']);
  });

  it('recomputes the open incidents\' clocks when the P1 policy changes', async () => {
    setClock('2026-11-30T15:00:00Z');
    await signInAgain();
    const inc = await declare({ title: 'Botnet C2', impact: 'critical', urgency: 'critical' });
    expect(iso((await row(inc.id, 'acknowledge'))!.deadline)).toBe('2026-11-30T15:15:00.000Z');
    const p1 = (await call(manager, 'GET', '/sla/policies')).json().items.find((p: { priority: string; constituentId: string | null }) => p.priority === 'P1' && !p.constituentId);
    const put = (acknowledgeMinutes: number, version: number) => call(manager, 'PUT', `/sla/policies/${p1.id}`, {
      priority: 'P1', constituentId: null, calendar: p1.calendar, acknowledgeMinutes, firstResponseMinutes: 60, containmentMinutes: 240, resolutionMinutes: 1440, warnPercent: 80, version,
    });
    const changed = await put(30, p1.version);
    expect(changed.statusCode, changed.body).toBe(200);
    const r = (await row(inc.id, 'acknowledge'))!;
    expect([r.targetMinutes, iso(r.deadline), iso(r.warnAt)]).toEqual([30, '2026-11-30T15:30:00.000Z', '2026-11-30T15:24:00.000Z']);
    expect((await put(15, changed.json().version)).statusCode).toBe(200);
    expect(iso((await row(inc.id, 'acknowledge'))!.deadline)).toBe('2026-11-30T15:15:00.000Z');
  });

  it('backfills the clocks of open incidents that have none', async () => {
    const inc = await declare({ title: 'Old one', impact: 'critical', urgency: 'critical' });
    await t.db.db.deleteFrom('slaClock').where('incidentId', '=', inc.id).execute();
    const r = await tick();
    expect(r.backfilled).toBe(1);
    expect(iso((await row(inc.id, 'acknowledge'))!.deadline)).toBe(new Date(clock.now().getTime() + 15 * MIN).toISOString());
    expect((await tick()).backfilled).toBe(0);
  });

  it('starts an \'sla_at_risk\' escalation of a P3 on its warning and tells the assignee', async () => {
    const policy = await call(manager, 'POST', '/escalation/policies', {
      name: 'SLA at risk (P3)', priorities: ['P3'], trigger: 'sla_at_risk', repeatCount: 0, levels: [{ delayMinutes: 0, recipients: [{ kind: 'user', userId: manager.id }] }],
    });
    expect(policy.statusCode, policy.body).toBe(201);
    expect(policy.json().trigger).toBe('sla_at_risk');
    // Tuesday 1 December 2026, 09:00 UTC. Default P3: business hours 09:00-17:00; first response 480 working min,
    // warned at 80 % = 384 min = 15:24. Assigning it at once meets the acknowledgement.
    setClock('2026-12-01T09:00:00Z');
    await signInAgain();
    const inc = await declare({ title: 'Defaced page', impact: 'medium', urgency: 'medium' });
    expect(inc.priority).toBe('P3');
    // No 'declared' policy for a P3: nothing escalates on declaring.
    expect((await call(handler, 'GET', `/incidents/${inc.reference}/escalations`)).json().items).toEqual([]);
    expect((await call(manager, 'POST', '/incidents/assign', { incidents: [inc.id], assigneeId: handler.id })).statusCode).toBe(200);
    expect(iso((await row(inc.id, 'first_response'))!.warnAt)).toBe('2026-12-01T15:24:00.000Z');
    setClock('2026-12-01T15:23:00Z');
    await signInAgain();
    await tick();
    expect(await slaEvents(inc.reference)).toEqual([]);
    clock.advance(1 * MIN);
    await tick();
    await signInAgain();
    const kinds = (await timeline(inc.reference)).map((e) => e.kind).filter((k) => k.startsWith('sla.') || k.startsWith('escalation.'));
    expect(kinds).toEqual(['sla.warning', 'escalation.started', 'escalation.level', 'escalation.exhausted']);
    const [run] = (await call(handler, 'GET', `/incidents/${inc.reference}/escalations`)).json().items;
    expect(run).toMatchObject({ policyName: 'SLA at risk (P3)', state: 'exhausted' });
    // The warning's notification was queued with it, and written by the delivery worker.
    await drainQueued(t, clock);
    const sent = await t.db.db.selectFrom('notificationDelivery').select(['event', 'userId', 'medium', 'subject'])
      .where('event', 'in', ['sla.warning', 'escalation.level']).where('medium', '=', 'in_app').where('link', 'like', `%${inc.id}%`).execute();
    expect(sent).toEqual([{ event: 'sla.warning', userId: handler.id, medium: 'in_app', subject: `[${inc.reference}] SLA first response due 2026-12-01T17:00:00.000Z: Defaced page` }]);
    const level = await t.db.db.selectFrom('notificationDelivery').select(['userId']).where('event', '=', 'escalation.level').where('medium', '=', 'in_app')
      .where('link', '=', `/incidents/${inc.reference}`).execute();
    expect(level).toEqual([{ userId: manager.id }]);
    // The breach at 17:00 finds the escalation over (exhausted): it starts again.
    setClock('2026-12-01T17:00:00Z');
    expect(await tick()).toMatchObject({ breached: 1 });
    await signInAgain();
    expect((await call(handler, 'GET', `/incidents/${inc.reference}/escalations`)).json().items).toHaveLength(2);
    expect(admin).toBeDefined();
  });

  it('tells whoever is on duty of an unassigned incident, naming a TLP:RED one by its reference only', async () => {
    // The handler is on duty around the clock; the manager declares (and coordinates) a TLP:RED P1 at 17:00.
    const rota = await call(manager, 'POST', '/oncall/rotas', {
      name: 'Duty officer', timeZone: 'Europe/Berlin', pattern: { kind: 'duty_officer', handover: 'weekly', handoverTime: '09:00', handoverDay: 1 },
      members: [handler.id], anchorDate: '2026-11-02',
    });
    expect(rota.statusCode, rota.body).toBe(201);
    const r = await call(manager, 'POST', '/incidents', {
      title: 'Minister mailbox', impact: 'critical', urgency: 'critical', tlp: 'RED', classifications: [{ class: 'fraud', type: 'phishing' }],
    });
    expect(r.statusCode, r.body).toBe(201);
    const inc = r.json();
    clock.advance(12 * MIN); // 17:12
    expect(await tick()).toMatchObject({ warned: 1 });
    await drainQueued(t, clock);
    const sent = await t.db.db.selectFrom('notificationDelivery').select(['userId', 'subject', 'body']).where('event', '=', 'sla.warning')
      .where('medium', '=', 'in_app').where('link', 'like', `%${inc.id}%`).execute();
    expect(sent).toEqual([{ userId: handler.id, subject: `[${inc.reference}] SLA acknowledge due 2026-12-01T17:15:00.000Z: (restricted: see Vigil)`, body: expect.not.stringContaining('Minister') }]);
  });
});
