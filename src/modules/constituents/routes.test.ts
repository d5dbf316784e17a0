import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, apiOf, auditCount, makeApp, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';

describe.each(stores())('constituents API on %s', (store) => {
  let t: TestApp;
  let admin: Session;
  let viewer: Session;
  const { call } = apiOf(() => t, () => admin);
  let publicKey: string;
  let privateKey: string;

  beforeAll(async () => {
    t = await makeApp(store);
    admin = await adminSession(t);
    viewer = await userWith(t, ['viewer']);
    const k = await openpgp.generateKey({ type: 'curve25519', userIDs: [{ name: 'SOC', email: 'soc@acme.example' }], format: 'armored' });
    publicKey = k.publicKey;
    privateKey = k.privateKey;
  });
  afterAll(() => t?.close());

  it('creates a constituent with everything it owns, canonical and audited', async () => {
    const before = await auditCount(t);
    const r = await call(admin, 'POST', '/constituents', {
      name: 'ACME Corp', sector: 'Energy', criticality: 'high', notes: 'Grid operator',
      netblocks: ['192.0.2.0/24', '2001:DB8::/32'], asns: ['AS64500', 64501], domains: ['Acme.Example.'], emailDomains: ['acme-mail.example'],
      contacts: [{ kind: 'security', name: 'SOC', email: 'soc@acme.example', phone: '+31 20 555 0100', pgpKey: publicKey, language: 'en', hours: '24/7' }],
      agreements: [{ kind: 'sla', reference: 'SLA-7', startsOn: '2026-01-01', endsOn: '2027-01-01' }],
    });
    expect(r.statusCode, r.body).toBe(201);
    const c = r.json();
    expect(c).toMatchObject({
      name: 'ACME Corp', criticality: 'high', version: 1, netblocks: ['192.0.2.0/24', '2001:db8::/32'], asns: [64500, 64501], domains: ['acme.example'],
      emailDomains: ['acme-mail.example'], agreements: [{ kind: 'sla', reference: 'SLA-7', startsOn: '2026-01-01', endsOn: '2027-01-01' }], warnings: [],
    });
    expect(c.contacts[0].pgpFingerprint).toMatch(/^[0-9A-F]{40,64}$/);
    expect(await auditCount(t)).toBe(before + 1);
    const audit = await t.db.db.selectFrom('auditLog').select(['action', 'after']).orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(audit.action).toBe('constituent.created');
    expect(JSON.stringify(audit.after)).not.toContain('BEGIN PGP');
  });

  it('refuses a netblock with host bits set, naming the network', async () => {
    const r = await call(admin, 'POST', '/constituents', { name: 'Bad', netblocks: ['10.1.2.3/8'] });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ code: 'VIG_CONSTITUENT_CIDR_INVALID', value: '10.1.2.3/8', network: '10.0.0.0/8' });
  });

  it('refuses a malformed or private PGP key with a clear code, writing nothing', async () => {
    const before = await auditCount(t);
    for (const key of ['-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot a key\n-----END PGP PUBLIC KEY BLOCK-----', privateKey]) {
      const r = await call(admin, 'POST', '/constituents', { name: 'Keyed', contacts: [{ kind: 'abuse', email: 'a@b.example', pgpKey: key }] });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ code: 'VIG_CONSTITUENT_PGP_KEY_INVALID', field: 'contacts.0.pgpKey' });
    }
    expect(await auditCount(t)).toBe(before);
  });

  it('refuses an exact netblock, domain or ASN of another constituent, naming the owner (409)', async () => {
    for (const body of [{ netblocks: ['192.0.2.0/24'] }, { domains: ['ACME.example'] }, { asns: [64500] }]) {
      const r = await call(admin, 'POST', '/constituents', { name: 'Copycat', ...body });
      expect(r.statusCode, JSON.stringify(body)).toBe(409);
      expect(r.json()).toMatchObject({ code: 'VIG_CONSTITUENT_ROUTE_TAKEN', owner: { name: 'ACME Corp' } });
    }
  });

  it('accepts a nested netblock of another constituent with a warning on both sides', async () => {
    const r = await call(admin, 'POST', '/constituents', { name: 'ACME Labs', criticality: 'critical', netblocks: ['192.0.2.128/25'], domains: ['labs.acme.example'] });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().warnings).toEqual([{ netblock: '192.0.2.128/25', other: '192.0.2.0/24', ownerId: expect.any(String), ownerName: 'ACME Corp' }]);
    const list = (await call(viewer, 'GET', '/constituents?q=acme')).json();
    const acme = list.find((c: { name: string }) => c.name === 'ACME Corp');
    expect((await call(viewer, 'GET', `/constituents/${acme.id}`)).json().warnings[0]).toMatchObject({ netblock: '192.0.2.0/24', other: '192.0.2.128/25', ownerName: 'ACME Labs' });
  });

  it('routes addresses, domains, e-mail addresses and ASNs, saying which rule matched', async () => {
    const route = async (q: string) => (await call(viewer, 'GET', `/constituents/route?${q}`)).json().match;
    expect(await route('address=192.0.2.200')).toMatchObject({ constituent: { name: 'ACME Labs', criticality: 'critical' }, rule: 'netblock', matched: '192.0.2.128/25' });
    expect(await route('address=192.0.2.1')).toMatchObject({ constituent: { name: 'ACME Corp' }, matched: '192.0.2.0/24' });
    expect(await route('address=2001:db8:5::1')).toMatchObject({ constituent: { name: 'ACME Corp' }, matched: '2001:db8::/32' });
    expect(await route('domain=www.labs.acme.example')).toMatchObject({ constituent: { name: 'ACME Labs' }, rule: 'domain', matched: 'labs.acme.example' });
    expect(await route('email=jane%40acme-mail.example')).toMatchObject({ constituent: { name: 'ACME Corp' }, rule: 'email_domain' });
    expect(await route('email=jane%40shop.acme.example')).toMatchObject({ constituent: { name: 'ACME Corp' }, rule: 'domain' });
    expect(await route('asn=AS64501')).toMatchObject({ constituent: { name: 'ACME Corp' }, rule: 'asn', matched: 'AS64501' });
    expect(await route('address=198.51.100.1')).toBeNull();
    const bad = await call(viewer, 'GET', '/constituents/route?address=999.1.1.1');
    expect(bad.json()).toMatchObject({ code: 'VIG_CONSTITUENT_ROUTE_QUERY_INVALID' });
    expect((await call(viewer, 'GET', '/constituents/route?address=1.2.3.4&domain=x.org')).json().code).toBe('VIG_REQUEST_INVALID');
  });

  it('replaces a constituent by version: 409 on a stale one, and only managers may', async () => {
    const id = (await call(viewer, 'GET', '/constituents?q=Labs')).json()[0].id;
    const body = { name: 'ACME Labs', criticality: 'critical', netblocks: ['192.0.2.128/26'], domains: ['labs.acme.example'], version: 1 };
    expect((await call(viewer, 'PUT', `/constituents/${id}`, body)).json().code).toBe('VIG_AUTHZ_FORBIDDEN');
    const ok = await call(admin, 'PUT', `/constituents/${id}`, body);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ version: 2, netblocks: ['192.0.2.128/26'] });
    const stale = await call(admin, 'PUT', `/constituents/${id}`, body);
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'VIG_CONSTITUENT_VERSION_CONFLICT', currentVersion: 2 });
    expect((await call(admin, 'PUT', `/constituents/${id}`, { ...body, parentId: id, version: 2 })).json().code).toBe('VIG_CONSTITUENT_PARENT_INVALID');
  });

  it('exports CSV with the formula guard and imports it back all or nothing', async () => {
    await call(admin, 'POST', '/constituents', { name: '=cmd()', notes: '+danger', netblocks: ['198.51.100.0/24'] });
    const exp = await call(viewer, 'GET', '/constituents/export');
    expect(exp.headers['content-type']).toMatch(/^text\/csv/);
    expect(exp.body.split('\r\n')[0]).toBe('name,parent,sector,criticality,netblocks,asns,domains,email_domains,security_email,abuse_email,notes');
    expect(exp.body).toContain(`"'=cmd()"`);
    expect(exp.body).toContain(`"'+danger"`);

    const before = await auditCount(t);
    const bad = await call(admin, 'POST', '/constituents/import', {
      csv: 'name,criticality,netblocks,domains\nGood One,low,203.0.113.0/24,good.example\nBad CIDR,low,203.0.113.9/24,\n"Quoted, Inc",urgent,,\nThief,low,,acme.example\n',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VIG_CONSTITUENT_IMPORT_INVALID', errors: [
      { row: 3, column: 'netblocks', message: 'host bits are set: the network is 203.0.113.0/24' },
      { row: 4, column: 'criticality' },
    ] });
    const stolen = await call(admin, 'POST', '/constituents/import', { csv: 'name,domains\nGood One,good.example\nThief,acme.example\n' });
    expect(stolen.json()).toMatchObject({ code: 'VIG_CONSTITUENT_IMPORT_INVALID', errors: [{ row: 3, column: 'domains', message: 'acme.example belongs to ACME Corp' }] });
    expect(await auditCount(t)).toBe(before);
    expect((await call(viewer, 'GET', '/constituents?q=Good')).json()).toEqual([]);

    const ok = await call(admin, 'POST', '/constituents/import', { csv: exp.body.replace('\r\n', '\r\nGood One,ACME Corp,Health,low,203.0.113.0/24,,good.example,,,abuse@good.example,\r\n') });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ created: 1, updated: 3 });
    const good = (await call(viewer, 'GET', '/constituents?q=Good')).json()[0];
    expect(good).toMatchObject({ parentName: 'ACME Corp', sector: 'Health' });
    const round = (await call(viewer, 'GET', '/constituents?q=cmd')).json()[0];
    expect(round).toMatchObject({ name: '=cmd()', notes: '+danger' });
    // Contacts and agreements survive an import.
    const acme = (await call(viewer, 'GET', '/constituents?q=ACME%20Corp')).json()[0];
    const full = (await call(viewer, 'GET', `/constituents/${acme.id}`)).json();
    expect(full.contacts).toHaveLength(1);
    expect(full.agreements).toHaveLength(1);
    expect((await call(viewer, 'GET', '/constituents/route?address=203.0.113.5')).json().match.constituent.name).toBe('Good One');
  });

  it('deletes by version; its units lose their parent', async () => {
    const acme = (await call(viewer, 'GET', '/constituents?q=ACME%20Corp')).json()[0];
    expect((await call(admin, 'DELETE', `/constituents/${acme.id}?version=${acme.version + 5}`)).statusCode).toBe(409);
    expect((await call(admin, 'DELETE', `/constituents/${acme.id}?version=${acme.version}`)).statusCode).toBe(204);
    expect((await call(viewer, 'GET', `/constituents/${acme.id}`)).json().code).toBe('VIG_CONSTITUENT_NOT_FOUND');
    expect((await call(viewer, 'GET', '/constituents?q=Good')).json()[0].parentId).toBeNull();
  });
});
