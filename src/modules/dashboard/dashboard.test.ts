import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentStatus, Priority, Tlp } from '../../db/schema.ts';
import { adminSession, apiOf, makeApp, testClock, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';

const NOW = new Date('2026-03-28T12:30:00Z');
const at = (hhmm: string, day = '2026-03-28') => new Date(`${day}T${hhmm}Z`);
const NIGHTS = { kind: 'shifts_24x7', shifts: [{ start: '06:00', end: '14:00' }, { start: '14:00', end: '22:00' }, { start: '22:00', end: '06:00' }] };

describe.each(stores())('operations dashboard on %s', (store) => {
  let t: TestApp;
  let admin: Session;
  let h: Session & { id: string; username: string }; // a handler with no need to know
  let h2: Session & { id: string; username: string }; // a handler assigned to the RED incident, role holder on AMBER+STRICT
  let m: Session & { id: string };
  let v: Session & { id: string };
  let reporter: Session & { id: string };
  const ids: Record<string, string> = {};
  const { call } = apiOf(() => t, () => admin);
  const get = async (s: Session) => {
    const r = await call(s, 'GET', '/dashboard/operations');
    expect(r.statusCode, r.body).toBe(200);
    return r.json();
  };

  let n = 0;
  async function incident(key: string, priority: Priority, status: IncidentStatus, tlp: Tlp, o: { exercise?: boolean; assigneeId?: string } = {}) {
    const row = await t.db.db.insertInto('incident').values({
      reference: `CERT-2026-${String(++n).padStart(4, '0')}`, title: `Incident ${key}`, summary: '', status, resolution: status === 'closed' ? 'resolved' : null,
      duplicateOf: null, impact: 'high', urgency: 'high', priority, tlp, pap: 'AMBER', constituent: null, exercise: o.exercise ?? false,
      firstCompromiseAt: null, detectedAt: null, containedAt: null, recoveredAt: null, createdBy: null, createdAt: at('08:00'), updatedAt: at('08:00'),
      closedAt: status === 'closed' ? at('09:00') : null, assigneeId: o.assigneeId ?? null,
    }).returning('id').executeTakeFirstOrThrow();
    ids[key] = row.id;
  }
  /** A clock row as the SLA projection would write it (its code is not this module's). */
  const clock = (key: string, metric: 'acknowledge' | 'first_response' | 'containment' | 'resolution', c: { warnAt: Date | null; deadline: Date | null; paused?: boolean; metAt?: Date }) =>
    t.db.db.insertInto('slaClock').values({
      incidentId: ids[key]!, metric, policyId: null, targetMinutes: 60, deadline: c.deadline, warnAt: c.warnAt, paused: c.paused ?? false,
      metAt: c.metAt ?? null, computedAt: NOW,
    }).execute();
  let r = 0;
  const report = (channel: 'email' | 'web_form' | 'phone', receivedAt: Date, incidentKey?: string) =>
    t.db.db.insertInto('report').values({
      reference: `CERT-R-2026-${String(++r).padStart(6, '0')}`, channel, source: null, status: incidentKey ? 'linked' : 'new', title: `Report ${r}`, body: '',
      tlp: 'AMBER', reporterName: null, reporterEmail: null, reporterPhone: null, organisation: null, receivedAt, submittedBy: null,
      incidentId: incidentKey ? ids[incidentKey]! : null, mergedInto: null, rejection: null, rejectionNote: null, decidedBy: null, decidedAt: null, updatedAt: receivedAt,
    }).execute();

  beforeAll(async () => {
    t = await makeApp(store, {}, testClock(NOW));
    admin = await adminSession(t);
    h = await userWith(t, ['handler']);
    h2 = await userWith(t, ['handler']);
    m = await userWith(t, ['manager']);
    v = await userWith(t, ['viewer']);
    reporter = await userWith(t, ['reporter']);

    await incident('A', 'P1', 'new', 'AMBER', { assigneeId: h.id });
    await incident('B', 'P1', 'analysis', 'GREEN');
    await incident('C', 'P2', 'analysis', 'GREEN');
    await incident('D', 'P3', 'containment', 'CLEAR', { exercise: true });
    await incident('E', 'P4', 'closed', 'GREEN');
    await incident('R', 'P1', 'triage', 'RED', { assigneeId: h2.id });
    await incident('S', 'P2', 'new', 'AMBER+STRICT');
    await t.db.db.insertInto('incidentRole').values({ incidentId: ids.S!, role: 'analyst', userId: h2.id, assignedAt: NOW }).execute();

    await clock('A', 'acknowledge', { warnAt: at('12:00:00'), deadline: at('12:20:00') }); // breached 10 min ago
    await clock('A', 'resolution', { warnAt: at('12:00:00'), deadline: at('14:30:00') }); // 120 min left
    await clock('B', 'first_response', { warnAt: at('12:29:00'), deadline: at('12:45:30') }); // 15.5 → 15 min left
    await clock('B', 'containment', { warnAt: at('10:00:00'), deadline: at('11:00:00'), metAt: at('10:30:00') }); // met
    await clock('C', 'resolution', { warnAt: null, deadline: null, paused: true }); // paused
    await clock('C', 'acknowledge', { warnAt: at('13:00:00'), deadline: at('13:30:00') }); // warning not yet
    await clock('R', 'acknowledge', { warnAt: at('12:10:00'), deadline: at('12:25:00') }); // breached, RED
    await clock('D', 'acknowledge', { warnAt: at('12:00:00'), deadline: at('12:40:00') }); // an exercise
    await clock('E', 'acknowledge', { warnAt: at('08:00:00'), deadline: at('09:00:00') }); // closed incident

    // The 24 hours are 2026-03-27T13:00Z … the current hour 2026-03-28T12:00Z.
    await report('email', at('12:05:00'));
    await report('email', at('12:10:00'));
    await report('web_form', at('13:00:00', '2026-03-27')); // first instant of the window
    await report('phone', at('12:59:59', '2026-03-27')); // just before it
    await report('email', at('11:00:00'), 'R'); // on the RED incident
    await report('email', at('12:31:00')); // after now

    const src = await t.db.db.insertInto('intakeSource').values({
      name: 'siem', tokenHash: 'a'.repeat(64), tokenHint: 'aaaa', mapping: '{}', dedupWindowSeconds: 0, tlp: 'AMBER', createdAt: NOW, updatedAt: NOW,
    }).returning('id').executeTakeFirstOrThrow();
    let a = 0;
    const alert = (severity: 'high' | 'critical' | 'low', createdAt: Date, incidentKey?: string) =>
      t.db.db.insertInto('alert').values({
        reference: `CERT-A-${++a}`, sourceId: src.id, status: incidentKey ? 'escalated' : 'new', title: `Alert ${a}`, severity, tlp: 'AMBER', fingerprint: `f${a}`,
        sourceRef: null, observedAt: null, classification: null, createdAt, incidentId: incidentKey ? ids[incidentKey]! : null, dismissal: null, dismissalNote: null,
        decidedBy: null, decidedAt: null, updatedAt: createdAt,
      }).execute();
    await alert('high', at('10:00:00'));
    await alert('high', at('11:00:00'));
    await alert('critical', at('12:00:00', '2026-03-27')); // before the window
    await alert('low', at('12:00:00'), 'R');

    const item = (state: 'pending' | 'failed' | 'parsed', receivedAt: Date) =>
      t.db.db.insertInto('intakeItem').values({
        channel: 'email', sourceId: null, receivedAt, contentType: 'message/rfc822', content: new TextEncoder().encode(`item ${randomUUID()}`), sha256: 'b'.repeat(64),
        messageId: null, state, error: state === 'failed' ? 'bad' : null, parsedAt: state === 'parsed' ? receivedAt : null, reportId: null, incidentId: null,
      }).execute();
    await item('pending', at('12:00:00'));
    await item('failed', at('09:00:00'));
    await item('parsed', at('08:00:00'));

    const rota = await call(admin, 'POST', '/oncall/rotas', { name: 'SOC 24x7', timeZone: 'Europe/Berlin', pattern: NIGHTS, members: [h.id], anchorDate: '2026-03-01' });
    expect(rota.statusCode, rota.body).toBe(201);
  });
  afterAll(() => t?.close());

  it('counts open incidents by priority and status, exercises apart, RED and AMBER+STRICT only with a need to know', async () => {
    const d = await get(h);
    expect(d.at).toBe(NOW.toISOString());
    expect(d.open.total).toBe(3);
    expect(d.open.exercise).toBe(1);
    expect(d.open.byPriority).toEqual({ P1: 2, P2: 1, P3: 0, P4: 0 });
    expect(d.open.byPriorityStatus.P1).toEqual({ new: 1, triage: 0, analysis: 1, containment: 0, eradication: 0, recovery: 0 });
    expect(d.open.byPriorityStatus.P2.analysis).toBe(1);
    expect(d.open.byPriorityStatus.P2.new).toBe(0);
    const d2 = await get(h2);
    expect(d2.open.total).toBe(5);
    expect(d2.open.byPriorityStatus.P1.triage).toBe(1);
    expect(d2.open.byPriorityStatus.P2.new).toBe(1);
    expect((await get(m)).open.byPriority).toEqual({ P1: 3, P2: 2, P3: 0, P4: 0 });
    expect((await get(v)).open.total).toBe(3);
  });

  it('lists running clocks past their warning by deadline, breached ones first, only on incidents the caller may see', async () => {
    const d = await get(h);
    expect(d.slaAtRisk.total).toBe(3);
    expect(d.slaAtRisk.breached).toBe(1);
    expect(d.slaAtRisk.clocks.map((c: { title: string; metric: string; breached: boolean; minutesLeft: number }) => [c.title, c.metric, c.breached, c.minutesLeft])).toEqual([
      ['Incident A', 'acknowledge', true, -10],
      ['Incident B', 'first_response', false, 15],
      ['Incident A', 'resolution', false, 120],
    ]);
    expect(d.slaAtRisk.clocks[0]).toMatchObject({ reference: 'CERT-2026-0001', priority: 'P1', assignee: h.username, deadline: '2026-03-28T12:20:00.000Z' });
    expect(d.slaAtRisk.clocks[1].assignee).toBeNull();
    for (const who of [h2, m]) {
      const x = await get(who);
      expect(x.slaAtRisk).toMatchObject({ total: 4, breached: 2 });
      expect(x.slaAtRisk.clocks.map((c: { title: string }) => c.title)).toEqual(['Incident A', 'Incident R', 'Incident B', 'Incident A']);
      expect(x.slaAtRisk.clocks[1]).toMatchObject({ tlp: 'RED', minutesLeft: -5, assignee: h2.username });
    }
    expect(JSON.stringify(await get(h))).not.toContain('Incident R');
  });

  it('counts intake of the last 24 clock hours per hour and channel, alerts by severity, and the unparsed items', async () => {
    const d = await get(h);
    expect(d.intake.since).toBe('2026-03-27T13:00:00.000Z');
    expect(d.intake.reports.total).toBe(3);
    expect(d.intake.reports.hours).toHaveLength(24);
    expect(d.intake.reports.hours[0]).toMatchObject({ start: '2026-03-27T13:00:00.000Z', total: 1, byChannel: { web_form: 1, email: 0, phone: 0 } });
    expect(d.intake.reports.hours[23]).toMatchObject({ start: '2026-03-28T12:00:00.000Z', total: 2, byChannel: { email: 2 } });
    expect(d.intake.reports.hours[22].total).toBe(0); // the report on the RED incident
    expect(d.intake.alerts).toEqual({ total: 2, bySeverity: { critical: 0, high: 2, medium: 0, low: 0, info: 0 } });
    expect(d.intake.unparsed).toEqual({ pending: 1, failed: 1, oldest: '2026-03-28T09:00:00.000Z' });
    const dm = await get(m);
    expect(dm.intake.reports.total).toBe(4);
    expect(dm.intake.reports.hours[22].byChannel.email).toBe(1);
    expect(dm.intake.alerts.bySeverity.low).toBe(1);
    // A viewer reads reports and alerts but not the unparsed queue (report.triage); neither does an admin.
    const dv = await get(v);
    expect(dv.intake.reports.total).toBe(3);
    expect(dv.intake.unparsed).toBeNull();
    expect((await get(admin)).intake.unparsed).toBeNull();
  });

  it('shows who is on duty now', async () => {
    const d = await get(v);
    expect(d.onDuty.uncovered).toBe(0);
    expect(d.onDuty.rotas).toEqual([expect.objectContaining({ name: 'SOC 24x7', nextCoverAt: null, onDuty: [expect.objectContaining({ userId: h.id, displayName: h.username, until: '2026-03-28T13:00:00.000Z' })] })]);
  });

  it('is described in the OpenAPI document', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/docs/json', headers: admin.headers });
    expect(r.statusCode).toBe(200);
    const op = r.json().paths['/api/v1/dashboard/operations'].get;
    expect(op.operationId).toBe('dashboard.operations');
    expect(JSON.stringify(op.responses['200'])).toContain('OperationsDashboard');
  });

  it('refuses a reporter and an anonymous caller', async () => {
    expect((await call(reporter, 'GET', '/dashboard/operations')).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/dashboard/operations' })).statusCode).toBe(401);
  });
});
