import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../lib/actor.ts';
import { apiOf, makeApp, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';

const NONE = { link: false, merge: false, reject: false, reopen: false, declare: false };
const UNDECIDED = { link: true, merge: true, reject: true, reopen: false, declare: true };
const DECIDED = { link: false, merge: false, reject: false, reopen: true, declare: false };
const NO_ALERT = { acknowledge: false, dismiss: false, link: false, declare: false, reopen: false };
const NEW_ALERT = { acknowledge: true, dismiss: true, link: true, declare: true, reopen: false };

/**
 * `allowed` on reports and alerts: what the caller may do to each record, from the same rule the
 * triage services check (role, the record's status, its incident's), over what the caller may see.
 */
describe.each(stores())('what the caller may do to a report or an alert on %s', (store) => {
  let t: TestApp;
  let analyst: Session & { id: string };
  let viewer: Session & { id: string };
  let scoped: Session & { id: string };
  const api = apiOf(() => t, () => analyst);
  let token: string;

  beforeAll(async () => {
    t = await makeApp(store);
    const admin = await userWith(t, ['admin']);
    analyst = await userWith(t, ['handler']);
    viewer = await userWith(t, ['viewer']);
    scoped = await userWith(t, ['handler']);
    const alpha = await t.services.constituents.create(systemActor('cli'), { name: 'Allowed Alpha' });
    const r = await api.call(admin, 'PATCH', `/users/${scoped.id}`, { constituentIds: [alpha.id] });
    expect(r.statusCode, r.body).toBe(200);
    token = (await t.services.sources.create(systemActor('cli'), { name: 'allowed', mapping: { items: '$.a', title: '$.t' } })).token;
  });
  afterAll(() => t?.close());

  const report = async (over: object = {}) => {
    const r = await api.call(analyst, 'POST', '/reports', { title: 'Allowed?', ...over });
    expect(r.statusCode, r.body).toBe(201);
    return r.json();
  };
  const allowedOf = async (who: Session, url: string) => {
    const r = await api.call(who, 'GET', url);
    return r.statusCode === 200 ? r.json().allowed : r.statusCode;
  };
  const alert = async () => (await t.services.alerts.receive(token, { content: Buffer.from(JSON.stringify({ a: [{ t: `alert ${Math.random()}` }] })), contentType: 'application/json', ip: null })).alerts[0]!.id;

  it('reports: an analyst may decide new ones and reopen decided ones, a viewer nothing, a scoped member the same within its scope', async () => {
    const ours = await report({ organisation: 'Allowed Alpha' });
    const loose = await report();
    expect(ours.allowed).toEqual(UNDECIDED);
    for (const r of [ours, loose]) {
      expect(await allowedOf(analyst, `/reports/${r.id}`)).toEqual(UNDECIDED);
      expect(await allowedOf(viewer, `/reports/${r.id}`)).toEqual(NONE);
    }
    expect(await allowedOf(scoped, `/reports/${ours.id}`)).toEqual(UNDECIDED);
    expect(await allowedOf(scoped, `/reports/${loose.id}`)).toBe(404);
    // Lists carry it too.
    const listed = (await api.call(viewer, 'GET', '/reports?status=new')).json().items;
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((x: { allowed: object }) => JSON.stringify(x.allowed) === JSON.stringify(NONE))).toBe(true);
    const scopedList = (await api.call(scoped, 'GET', '/reports')).json().items;
    expect(scopedList.map((x: { id: string; allowed: object }) => [x.id, x.allowed])).toEqual([[ours.id, UNDECIDED]]);

    // Decided: the action's answer says what may follow (reopen); the viewer still nothing.
    const incident = await api.declare({ constituent: 'Allowed Alpha' });
    const linked = await api.call(scoped, 'POST', `/reports/${ours.id}/link`, { incident: incident.id });
    expect(linked.statusCode, linked.body).toBe(200);
    expect(linked.json().allowed).toEqual(DECIDED);
    expect(await allowedOf(analyst, `/reports/${ours.id}`)).toEqual(DECIDED);
    expect(await allowedOf(scoped, `/reports/${ours.id}`)).toEqual(DECIDED);
    expect(await allowedOf(viewer, `/reports/${ours.id}`)).toEqual(NONE);
    const rejected = (await api.call(analyst, 'POST', `/reports/${loose.id}/reject`, { reason: 'spam' })).json();
    expect(rejected.allowed).toEqual(DECIDED);

    // A report on a closed incident cannot be reopened: the flag says so, and the service agrees.
    const current = (await api.call(analyst, 'GET', `/incidents/${incident.id}`)).json();
    const closed = await api.call(analyst, 'POST', `/incidents/${incident.id}/close`, { version: current.version, resolution: 'false_positive' });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(await allowedOf(analyst, `/reports/${ours.id}`)).toEqual(NONE);
    expect((await api.call(analyst, 'POST', `/reports/${ours.id}/reopen`, { reason: 'x' })).json().code).toBe('VIG_INCIDENT_CLOSED');
  });

  it('alerts: an analyst may act on undecided ones and reopen dismissed ones, a viewer nothing, a scoped member only those on its incidents', async () => {
    const fresh = await alert();
    expect(await allowedOf(analyst, `/alerts/${fresh}`)).toEqual(NEW_ALERT);
    expect(await allowedOf(viewer, `/alerts/${fresh}`)).toEqual(NO_ALERT);
    // An alert on no incident is the unscoped team's.
    expect(await allowedOf(scoped, `/alerts/${fresh}`)).toBe(404);

    const acked = (await api.call(analyst, 'POST', '/alerts/acknowledge', { alerts: [fresh] })).json()[0];
    expect(acked.allowed).toEqual({ acknowledge: false, dismiss: true, link: true, declare: true, reopen: true });
    const dismissed = (await api.call(analyst, 'POST', '/alerts/dismiss', { alerts: [fresh], reason: 'benign' })).json()[0];
    expect(dismissed.allowed).toEqual({ ...NO_ALERT, reopen: true });
    const listed = (await api.call(analyst, 'GET', '/alerts?status=dismissed')).json().items;
    expect(listed.find((x: { id: string }) => x.id === fresh).allowed).toEqual({ ...NO_ALERT, reopen: true });
    expect((await api.call(viewer, 'GET', '/alerts')).json().items.every((x: { allowed: object }) => JSON.stringify(x.allowed) === JSON.stringify(NO_ALERT))).toBe(true);
    const reopened = (await api.call(analyst, 'POST', `/alerts/${fresh}/reopen`, { reason: 'not benign' })).json();
    expect(reopened.allowed).toEqual(NEW_ALERT);

    // Escalated onto an incident of the scoped member's constituent: it sees it, and nothing is left to do.
    const incident = await api.declare({ constituent: 'Allowed Alpha' });
    const linked = (await api.call(analyst, 'POST', '/alerts/link', { alerts: [fresh], incident: incident.id })).json()[0];
    expect(linked.allowed).toEqual(NO_ALERT);
    expect(await allowedOf(scoped, `/alerts/${fresh}`)).toEqual(NO_ALERT);
    expect((await api.call(scoped, 'GET', '/alerts')).json().items.map((x: { id: string }) => x.id)).toEqual([fresh]);
  });
});
