import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, apiOf, makeApp, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';

const NIGHTS = { kind: 'shifts_24x7', shifts: [{ start: '06:00', end: '18:00' }, { start: '18:00', end: '06:00' }] };
type Item = { key: string; done: boolean; title: string; hint: string; href: string };
const state = (items: Item[]) => Object.fromEntries(items.map((i) => [i.key, i.done]));

/**
 * The set-up checklist of the operations dashboard: what escalation needs before it reaches anyone
 * (an enabled escalation policy, someone in the CSIRT manager seat, an on-call rota with members,
 * an outgoing mail relay), computed by the server from the stored rows and the configuration.
 */
describe.each(stores())('dashboard set-up checklist on %s', (store) => {
  let fresh: TestApp;
  let configured: TestApp;
  let freshAdmin: Session;
  let admin: Session;
  const get = async (t: TestApp, s: Session) => {
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/dashboard/operations', headers: s.headers });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as { setup: { complete: boolean; items: Item[] } };
  };

  beforeAll(async () => {
    fresh = await makeApp(store);
    freshAdmin = await adminSession(fresh);
    configured = await makeApp(store, { VIGIL_SMTP_RELAY_URL: 'smtp://relay.example.net:587' });
    admin = await adminSession(configured);
  });
  afterAll(async () => {
    await fresh?.close();
    await configured?.close();
  });

  it('lists what escalation still needs on a fresh install, with where to do it, for every team member', async () => {
    const d = await get(fresh, freshAdmin);
    expect(d.setup.complete).toBe(false);
    expect(d.setup.items.map((i) => i.key)).toEqual(['escalation_policy', 'manager_seat', 'oncall_rota', 'mail_relay']);
    // The default policy (management first) is installed; nobody holds the seat, no rota, no relay.
    expect(state(d.setup.items)).toEqual({ escalation_policy: true, manager_seat: false, oncall_rota: false, mail_relay: false });
    expect(d.setup.items.find((i) => i.key === 'manager_seat')).toMatchObject({ href: '/team' });
    expect(d.setup.items.find((i) => i.key === 'oncall_rota')).toMatchObject({ href: '/oncall' });
    for (const i of d.setup.items) expect(i.title.length).toBeGreaterThan(5);
    const viewer = await userWith(fresh, ['viewer']);
    expect((await get(fresh, viewer)).setup).toEqual(d.setup);
  });

  it('a disabled policy, an empty rota or a disabled manager does not count as done', async () => {
    const { call } = apiOf(() => fresh, () => freshAdmin);
    const policies = (await call(freshAdmin, 'GET', '/escalation/policies')).json().items as { id: string; version: number }[];
    for (const p of policies) await fresh.db.db.updateTable('escalationPolicy').set({ enabled: false }).where('id', '=', p.id).execute();
    const m = await userWith(fresh, ['manager']);
    expect((await call(freshAdmin, 'PATCH', `/team/members/${m.id}`, { version: 0, seats: ['csirt_manager'] })).statusCode).toBe(200);
    await fresh.db.db.updateTable('appUser').set({ disabledAt: new Date() }).where('id', '=', m.id).execute();
    await fresh.db.db.insertInto('oncallRota').values({
      name: 'Empty', description: '', timeZone: 'UTC', pattern: JSON.stringify(NIGHTS), members: JSON.stringify([]), anchorDate: '2026-03-01',
      createdBy: null, createdAt: new Date(), updatedAt: new Date(),
    } as never).execute();
    expect(state((await get(fresh, freshAdmin)).setup.items)).toEqual({ escalation_policy: false, manager_seat: false, oncall_rota: false, mail_relay: false });
  });

  it('is complete once the seat is filled, a rota has members and a relay is configured', async () => {
    const { call } = apiOf(() => configured, () => admin);
    let d = await get(configured, admin);
    expect(state(d.setup.items)).toEqual({ escalation_policy: true, manager_seat: false, oncall_rota: false, mail_relay: true });
    const m = await userWith(configured, ['manager']);
    expect((await call(admin, 'PATCH', `/team/members/${m.id}`, { version: 0, seats: ['csirt_manager'] })).statusCode).toBe(200);
    const rota = await call(admin, 'POST', '/oncall/rotas', { name: 'SOC', timeZone: 'UTC', pattern: NIGHTS, members: [m.id], anchorDate: '2026-03-01' });
    expect(rota.statusCode, rota.body).toBe(201);
    d = await get(configured, m);
    expect(d.setup.complete).toBe(true);
    expect(d.setup.items.every((i) => i.done)).toBe(true);
  });
});
