import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, apiOf, makeApp, type Session, type TestApp, userWith } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';

type Who = Session & { id: string };
type Hit = { value: string; incidents: { reference: string }[] };

/**
 * The global observable search (GET /observables, the web app's Observable search page) under the
 * incident access rule: a caller finds an observable only through incidents it may see, sees only
 * those incidents in each hit, and never a RED or AMBER+STRICT observable without a need to know.
 */
describe.each(stores())('observable search scope on %s', (store) => {
  let t: TestApp;
  let owner: Who; // declares everything, holds a role on each
  let outsider: Who; // a handler with no role on the restricted incidents
  let viewer: Who;
  let reporter: Who;
  let admin: Session;
  const refs: Record<string, string> = {};
  const { call, declare } = apiOf(() => t, () => owner, { impact: 'medium', urgency: 'medium', classifications: [{ class: 'malicious-code', type: 'c2-server' }] });
  const find = async (who: Session, value: string): Promise<Hit[]> => {
    const r = await call(who, 'GET', `/observables?value=${encodeURIComponent(value)}`);
    expect(r.statusCode, r.body).toBe(200);
    return r.json().items;
  };
  const incidentsOf = (hits: Hit[], value: string) => hits.find((h) => h.value === value)?.incidents.map((i) => i.reference).sort() ?? null;

  beforeAll(async () => {
    t = await makeApp(store);
    owner = await userWith(t, ['handler']);
    outsider = await userWith(t, ['handler']);
    viewer = await userWith(t, ['viewer']);
    reporter = await userWith(t, ['reporter']);
    admin = await adminSession(t);
    const add = async (key: string, tlp: string, items: object[]) => {
      const inc = await declare({ title: `Beacon ${key}`, tlp });
      refs[key] = inc.reference;
      const r = await call(owner, 'POST', `/incidents/${inc.id}/observables`, { items });
      expect(r.statusCode, r.body).toBe(200);
    };
    await add('green', 'GREEN', [{ type: 'ipv4', value: '203.0.113.50' }, { type: 'domain', value: 'beacon.example.org', tlp: 'RED' }]);
    await add('red', 'RED', [{ type: 'ipv4', value: '203.0.113.50' }, { type: 'sha256', value: 'a'.repeat(64) }]);
    await add('strict', 'AMBER+STRICT', [{ type: 'url', value: 'https://drop.example.org/stage2' }]);
  });
  afterAll(() => t?.close());

  it('shows the holder of a role every incident and observable, and an outsider only what the rule lets them see', async () => {
    expect(incidentsOf(await find(owner, '203.0.113.50'), '203.0.113.50')).toEqual([refs.green, refs.red].sort());
    expect(incidentsOf(await find(owner, 'beacon.example.org'), 'beacon.example.org')).toEqual([refs.green]);
    for (const who of [outsider, viewer]) {
      // Shared with a GREEN incident: found, but only that incident is listed.
      expect(incidentsOf(await find(who, '203.0.113.50'), '203.0.113.50')).toEqual([refs.green]);
      // Only on a RED or an AMBER+STRICT incident: does not exist for them.
      expect(await find(who, 'a'.repeat(64))).toEqual([]);
      expect(await find(who, 'https://drop.example.org/stage2')).toEqual([]);
      // A RED observable on a GREEN incident: hidden too.
      expect(await find(who, 'beacon.example.org')).toEqual([]);
      // The defanged form finds nothing more.
      expect(await find(who, 'hxxps://drop[.]example[.]org/stage2')).toEqual([]);
    }
    expect(incidentsOf(await find(admin, '203.0.113.50'), '203.0.113.50')).toEqual([refs.green, refs.red].sort());
  });

  it('refuses a reporter and an anonymous caller', async () => {
    expect((await call(reporter, 'GET', '/observables?value=203.0.113.50')).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/observables?value=203.0.113.50' })).statusCode).toBe(401);
  });
});
