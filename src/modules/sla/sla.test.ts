import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, apiOf, login, makeApp, testClock, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';

const MIN = 60_000;
type Clock = { metric: string; state: string; remainingMs: number; deadline: string | null; breachedAt: string | null; metAt: string | null; warningAt: string | null };

describe.each(stores())('SLA clocks on %s', (store) => {
  let t: TestApp;
  let admin: Session;
  let handler: Session & { id: string; username: string };
  // Monday 30 November 2026, 09:00 UTC.
  const clock = testClock(new Date('2026-11-30T09:00:00Z'));
  const { call, declare } = apiOf(() => t, () => handler);
  const clocksOf = async (ref: string) => {
    const r = await call(handler, 'GET', `/incidents/${ref}/sla`);
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json() as { paused: boolean; clocks: Clock[]; policy: { priority: string; constituentName: string | null } | null };
    return { ...body, by: Object.fromEntries(body.clocks.map((c) => [c.metric, c])) as Record<string, Clock> };
  };
  const signInAgain = async () => {
    Object.assign(handler, await login(t.app, handler.username, 'Correct-Horse-Battery-9'));
    admin = await login(t.app, 'admin', 'A-Much-Better-Passphrase-2026');
  };

  beforeAll(async () => {
    t = await makeApp(store, {}, clock);
    admin = await adminSession(t);
    handler = await userWith(t, ['handler']);
  });
  afterAll(() => t?.close());

  it('runs a P1 around the clock: acknowledged in time, first response late, paused while waiting on the constituent', async () => {
    // Default P1: 24x7 UTC; acknowledge 15 min, first response 60, containment 240, resolution 1440.
    const inc = await declare({ title: 'Ransomware', impact: 'critical', urgency: 'critical' });
    clock.advance(10 * MIN); // 09:10
    let c = await clocksOf(inc.reference);
    expect(c.policy?.priority).toBe('P1');
    expect(c.by.acknowledge).toMatchObject({ state: 'running', remainingMs: 5 * MIN, deadline: '2026-11-30T09:15:00.000Z', warningAt: '2026-11-30T09:12:00.000Z' });
    const moved = await call(handler, 'POST', `/incidents/${inc.reference}/status`, { version: inc.version, status: 'triage' });
    expect(moved.statusCode, moved.body).toBe(200);
    clock.advance(80 * MIN); // 10:30
    await signInAgain();
    c = await clocksOf(inc.reference);
    expect(c.by.acknowledge).toMatchObject({ state: 'met', metAt: '2026-11-30T09:10:00.000Z' });
    // No reply to the reporter by 10:00: breached then, 30 min overdue now.
    expect(c.by.first_response).toMatchObject({ state: 'breached', breachedAt: '2026-11-30T10:00:00.000Z', remainingMs: -30 * MIN });
    const reply = await call(handler, 'POST', `/incidents/${inc.reference}/communications`, { direction: 'outbound', channel: 'email', party: 'Reporter', body: 'We are on it.' });
    expect(reply.statusCode).toBe(201);
    expect((await clocksOf(inc.reference)).by.first_response).toMatchObject({ state: 'met_late', metAt: '2026-11-30T10:30:00.000Z' });

    // Waiting on the constituent from 10:30 to 12:30: containment (240 min) is due at 13:00 + 2 h = 15:00.
    expect((await call(handler, 'POST', `/incidents/${inc.reference}/sla/pause`, { reason: 'Waiting for their firewall logs' })).statusCode).toBe(204);
    expect((await call(handler, 'POST', `/incidents/${inc.reference}/sla/pause`, { reason: 'again' })).json()).toMatchObject({ code: 'VIG_SLA_PAUSE_STATE', paused: true });
    clock.advance(120 * MIN); // 12:30
    await signInAgain();
    c = await clocksOf(inc.reference);
    expect(c.paused).toBe(true);
    expect(c.by.containment).toMatchObject({ state: 'paused', deadline: null, remainingMs: 150 * MIN });
    expect((await call(handler, 'POST', `/incidents/${inc.reference}/sla/resume`)).statusCode).toBe(204);
    c = await clocksOf(inc.reference);
    expect(c.by.containment).toMatchObject({ state: 'running', deadline: '2026-11-30T15:00:00.000Z', remainingMs: 150 * MIN });
    expect(c.by.resolution).toMatchObject({ state: 'running', deadline: '2026-12-01T11:00:00.000Z' });
    const kinds = (await call(handler, 'GET', `/incidents/${inc.reference}/timeline?limit=200`)).json().items.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['sla.paused', 'sla.resumed']));
  });

  it('counts only business hours for a P3 and uses a constituent\'s own policy while its SLA agreement is in force', async () => {
    await signInAgain();
    // Friday 4 December 2026, 16:00 UTC. Default P3: Monday-Friday 09:00-17:00 UTC, acknowledge 240 working minutes:
    // 1 h on Friday (16:00-17:00) + 3 h on Monday (09:00-12:00) = Monday 7 December, 12:00.
    clock.advance(new Date('2026-12-04T16:00:00Z').getTime() - clock.now().getTime());
    await signInAgain();
    const p3 = await declare({ title: 'Defaced page', impact: 'medium', urgency: 'medium' });
    expect(p3.priority).toBe('P3');
    expect((await clocksOf(p3.reference)).by.acknowledge).toMatchObject({ state: 'running', deadline: '2026-12-07T12:00:00.000Z' });

    // The water board's agreement promises acknowledgement within 30 minutes around the clock.
    const manager = await userWith(t, ['manager']);
    const water = (await call(manager, 'POST', '/constituents', {
      name: 'Water Board', criticality: 'high', agreements: [{ kind: 'sla', reference: 'SLA-7', startsOn: '2026-01-01', endsOn: '2026-12-31', notes: '' }],
    })).json();
    const own = await call(manager, 'POST', '/sla/policies', { priority: 'P3', constituentId: water.id, calendar: { kind: '24x7', timeZone: 'Europe/Amsterdam' }, acknowledgeMinutes: 30 });
    expect(own.statusCode, own.body).toBe(201);
    expect((await call(manager, 'POST', '/sla/policies', { priority: 'P3', constituentId: water.id, calendar: { kind: '24x7', timeZone: 'UTC' }, acknowledgeMinutes: 60 })).json().code).toBe('VIG_SLA_POLICY_EXISTS');
    const theirs = await declare({ title: 'Pump controller defaced', impact: 'medium', urgency: 'medium', constituent: 'Water Board' });
    const c = await clocksOf(theirs.reference);
    expect(c.policy).toMatchObject({ priority: 'P3', constituentName: 'Water Board' });
    expect(c.by.acknowledge).toMatchObject({ deadline: '2026-12-04T16:30:00.000Z' });
    expect(c.by.resolution).toBeUndefined();

    // Bad calendars are refused with what is wrong.
    const bad = await call(manager, 'PUT', `/sla/policies/${own.json().id}`, {
      priority: 'P3', constituentId: water.id, calendar: { kind: 'business_hours', timeZone: 'Mars/Olympus', days: [1], start: '17:00', end: '09:00' }, acknowledgeMinutes: 30, version: 1,
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().problems.length).toBeGreaterThanOrEqual(2);
    expect((await call(handler, 'POST', '/sla/policies', { priority: 'P4', calendar: { kind: '24x7', timeZone: 'UTC' }, acknowledgeMinutes: 5 })).statusCode).toBe(403);
    expect((await call(manager, 'DELETE', `/sla/policies/${own.json().id}`)).statusCode).toBe(204);
    expect((await clocksOf(theirs.reference)).policy).toMatchObject({ priority: 'P3', constituentName: null });
  });
});
