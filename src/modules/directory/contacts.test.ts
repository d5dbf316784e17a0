import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, apiOf, auditCount, makeApp, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import { contactById } from './contacts.service.ts';

const FORENSICS = {
  kind: 'forensics', name: 'Incident Response Hotline', organisation: 'Acme DFIR GmbH', purpose: 'Disk and memory forensics under retainer',
  contractRef: 'Retainer RT-2026-118, 40 h/year', email: 'IR@acme-dfir.example', phone: '+49 30 555 0100', emergencyPhone: '+49 30 555 0199',
  hours: 'Mon–Fri 08:00–18:00; hotline 24/7', timeZone: 'Europe/Berlin', url: 'https://acme-dfir.example/ir', tlp: 'AMBER',
};

describe.each(stores())('the external contact directory on %s', (store) => {
  let t: TestApp;
  let admin: Session;
  let manager: Session;
  let handler: Session;
  let publicKey: string;
  let privateKey: string;
  const { call } = apiOf(() => t, () => admin);

  beforeAll(async () => {
    t = await makeApp(store);
    admin = await adminSession(t);
    manager = await userWith(t, ['manager']);
    handler = await userWith(t, ['handler']);
    const k = await openpgp.generateKey({ type: 'curve25519', userIDs: [{ name: 'Acme DFIR', email: 'ir@acme-dfir.example' }], format: 'armored' });
    publicKey = k.publicKey;
    privateKey = k.privateKey;
  });
  afterAll(() => t?.close());

  it('creates a contact with its PGP key, showing the key fingerprint, and audits it without the key', async () => {
    const before = await auditCount(t);
    const r = await call(manager, 'POST', '/contacts', { ...FORENSICS, pgpKey: publicKey });
    expect(r.statusCode).toBe(201);
    const c = r.json();
    const fingerprint = (await openpgp.readKey({ armoredKey: publicKey })).getFingerprint().toUpperCase();
    expect(c).toMatchObject({ ...FORENSICS, email: 'ir@acme-dfir.example', pgpFingerprint: fingerprint, active: true, version: 1 });
    expect(c.pgpKey).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    expect(await auditCount(t)).toBe(before + 1);
    const audit = (await call(admin, 'GET', `/audit?entity=external_contact&entityId=${c.id}`)).json().items[0];
    expect(audit).toMatchObject({ action: 'external_contact.created', after: { name: FORENSICS.name, pgpFingerprint: fingerprint } });
    expect(JSON.stringify(audit)).not.toContain('BEGIN PGP');
    expect((await contactById(t.db.db, c.id))?.name).toBe(FORENSICS.name);
  });

  it('refuses a malformed PGP key, a private key and plain text with a clear code, writing nothing', async () => {
    const before = await auditCount(t);
    // The key cut in half: the armour is intact, the packets inside are not.
    const lines = publicKey.trim().split('\n');
    const body = lines.slice(2, -2);
    const broken = [lines[0], '', ...body.slice(0, Math.floor(body.length / 2)), ...lines.slice(-2)].join('\n');
    for (const pgpKey of [broken, privateKey, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 me@host', '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----']) {
      const r = await call(admin, 'POST', '/contacts', { ...FORENSICS, name: 'Broken', pgpKey });
      expect(r.statusCode, pgpKey.slice(0, 40)).toBe(400);
      expect(r.json().code).toBe('VIG_CONTACT_PGP_KEY_INVALID');
      expect(r.json().errors[0].path).toBe('body.pgpKey');
    }
    expect(await auditCount(t)).toBe(before);
    expect((await call(admin, 'GET', '/contacts?q=Broken')).json().total).toBe(0);
  });

  it('needs a way to reach the contact, and validates time zones, URLs and e-mail addresses', async () => {
    const none = await call(admin, 'POST', '/contacts', { kind: 'vendor', name: 'Silent vendor' });
    expect(none.json().code).toBe('VIG_CONTACT_UNREACHABLE');
    const bad = await call(admin, 'POST', '/contacts', { kind: 'vendor', name: 'V', email: 'nope', timeZone: 'Middle/Earth', url: 'javascript:alert(1)' });
    expect(bad.json().code).toBe('VIG_REQUEST_INVALID');
    expect(bad.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.email', 'body.timeZone', 'body.url']);
    const kind = await call(admin, 'POST', '/contacts', { kind: 'psychic', name: 'V', email: 'v@example.org' });
    expect(kind.json().code).toBe('VIG_REQUEST_INVALID');
  });

  it('searches by text and filters by kind, hiding inactive contacts unless asked', async () => {
    const mk = (o: object) => call(admin, 'POST', '/contacts', { email: 'x@example.org', ...o }).then((r) => r.json());
    const police = await mk({ kind: 'law_enforcement', name: 'Cybercrime unit', organisation: 'LKA Berlin', purpose: 'Criminal complaints 100%_sure' });
    await mk({ kind: 'insurer', name: 'Claims desk', organisation: 'Cyber Mutual', purpose: 'Notify within 72 h' });
    const old = await mk({ kind: 'insurer', name: 'Old insurer', organisation: 'Gone Ltd', active: false });
    expect((await call(handler, 'GET', '/contacts?kind=insurer')).json().items.map((c: { name: string }) => c.name)).toEqual(['Claims desk']);
    expect((await call(handler, 'GET', '/contacts?kind=insurer&includeInactive=true')).json().total).toBe(2);
    expect((await call(handler, 'GET', '/contacts?q=lka')).json().items.map((c: { id: string }) => c.id)).toEqual([police.id]);
    expect((await call(handler, 'GET', `/contacts?q=${encodeURIComponent('100%_')}`)).json().items.map((c: { id: string }) => c.id)).toEqual([police.id]);
    expect((await call(handler, 'GET', `/contacts?q=${encodeURIComponent('%')}`)).json().items.map((c: { id: string }) => c.id)).toEqual([police.id]);
    expect((await call(handler, 'GET', `/contacts/${old.id}`)).json().active).toBe(false);
    // Contract references and e-mail addresses are searched too.
    expect((await call(handler, 'GET', '/contacts?q=rt-2026-118')).json().items.map((c: { name: string }) => c.name)).toEqual([FORENSICS.name]);
    expect((await call(handler, 'GET', '/contacts?q=claims&kind=law_enforcement')).json().total).toBe(0);
  });

  it('updates with the version read (409 when stale), and removes or replaces the key', async () => {
    const c = (await call(admin, 'POST', '/contacts', { ...FORENSICS, name: 'Versioned', pgpKey: publicKey })).json();
    const r = await call(manager, 'PATCH', `/contacts/${c.id}`, { version: 1, purpose: 'Forensics and malware analysis', pgpKey: null });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ version: 2, purpose: 'Forensics and malware analysis', pgpKey: null, pgpFingerprint: null, email: FORENSICS.email.toLowerCase() });
    const before = await auditCount(t);
    const stale = await call(manager, 'PATCH', `/contacts/${c.id}`, { version: 1, name: 'Lost update' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'VIG_CONTACT_VERSION_CONFLICT', currentVersion: 2 });
    const unreachable = await call(manager, 'PATCH', `/contacts/${c.id}`, { version: 2, email: '', phone: null, emergencyPhone: '' });
    expect(unreachable.json().code).toBe('VIG_CONTACT_UNREACHABLE');
    const badKey = await call(manager, 'PATCH', `/contacts/${c.id}`, { version: 2, pgpKey: 'garbage' });
    expect(badKey.json().code).toBe('VIG_CONTACT_PGP_KEY_INVALID');
    expect(await auditCount(t)).toBe(before);
    expect((await call(manager, 'GET', `/contacts/${c.id}`)).json().version).toBe(2);
  });

  it('lets handlers read but not change the directory, and deletes an unused contact', async () => {
    const c = (await call(admin, 'POST', '/contacts', { kind: 'other', name: 'Deletable', email: 'd@example.org' })).json();
    const before = await auditCount(t);
    expect((await call(handler, 'GET', `/contacts/${c.id}`)).statusCode).toBe(200);
    for (const [m, body] of [['POST', { kind: 'other', name: 'N', email: 'n@example.org' }], ['PATCH', { version: 1, name: 'N' }], ['DELETE', undefined]] as const) {
      const r = await call(handler, m, m === 'POST' ? '/contacts' : `/contacts/${c.id}`, body);
      expect(r.statusCode, m).toBe(403);
    }
    expect(await auditCount(t)).toBe(before);
    expect((await call(manager, 'DELETE', `/contacts/${c.id}`)).statusCode).toBe(204);
    expect((await call(manager, 'GET', `/contacts/${c.id}`)).json().code).toBe('VIG_CONTACT_NOT_FOUND');
    expect(await auditCount(t)).toBe(before + 1);
  });
});
