import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, apiOf, login, makeApp, testClock, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';

const MIN = 60_000;
const PASSWORD = 'Correct-Horse-Battery-9';

/**
 * October 2026 in Europe/Berlin (UTC+2 until the 25th, then UTC+1), worked through the API, with
 * every figure computed by hand below. Times are UTC.
 *   A  Sep 30 21:30  P4  23:30 in Berlin on 30 September: September's, not October's.
 *   B  Sep 30 22:00  P3  00:00 on 1 October. Reported by e-mail; compromised 18:00, detected 21:00 (180 min);
 *                        replied +5, triage +30, closed +600, reopened +660, closed again +1200.
 *   C  Oct 5 08:00   P4  ACME's; replied +10, assigned +60; reclassified fraud → intrusions; never closed.
 *   D  Oct 10 08:00  P4  merged into C: a duplicate, left out.
 *   E  Oct 12 08:00  P1  an exercise: left out.
 *   F  Oct 20 10:00  P1  TLP:RED; replied +5, triage +20 (the 15-minute acknowledge target breached).
 *   H  Oct 31 22:30  P4  23:30 CET on 31 October: still October; replied +5.
 *   G  Oct 31 23:30  P4  00:30 on 1 November: November's.
 * The SLA watcher runs on Monday 2 November at 08:00: C's resolution (10 business days from
 * 5 October 09:00) and F's acknowledge and containment are breached; B met all; H is not yet due.
 */
describe.each(stores())('monthly KPIs on %s', (store) => {
  let t: TestApp;
  let admin: Session;
  let handler: Session & { id: string; username: string };
  let viewer: Session & { id: string; username: string };
  const clock = testClock(new Date('2026-09-30T21:30:00Z'));
  const { call, declare } = apiOf(() => t, () => handler);
  const at = async (iso: string) => {
    clock.advance(Date.parse(iso) - clock.now().getTime());
    Object.assign(handler, await login(t.app, handler.username, PASSWORD));
    Object.assign(viewer, await login(t.app, viewer.username, PASSWORD));
    admin = await login(t.app, 'admin', 'A-Much-Better-Passphrase-2026');
  };
  const ok = async (r: Promise<{ statusCode: number; body: string; json(): any }>, status = 200) => {
    const res = await r;
    expect(res.statusCode, res.body).toBe(status);
    return res.json();
  };
  const reply = (ref: string) => ok(call(handler, 'POST', `/incidents/${ref}/communications`, { direction: 'outbound', channel: 'email', party: 'Reporter', body: 'On it.' }), 201);
  const status = async (ref: string, to: string) => {
    const inc = await ok(call(handler, 'GET', `/incidents/${ref}`));
    return ok(call(handler, 'POST', `/incidents/${ref}/status`, { version: inc.version, status: to }));
  };
  let monthly: any;

  beforeAll(async () => {
    t = await makeApp(store, {}, clock);
    admin = await adminSession(t);
    handler = await userWith(t, ['handler'], PASSWORD);
    viewer = await userWith(t, ['viewer'], PASSWORD);
    await ok(call(admin, 'PATCH', '/settings', { timeZone: 'Europe/Berlin' }));

    await declare({ title: 'A' }); // 21:30, P4
    await at('2026-09-30T22:00:00Z');
    const report = await ok(call(handler, 'POST', '/reports', { title: 'Phish', channel: 'email' }), 201);
    let b = await declare({ title: 'B', impact: 'medium', urgency: 'medium' });
    await ok(call(handler, 'POST', `/reports/${report.reference}/link`, { incident: b.reference, version: report.version }));
    b = await ok(call(handler, 'PATCH', `/incidents/${b.reference}/key-times`, { version: b.version, firstCompromiseAt: '2026-09-30T18:00:00Z', detectedAt: '2026-09-30T21:00:00Z' }));
    clock.advance(5 * MIN);
    await reply(b.reference);
    clock.advance(25 * MIN);
    b = await status(b.reference, 'triage');
    await at('2026-10-01T08:00:00Z'); // +600
    b = await ok(call(handler, 'POST', `/incidents/${b.reference}/close`, { version: b.version, resolution: 'resolved' }));
    await at('2026-10-01T09:00:00Z'); // +660
    b = await ok(call(handler, 'POST', `/incidents/${b.reference}/reopen`, { version: b.version, reason: 'It came back' }));
    await at('2026-10-01T18:00:00Z'); // +1200
    b = await ok(call(handler, 'POST', `/incidents/${b.reference}/close`, { version: b.version, resolution: 'resolved' }));

    await at('2026-10-02T10:00:00Z');
    const fp = await ok(call(handler, 'POST', '/reports', { title: 'Scanner noise', channel: 'web_form' }), 201);
    await ok(call(handler, 'POST', `/reports/${fp.reference}/reject`, { reason: 'false_positive', version: fp.version }));

    await at('2026-10-05T08:00:00Z');
    let c = await declare({ title: 'C', constituent: 'ACME' });
    clock.advance(10 * MIN);
    await reply(c.reference);
    clock.advance(50 * MIN);
    await ok(call(handler, 'POST', '/incidents/assign', { incidents: [c.reference], assigneeId: handler.id }));
    c = await ok(call(handler, 'GET', `/incidents/${c.reference}`));
    c = await ok(call(handler, 'PATCH', `/incidents/${c.reference}`, { version: c.version, classifications: [{ class: 'intrusions', type: 'system-compromise' }] }));

    await at('2026-10-10T08:00:00Z');
    const d = await declare({ title: 'D' });
    await ok(call(handler, 'POST', `/incidents/${c.reference}/merge`, { sourceId: d.reference, sourceVersion: d.version }));
    await at('2026-10-12T08:00:00Z');
    await declare({ title: 'E', impact: 'critical', urgency: 'critical', exercise: true });
    await at('2026-10-20T10:00:00Z');
    const f = await declare({ title: 'F', impact: 'critical', urgency: 'critical', tlp: 'RED' });
    clock.advance(5 * MIN);
    await reply(f.reference);
    clock.advance(15 * MIN);
    await status(f.reference, 'triage');
    await at('2026-10-31T22:30:00Z');
    const h = await declare({ title: 'H' });
    clock.advance(5 * MIN);
    await reply(h.reference);
    await at('2026-10-31T23:30:00Z');
    await declare({ title: 'G' });

    await ok(call(handler, 'POST', '/activities', { kind: 'awareness_campaign', title: 'Phishing posters', startsAt: '2026-09-10T08:00:00Z' }), 201);
    await ok(call(handler, 'POST', '/activities', { kind: 'constituency_meeting', title: 'Quarterly with ACME', startsAt: '2026-10-15T12:00:00Z', participants: 12 }), 201);
    await ok(call(handler, 'POST', '/activities', { kind: 'constituency_meeting', title: 'November meeting', startsAt: '2026-10-31T23:15:00Z' }), 201);

    await at('2026-11-02T08:00:00Z');
    await t.services.slaWatch.tick(1000);
    monthly = await ok(call(admin, 'GET', '/kpi/monthly?month=2026-10'));
  });
  afterAll(() => t?.close());

  it('counts the month in the team time zone, leaving out exercises and duplicates', () => {
    expect(monthly.period).toEqual({ label: '2026-10', timeZone: 'Europe/Berlin', from: '2026-09-30T22:00:00.000Z', to: '2026-10-31T23:00:00.000Z' });
    expect(monthly.scope).toBe('all');
    const s = monthly.incidents;
    expect(s).toMatchObject({ declared: 4, open: 3, closed: 1, reopened: 1, excluded: { exercises: 1, duplicates: 1 } });
    expect(s.byPriority).toEqual({ P1: 1, P2: 0, P3: 1, P4: 2 });
    // C counts under its new classification only.
    expect(s.byClass).toEqual([
      { key: 'fraud', count: 3, types: [{ key: 'phishing', count: 3 }] },
      { key: 'intrusions', count: 1, types: [{ key: 'system-compromise', count: 1 }] },
    ]);
    expect(s.byConstituent).toEqual([{ key: '(none)', count: 3 }, { key: 'ACME', count: 1 }]);
    expect(s.byChannel).toEqual([{ key: 'declared directly', count: 3 }, { key: 'email', count: 1 }]);
    expect(s.byResolution).toEqual([{ key: 'resolved', count: 1 }]);
  });

  it('measures the times from key times and events: a reopened incident resolves at its last close', () => {
    const s = monthly.incidents.times;
    expect(s.detect).toMatchObject({ count: 1, meanMinutes: 180, medianMinutes: 180 });
    // B 30, C 60 (assigned), F 20; H never acknowledged.
    expect(s.acknowledge).toMatchObject({ count: 3, meanMinutes: 36.7, medianMinutes: 30 });
    expect(s.acknowledge.byPriority.P4).toEqual({ count: 1, meanMinutes: 60, medianMinutes: 60 });
    // B was contained when it was first closed.
    expect(s.contain).toMatchObject({ count: 1, meanMinutes: 600, medianMinutes: 600 });
    expect(s.resolve).toMatchObject({ count: 1, meanMinutes: 1200, medianMinutes: 1200 });
  });

  it('rates SLA breaches per priority from the recorded breach events', () => {
    const sla = monthly.incidents.sla;
    expect(sla).toMatchObject({ incidents: 4, breached: 2, rate: 50 });
    expect(sla.byPriority).toEqual({
      P1: { incidents: 1, breached: 1, rate: 100 }, P2: { incidents: 0, breached: 0, rate: null },
      P3: { incidents: 1, breached: 0, rate: 0 }, P4: { incidents: 2, breached: 1, rate: 50 },
    });
    expect(sla.byMetric).toEqual({ acknowledge: 1, first_response: 0, containment: 1, resolution: 2 });
  });

  it('evaluates the KPI definitions against their targets, with the month before for comparison', () => {
    const k = Object.fromEntries(monthly.kpis.map((x: any) => [x.key, x]));
    expect(k.sla_breaches_critical).toMatchObject({ value: 100, unit: 'percent', sample: 1, target: { op: '<', value: 5 }, met: false });
    expect(k.sla_breaches_all).toMatchObject({ value: 50, target: null, met: null });
    expect(k.time_to_acknowledge).toMatchObject({ value: 30, unit: 'minutes', sample: 3 });
    expect(k.false_positive_reports).toMatchObject({ value: 50, sample: 2 });
    expect(k.constituency_meetings).toMatchObject({ value: 1, met: true });
    // September's campaign counts: at least one every second month.
    expect(k.awareness_campaigns).toMatchObject({ value: 1, met: true });
    expect(k.trainings).toMatchObject({ value: 0, met: null });
    expect(monthly.reports).toEqual({ received: 2, decided: 2, falsePositives: 1, falsePositiveRate: 50 });
    expect(monthly.activities.byKind).toMatchObject({ constituency_meeting: 1, awareness_campaign: 0 });
    const before = Object.fromEntries(monthly.previous.kpis.map((x: any) => [x.key, x]));
    expect(monthly.previous.label).toBe('2026-09');
    expect(before.sla_breaches_critical).toEqual({ key: 'sla_breaches_critical', value: null, met: null });
    expect(before.awareness_campaigns).toMatchObject({ value: 1, met: true });
    expect(monthly.trend.slice(-2)).toEqual([
      { month: '2026-09', total: 1, byPriority: { P1: 0, P2: 0, P3: 0, P4: 1 } },
      { month: '2026-10', total: 4, byPriority: { P1: 1, P2: 0, P3: 1, P4: 2 } },
    ]);
  });

  it('leaves out the month before when not asked to compare', async () => {
    const alone = await ok(call(admin, 'GET', '/kpi/monthly?month=2026-10&compare=false'));
    expect(alone.previous).toBeNull();
    expect(alone.incidents).toEqual(monthly.incidents);
    expect(alone.kpis).toEqual(monthly.kpis);
  });

  it('counts only the incidents the caller may see', async () => {
    const v = await ok(call(viewer, 'GET', '/kpi/monthly?month=2026-10'));
    expect(v.scope).toBe('visible');
    expect(v.incidents).toMatchObject({ declared: 3, byPriority: { P1: 0, P2: 0, P3: 1, P4: 2 } });
    expect(v.trend.at(-1)).toMatchObject({ total: 3 });
  });

  it('exports the statistics as CSV with one row per figure', async () => {
    const r = await call(admin, 'GET', '/kpi/monthly/export?month=2026-10&format=csv');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-disposition']).toBe('attachment; filename="vigil-statistics-2026-10.csv"');
    const lines = r.body.trim().split('\r\n');
    expect(lines[0]).toBe('section,key,subkey,value,unit,target,met');
    expect(lines).toContain('kpi,sla_breaches_critical,"SLA breaches, critical incidents",100,percent,< 5,no');
    expect(lines).toContain('priority,P4,,2,count,,');
    expect(lines).toContain('time_to_acknowledge,all,mean,36.7,minutes,,');
  });

  it('edits KPI definitions and targets, refusing what does not fit the measure', async () => {
    const defs = (await ok(call(admin, 'GET', '/kpi/definitions'))).items;
    const crit = defs.find((x: any) => x.key === 'sla_breaches_critical');
    const { id, updatedAt: _u, updatedBy: _b, ...rest } = crit;
    expect((await call(handler, 'PUT', `/kpi/definitions/${id}`, { ...rest, targetValue: 150 })).statusCode).toBe(403);
    const changed = await ok(call(admin, 'PUT', `/kpi/definitions/${id}`, { ...rest, params: { priorities: ['P1', 'P2'] }, targetOp: '<=', targetValue: 100 }));
    expect(changed.version).toBe(crit.version + 1);
    const again = await ok(call(admin, 'GET', '/kpi/monthly?month=2026-10'));
    expect(again.kpis.find((x: any) => x.key === 'sla_breaches_critical')).toMatchObject({ value: 100, met: true, target: { op: '<=', value: 100 } });
    expect((await call(admin, 'PUT', `/kpi/definitions/${id}`, { ...rest })).json()).toMatchObject({ code: 'VIG_KPI_VERSION_CONFLICT' });
    const bad = await call(admin, 'POST', '/kpi/definitions', { key: 'p5', name: 'Bad', measure: 'sla_breach_rate', params: { priorities: ['P5'] } });
    expect(bad.json()).toMatchObject({ status: 400, code: 'VIG_REQUEST_INVALID', errors: [{ path: 'body.params.priorities.0' }] });
    const noTarget = await call(admin, 'POST', '/kpi/definitions', { key: 'half_target', name: 'Half', measure: 'incident_count', targetOp: '<' });
    expect(noTarget.json()).toMatchObject({ code: 'VIG_KPI_INVALID', problems: ['target: give both the comparison and the value, or neither'] });
    expect((await call(admin, 'POST', '/kpi/definitions', { key: 'trainings', name: 'Again', measure: 'incident_count' })).json()).toMatchObject({ code: 'VIG_KPI_KEY_TAKEN' });
    const count = await ok(call(admin, 'POST', '/kpi/definitions', { key: 'intrusions', name: 'Intrusions', measure: 'incident_count', params: { classes: ['intrusions'] }, targetOp: '<=', targetValue: 0 }), 201);
    const third = await ok(call(admin, 'GET', '/kpi/monthly?month=2026-10'));
    expect(third.kpis.find((x: any) => x.key === 'intrusions')).toMatchObject({ value: 1, met: false });
    expect((await call(admin, 'DELETE', `/kpi/definitions/${count.id}`)).statusCode).toBe(204);
  });

  it('refuses query parameters and measure parameters it cannot use as bad input', async () => {
    const hostileQueries = [
      ['/kpi/annual?year=0x7E8', 'querystring.year'], ['/kpi/annual?year=%202026', 'querystring.year'], ['/kpi/annual?year=2026.0', 'querystring.year'],
      ['/kpi/annual?year=1e3', 'querystring.year'], ['/kpi/annual/export?year=0x7E8&format=csv', 'querystring.year'],
      ['/kpi/annual?year=2026&year=2027', 'querystring.year'], ['/kpi/monthly?month=2026-10&month=2026-11', 'querystring.month'],
      ['/activities?from=1&to=2', 'querystring.from'], ['/activities?from=2026-01-01&to=March', 'querystring.to'],
      ['/activities?from=2026-01-01T00:00:00&to=2026-02-01T00:00:00Z', 'querystring.from'],
    ];
    for (const [url, path] of hostileQueries) {
      const r = await call(admin, 'GET', url!);
      expect(r.statusCode, url).toBe(400);
      expect(r.headers['content-type'], url).toMatch(/^application\/problem\+json/);
      expect(r.json(), url).toMatchObject({ code: 'VIG_REQUEST_INVALID' });
      expect(r.json().errors.map((e: { path: string }) => e.path), url).toContain(path);
    }
    expect((await call(admin, 'GET', '/activities?from=2026-01-01&to=2026-02-01T00:00:00%2B01:00')).statusCode).toBe(200);
    expect((await call(admin, 'GET', '/kpi/annual?year=2026')).statusCode).toBe(200);

    const def = (measure: string, params: unknown) => ({ key: 'hostile', name: 'Hostile', measure, params });
    const hostile: [string, Record<string, unknown>, string][] = [
      ['priorities as a string', def('incident_count', { priorities: 'P1' }), 'body.params.priorities'],
      ['a priority twice', def('incident_count', { priorities: ['P1', 'P1'] }), 'body.params.priorities'],
      ['a metric 5000 times', def('sla_breach_rate', { metrics: Array(5000).fill('acknowledge') }), 'body.params.metrics'],
      ['a metric twice', def('sla_breach_rate', { metrics: ['acknowledge', 'acknowledge'] }), 'body.params.metrics'],
      ['a class twice', def('incident_count', { classes: ['fraud', 'fraud'] }), 'body.params.classes'],
      ['a parameter of another measure', def('incident_count', { statistic: 'mean' }), 'body.params'],
      ['an unknown parameter', def('false_positive_rate', { bogus: 1 }), 'body.params'],
      ['an activity count without its kind', def('activity_count', {}), 'body.params.kind'],
      ['params as a list', def('incident_count', []), 'body.params'],
      ['an unknown measure', def('mean_time_to_coffee', {}), 'body.measure'],
      ['a measure as a list', def(['incident_count'] as unknown as string, {}), 'body.measure'],
    ];
    const before = (await ok(call(admin, 'GET', '/kpi/definitions'))).items.length;
    for (const [what, body, path] of hostile) {
      const r = await call(admin, 'POST', '/kpi/definitions', body);
      expect(r.statusCode, what).toBe(400);
      expect(r.json(), what).toMatchObject({ code: 'VIG_REQUEST_INVALID' });
      expect(r.json().errors.map((e: { path: string }) => e.path), what).toContain(path);
    }
    const crit = (await ok(call(admin, 'GET', '/kpi/definitions'))).items.find((x: any) => x.key === 'time_to_detect');
    const r = await call(admin, 'PUT', `/kpi/definitions/${crit.id}`, { ...def('time_to_detect', { statistic: 'mode' }), key: crit.key, version: crit.version });
    expect(r.json()).toMatchObject({ code: 'VIG_REQUEST_INVALID', errors: [{ path: 'body.params.statistic' }] });
    expect((await ok(call(admin, 'GET', '/kpi/definitions'))).items.length).toBe(before);
  });

  it('records, changes and deletes team activities', async () => {
    const a = await ok(call(handler, 'POST', '/activities', { kind: 'training', title: 'TRANSITS I', startsAt: '2026-10-20T07:00:00Z', endsAt: '2026-10-22T15:00:00Z' }), 201);
    expect((await call(viewer, 'POST', '/activities', { kind: 'training', title: 'x', startsAt: '2026-10-20T07:00:00Z' })).statusCode).toBe(403);
    expect((await call(handler, 'POST', '/activities', { kind: 'training', title: 'x', startsAt: '2026-10-20T07:00:00Z', endsAt: '2026-10-19T07:00:00Z' })).json()).toMatchObject({ code: 'VIG_REQUEST_INVALID' });
    const changed = await ok(call(handler, 'PUT', `/activities/${a.id}`, { kind: 'training', title: 'TRANSITS I (Berlin)', startsAt: a.startsAt, endsAt: a.endsAt, version: a.version }));
    expect(changed).toMatchObject({ title: 'TRANSITS I (Berlin)', version: 2 });
    const listed = await ok(call(viewer, 'GET', '/activities?from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z'));
    expect(listed.items.map((x: any) => x.title)).toEqual(['Quarterly with ACME', 'TRANSITS I (Berlin)', 'November meeting']);
    expect((await ok(call(admin, 'GET', '/kpi/monthly?month=2026-10'))).kpis.find((x: any) => x.key === 'trainings')).toMatchObject({ value: 1 });
    expect((await call(handler, 'DELETE', `/activities/${a.id}`)).statusCode).toBe(204);
    expect((await call(viewer, 'GET', `/activities/${a.id}`)).json()).toMatchObject({ code: 'VIG_ACTIVITY_NOT_FOUND' });
  });
});
