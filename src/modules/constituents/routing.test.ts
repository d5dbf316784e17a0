import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../lib/actor.ts';
import { apiOf, makeApp, userWith, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import { createRoutingIndex, type RouteQuery } from './routing-index.ts';

const actor = systemActor('cli');

describe.each(stores())('routing: in memory and in the database agree on %s', (store) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await makeApp(store);
    const c = t.services.constituents;
    await c.create(actor, { name: 'Everything', netblocks: ['0.0.0.0/0', '::/0'] });
    await c.create(actor, { name: 'University', netblocks: ['10.0.0.0/8', '2001:db8::/32'], domains: ['uni.example'], asns: [64500] });
    await c.create(actor, { name: 'Faculty', netblocks: ['10.20.0.0/16', '2001:db8:20::/48'], domains: ['cs.uni.example'], emailDomains: ['staff.uni.example'] });
    await c.create(actor, { name: 'Lab', netblocks: ['10.20.30.0/24', '10.20.30.40/32', '2001:db8:20:30::/64', '2001:db8:20:30::40/128'], domains: ['lab.cs.uni.example'], asns: [4200000000] });
    await c.create(actor, { name: 'Hospital', netblocks: ['192.0.2.0/25', '192.0.2.128/25', 'fd00::/8'], domains: ['hospital.example'], emailDomains: ['hospital.example'] });
  });
  afterAll(() => t?.close());

  const queries: RouteQuery[] = [
    ...['10.1.1.1', '10.20.1.1', '10.20.30.1', '10.20.30.40', '10.20.30.41', '10.255.255.255', '11.0.0.1', '192.0.2.1', '192.0.2.200', '198.51.100.7', '0.0.0.0', '255.255.255.255']
      .map((address) => ({ address })),
    ...['2001:db8::1', '2001:db8:20::1', '2001:db8:20:30::1', '2001:db8:20:30::40', '2001:db8:20:31::1', '2001:db9::1', 'fd12:3456::1', '::1', '::ffff:10.20.30.40']
      .map((address) => ({ address })),
    ...['uni.example', 'www.uni.example', 'cs.uni.example', 'a.b.lab.cs.uni.example', 'notuni.example', 'example', 'HOSPITAL.example.', 'x.hospital.example']
      .map((domain) => ({ domain })),
    ...['a@uni.example', 'b@staff.uni.example', 'c@x.staff.uni.example', 'd@lab.cs.uni.example', 'e@hospital.example', 'f@elsewhere.example'].map((email) => ({ email })),
    ...['64500', 'AS4200000000', '64501'].map((asn) => ({ asn })),
  ];

  it('gives the same constituent and rule for every query, both ways', async () => {
    const table = await t.services.routingIndex.fresh();
    const names = new Map((await t.db.db.selectFrom('constituent').select(['id', 'name']).execute()).map((r) => [r.id, r.name]));
    const got: Record<string, string> = {};
    for (const q of queries) {
      const mem = table.lookup(q);
      const db = await t.services.constituents.routeInDb(q);
      const key = JSON.stringify(q);
      expect(mem, key).toEqual(db ? { ...db, matched: mem?.matched } : null);
      expect(db?.matched === mem?.matched || db?.matched === `${mem?.matched}`, key).toBe(true);
      got[String(Object.values(q)[0])] = mem ? `${names.get(mem.constituentId)} ${mem.rule} ${mem.matched}` : '-';
    }
    expect(got).toMatchObject({
      '10.1.1.1': 'University netblock 10.0.0.0/8', '10.20.30.40': 'Lab netblock 10.20.30.40/32', '10.20.30.41': 'Lab netblock 10.20.30.0/24',
      '11.0.0.1': 'Everything netblock 0.0.0.0/0', '2001:db8:20:30::40': 'Lab netblock 2001:db8:20:30::40/128', '2001:db8:20:31::1': 'Faculty netblock 2001:db8:20::/48',
      '::1': 'Everything netblock ::/0', 'a.b.lab.cs.uni.example': 'Lab domain lab.cs.uni.example', 'notuni.example': '-',
      'c@x.staff.uni.example': 'Faculty email_domain staff.uni.example', 'd@lab.cs.uni.example': 'Lab domain lab.cs.uni.example', 'f@elsewhere.example': '-',
      AS4200000000: 'Lab asn AS4200000000', '64501': '-',
    });
  });

  it('rebuilds when another process changes constituents (the stored version moves)', async () => {
    // A second index over the same database stands for another process.
    const other = createRoutingIndex({ db: t.db.db, checkMs: 0 });
    expect((await other.fresh()).lookup({ address: '203.0.113.9' })?.constituentId).not.toBeUndefined();
    const before = other.version;
    const created = await t.services.constituents.create(actor, { name: 'Newcomer', netblocks: ['203.0.113.0/24'] });
    const table = await other.fresh();
    expect(other.version).toBeGreaterThan(before);
    expect(table.lookup({ address: '203.0.113.9' })?.constituentId).toBe(created.id);
    // This process's own index is marked stale by the change and sees it at once.
    expect((await t.services.routingIndex.fresh()).lookup({ address: '203.0.113.9' })?.constituentId).toBe(created.id);
  });

  it('suggests the constituent in report triage and raises the impact to its criticality', async () => {
    await t.services.constituents.create(actor, { name: 'Water Board', criticality: 'critical', emailDomains: ['water.example'], netblocks: ['198.18.0.0/15'] });
    const admin = await userWith(t, ['handler']);
    const { call, declare } = apiOf(() => t, () => admin);
    // An open incident of that constituent (by name) is correlated with the report, which has no organisation.
    const incident = await declare({ title: 'Water Board outage', constituent: 'Water Board' });
    const body = { title: 'Port scan seen', body: 'We saw a port scan from 198.18.4.4 against our hosts.', channel: 'email', reporterEmail: 'soc@water.example', tlp: 'AMBER' };
    const sent = await call(admin, 'POST', '/reports', body);
    expect(sent.statusCode, sent.body).toBe(201);
    const r = await call(admin, 'GET', `/reports/${sent.json().id}/triage`);
    expect(r.statusCode, r.body).toBe(200);
    const triage = r.json() as { suggestions: { constituents: { constituent: { name: string }; rule: string; from: string }[]; impact: string; impactReason: string } };
    expect(triage.suggestions.constituents.map((c) => [c.constituent.name, c.rule, c.from])).toEqual([['Water Board', 'email_domain', 'soc@water.example']]);
    // A port scan alone suggests low impact; the critical constituent raises it.
    expect(triage.suggestions.impact).toBe('critical');
    expect(triage.suggestions.impactReason).toBe('Water Board is of critical criticality');
    expect((r.json() as { correlation: { id: string; sameConstituent: boolean }[] }).correlation).toContainEqual(expect.objectContaining({ id: incident.id, sameConstituent: true }));
  });

  it('routes an alert by its observables, raises its impact and finds its constituent\'s incidents', async () => {
    await t.services.constituents.create(actor, { name: 'Power Grid', criticality: 'high', netblocks: ['100.64.0.0/10'] });
    const admin = await userWith(t, ['admin']);
    const handler = await userWith(t, ['handler']);
    const { call, declare } = apiOf(() => t, () => handler);
    const incident = await declare({ title: 'Grid scanning', constituent: 'Power Grid' });
    const source = (await call(admin, 'POST', '/intake/sources', {
      name: 'grid-ids', mapping: { title: '$.t', severity: { from: '$.s' }, observables: [{ type: 'ipv4', from: '$.dst' }] },
    })).json();
    const posted = await t.app.inject({ method: 'POST', url: '/api/v1/intake/alerts', headers: { authorization: `Bearer ${source.token}` }, payload: { t: 'Scan of a substation', s: 'low', dst: '100.64.3.9' } });
    expect(posted.statusCode, posted.body).toBe(202);
    const list = (await call(handler, 'GET', '/alerts')).json() as { items: { id: string; title: string }[] };
    const alert = list.items.find((a) => a.title === 'Scan of a substation')!;
    const r = await call(handler, 'GET', `/alerts/${alert.id}`);
    expect(r.statusCode, r.body).toBe(200);
    const got = r.json() as { suggestions: { constituents: { constituent: { name: string }; rule: string }[]; impact: string; impactReason: string }; correlation: { id: string; sameConstituent: boolean }[] };
    expect(got.suggestions.constituents.map((c) => [c.constituent.name, c.rule])).toEqual([['Power Grid', 'netblock']]);
    expect(got.suggestions.impact).toBe('high');
    expect(got.correlation).toContainEqual(expect.objectContaining({ id: incident.id, sameConstituent: true }));
  });
});
