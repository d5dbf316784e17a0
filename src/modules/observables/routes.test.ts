import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiOf, makeApp, type Session, type TestApp, userWith } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';

type Who = Session & { id: string };

describe.each(stores())('observables on %s', (store) => {
  let t: TestApp;
  let handler: Who;
  let other: Who;
  let manager: Who;
  beforeAll(async () => {
    t = await makeApp(store);
    handler = await userWith(t, ['handler']);
    other = await userWith(t, ['handler']);
    manager = await userWith(t, ['manager']);
  });
  afterAll(() => t?.close());

  const { call, declare } = apiOf(() => t, () => handler, { title: 'C2 traffic', impact: 'medium', urgency: 'medium', classifications: [{ class: 'malicious-code', type: 'c2-server' }] });

  it('adds normalised observables, one record per value, linked to every incident it appears in', async () => {
    const a = await declare();
    const b = await declare();
    const add = await call(handler, 'POST', `/incidents/${a.id}/observables`, {
      items: [{ type: 'ipv6', value: '2001:0db8:0:0:0:0:0:0042', ioc: true }, { type: 'domain', value: 'C2.Example.NET.' }, { type: 'cidr', value: '198.51.100.77/24' }],
    });
    expect(add.json()).toEqual({ added: 3, alreadyLinked: 0 });
    const again = await call(handler, 'POST', `/incidents/${b.id}/observables`, { items: [{ type: 'domain', value: 'c2.example.net' }] });
    expect(again.json()).toEqual({ added: 1, alreadyLinked: 0 });
    expect((await call(handler, 'POST', `/incidents/${b.id}/observables`, { items: [{ type: 'domain', value: 'c2.example.net' }] })).json()).toEqual({ added: 0, alreadyLinked: 1 });
    const list = (await call(handler, 'GET', `/incidents/${a.id}/observables`)).json().items;
    expect(list.map((o: { type: string; value: string }) => `${o.type}:${o.value}`).sort()).toEqual(['cidr:198.51.100.0/24', 'domain:c2.example.net', 'ipv6:2001:db8::42']);
    const rows = await t.db.db.selectFrom('observable').select(['type', 'value']).where('value', '=', 'c2.example.net').execute();
    expect(rows).toHaveLength(1);
    const ev = (await call(handler, 'GET', `/incidents/${a.id}/timeline?kind=observable.added`)).json().items;
    expect(ev[0].data.items).toHaveLength(3);
  });

  it('refuses bad values with a 4xx naming each, and writes nothing', async () => {
    const inc = await declare();
    const r = await call(handler, 'POST', `/incidents/${inc.id}/observables`, {
      items: [{ type: 'ipv4', value: '10.0.0.1' }, { type: 'ipv4', value: '300.1.1.1' }, { type: 'sha256', value: 'abc' }],
    });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ code: 'VIG_OBSERVABLE_INVALID', errors: [{ path: 'body.items.1.value' }, { path: 'body.items.2.value' }] });
    expect((await call(handler, 'GET', `/incidents/${inc.id}/observables`)).json().items).toEqual([]);
  });

  it('accepts defanged indicators and stores them refanged', async () => {
    const inc = await declare();
    const r = await call(handler, 'POST', `/incidents/${inc.id}/observables`, {
      items: [
        { type: 'url', value: 'hxxp://evil[.]example/x' }, { type: 'url', value: 'hxxps[:]//login(.)evil[.]example/owa' },
        { type: 'domain', value: 'evil[.]example' }, { type: 'ipv4', value: '198.51.100[.]24' }, { type: 'email', value: 'payroll[at]evil[.]example' },
      ],
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ added: 5, alreadyLinked: 0 });
    const list = (await call(handler, 'GET', `/incidents/${inc.id}/observables`)).json().items;
    expect(list.map((o: { type: string; value: string }) => `${o.type}:${o.value}`).sort()).toEqual([
      'domain:evil.example', 'email:payroll@evil.example', 'ipv4:198.51.100.24', 'url:http://evil.example/x', 'url:https://login.evil.example/owa',
    ]);
    const found = (await call(handler, 'GET', `/observables?value=${encodeURIComponent('198.51.100[.]24')}`)).json().items;
    expect(found.map((o: { value: string }) => o.value)).toContain('198.51.100.24');
  });

  it('extracts candidates from pasted, defanged text without writing', async () => {
    const r = await call(handler, 'POST', '/observables/extract', { text: 'beacon to hxxp://bad[.]example/gate.php from 192.0.2[.]44' });
    expect(r.json().items).toEqual([{ type: 'url', value: 'http://bad.example/gate.php' }, { type: 'ipv4', value: '192.0.2.44' }]);
  });

  it('lists similar incidents sharing observables, within what the caller may see', async () => {
    const a = await declare();
    const b = await declare();
    const red = await declare({ tlp: 'RED' });
    for (const inc of [a, b, red]) await call(handler, 'POST', `/incidents/${inc.id}/observables`, { items: [{ type: 'ipv4', value: '203.0.113.99' }] });
    await call(handler, 'POST', `/incidents/${b.id}/observables`, { items: [{ type: 'md5', value: '44d88612fea8a8f36de82e1278abb02f' }] });
    await call(handler, 'POST', `/incidents/${a.id}/observables`, { items: [{ type: 'md5', value: '44d88612fea8a8f36de82e1278abb02f' }] });
    const mine = (await call(handler, 'GET', `/incidents/${a.id}/similar`)).json().items;
    expect(mine[0]).toMatchObject({ id: b.id, shared: 2 });
    expect(mine.map((i: { id: string }) => i.id)).toContain(red.id);
    const theirs = (await call(other, 'GET', `/incidents/${a.id}/similar`)).json().items.map((i: { id: string }) => i.id);
    expect(theirs).toContain(b.id);
    expect(theirs).not.toContain(red.id);
  });

  it('never links two visible incidents through a RED observable the caller has no need to know', async () => {
    const a = await declare();
    const c = await declare();
    for (const inc of [a, c]) await call(handler, 'POST', `/incidents/${inc.id}/observables`, { items: [{ type: 'ipv4', value: '192.0.2.201', tlp: 'RED' }] });
    const mine = (await call(handler, 'GET', `/incidents/${a.id}/similar`)).json().items.map((i: { id: string }) => i.id);
    expect(mine).toContain(c.id);
    const theirs = await call(other, 'GET', `/incidents/${a.id}/similar`);
    expect(theirs.statusCode).toBe(200);
    expect(theirs.json().items.map((i: { id: string }) => i.id)).not.toContain(c.id);
  });

  it('searches by exact value and finds the networks containing an address', async () => {
    const inc = await declare();
    await call(handler, 'POST', `/incidents/${inc.id}/observables`, { items: [{ type: 'cidr', value: '100.64.0.0/10' }, { type: 'ipv4', value: '100.64.1.2' }] });
    const hits = (await call(other, 'GET', '/observables?value=100.64.1.2')).json().items.map((o: { value: string }) => o.value).sort();
    expect(hits).toEqual(['100.64.0.0/10', '100.64.1.2']);
    expect((await call(other, 'GET', '/observables?value=100.64.0.0%2F10&type=cidr')).json().items).toHaveLength(1);
    expect((await call(other, 'GET', '/observables?value=nonsense&type=ipv4')).json().code).toBe('VIG_OBSERVABLE_INVALID');
  });

  it('finds subdomains by suffix and lists only the incidents the caller may see', async () => {
    const open = await declare({ title: 'Lure domains' });
    const red = await declare({ tlp: 'RED', title: 'Insider exfiltration' });
    await call(handler, 'POST', `/incidents/${open.id}/observables`, {
      items: [{ type: 'domain', value: 'login.evil-corp.test' }, { type: 'domain', value: 'evil-corp.test' }, { type: 'domain', value: 'notevil-corp.test' }],
    });
    await call(handler, 'POST', `/incidents/${red.id}/observables`, { items: [{ type: 'domain', value: 'cdn.evil-corp.test' }, { type: 'domain', value: 'evil-corp.test' }] });
    const values = (r: { json(): { items: { value: string }[] } }) => r.json().items.map((o) => o.value).sort();
    expect(values(await call(handler, 'GET', '/observables?value=EVIL-corp.test&suffix=true'))).toEqual(['cdn.evil-corp.test', 'evil-corp.test', 'login.evil-corp.test']);
    expect(values(await call(handler, 'GET', '/observables?value=evil-corp.test'))).toEqual(['evil-corp.test']);
    // An observable only on a RED incident does not exist for an outsider; a shared one lists only what they may see.
    const theirs = (await call(other, 'GET', '/observables?value=evil-corp.test&suffix=true')).json().items;
    expect(theirs.map((o: { value: string }) => o.value).sort()).toEqual(['evil-corp.test', 'login.evil-corp.test']);
    expect(theirs.find((o: { value: string }) => o.value === 'evil-corp.test').incidents.map((i: { id: string }) => i.id)).toEqual([open.id]);
    const mine = (await call(handler, 'GET', '/observables?value=evil-corp.test')).json().items[0];
    expect(mine.incidents.map((i: { id: string }) => i.id)).toEqual([red.id, open.id]);
    // LIKE wildcards in the value are not wildcards.
    expect((await call(handler, 'GET', '/observables?value=%25.test&suffix=true')).json().code).toBe('VIG_OBSERVABLE_INVALID');
    expect((await call(handler, 'GET', '/observables?value=10.0.0.1&suffix=true')).json().code).toBe('VIG_OBSERVABLE_INVALID');
  });

  it('updates the IOC flag, TLP and tags, hides restricted observables from outsiders, and unlinks', async () => {
    const inc = await declare();
    await call(handler, 'POST', `/incidents/${inc.id}/observables`, { items: [{ type: 'email', value: 'ceo@spoofed.example' }] });
    const [o] = (await call(handler, 'GET', `/incidents/${inc.id}/observables`)).json().items;
    const upd = await call(handler, 'PATCH', `/incidents/${inc.id}/observables/${o.id}`, { ioc: true, tlp: 'RED', tags: ['bec', 'bec'] });
    expect(upd.json()).toMatchObject({ ioc: true, tlp: 'RED', tags: ['bec'] });
    expect((await call(other, 'GET', `/incidents/${inc.id}/observables`)).json().items).toEqual([]);
    expect((await call(manager, 'GET', `/incidents/${inc.id}/observables`)).json().items).toHaveLength(1);
    expect((await call(other, 'GET', '/observables?value=ceo@spoofed.example&type=email')).json().items).toEqual([]);
    const del = await call(handler, 'DELETE', `/incidents/${inc.id}/observables/${o.id}`);
    expect(del.statusCode).toBe(204);
    expect((await call(handler, 'DELETE', `/incidents/${inc.id}/observables/${o.id}`)).json().code).toBe('VIG_OBSERVABLE_NOT_FOUND');
  });
});
