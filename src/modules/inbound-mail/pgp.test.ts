import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import { reportRepo } from '../reports/repo.ts';
import { decrypt, keyLoader } from './pgp.ts';
import { deliver } from './testkit.ts';

interface Pair {
  priv: openpgp.PrivateKey;
  armoredPublic: string;
  armoredPrivate: string;
  id: string;
}

async function pair(name: string, passphrase?: string): Promise<Pair> {
  const k = await openpgp.generateKey({ type: 'curve25519', userIDs: [{ name, email: `${name.toLowerCase()}@example.org` }], format: 'armored', ...(passphrase ? { passphrase } : {}) });
  let priv = await openpgp.readPrivateKey({ armoredKey: k.privateKey });
  if (passphrase) priv = await openpgp.decryptKey({ privateKey: priv, passphrase });
  return { priv, armoredPublic: k.publicKey, armoredPrivate: k.privateKey, id: `0x${priv.getKeyID().toHex().toUpperCase()}` };
}

const head = (subject: string, contentType: string) =>
  ['From: Rita Reporter <rita@example.org>', 'To: csirt@example.org', `Subject: ${subject}`, `Message-ID: <pgp-${Math.random().toString(36).slice(2)}@example.org>`, 'MIME-Version: 1.0', `Content-Type: ${contentType}`, '', ''].join('\r\n');

const inner = (text: string) =>
  ['Content-Type: multipart/mixed; boundary="in"', '', '--in', 'Content-Type: text/plain; charset=utf-8', '', text, '--in',
    'Content-Type: text/plain; name="iocs.txt"', 'Content-Disposition: attachment; filename="iocs.txt"', '', '203.0.113.66', '--in--', ''].join('\r\n');

describe.each(stores())('PGP e-mail on %s', (store) => {
  let t: TestApp;
  let team: Pair;
  let rita: Pair;
  let stranger: Pair;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-pgp-'));
  beforeAll(async () => {
    [team, rita, stranger] = await Promise.all([pair('Team', 'team passphrase'), pair('Rita'), pair('Stranger')]);
    // The team's private key, then the public keys of reporters whose signatures it can check.
    const file = join(dir, 'team.asc');
    writeFileSync(file, `${team.armoredPrivate}\n${rita.armoredPublic}\n`);
    t = await makeApp(store, { VIGIL_PGP_KEY_FILE: file, VIGIL_PGP_PASSPHRASE: 'team passphrase' });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const encrypted = async (text: string, signer: Pair | null, to = team) => {
    const armored = await openpgp.encrypt({
      message: await openpgp.createMessage({ text: inner(text) }), encryptionKeys: (await openpgp.readKey({ armoredKey: to.armoredPublic })),
      ...(signer ? { signingKeys: signer.priv } : {}),
    });
    return Buffer.from(head('Encrypted report', 'multipart/encrypted; protocol="application/pgp-encrypted"; boundary="enc"') + [
      '--enc', 'Content-Type: application/pgp-encrypted', '', 'Version: 1', '',
      '--enc', 'Content-Type: application/octet-stream; name="encrypted.asc"', '', armored, '--enc--', ''].join('\r\n'));
  };
  const signed = async (text: string, signer: Pair, tamper = false) => {
    const part = inner(text).replace(/\r\n$/, '');
    const sig = await openpgp.sign({ message: await openpgp.createMessage({ binary: Buffer.from(part) }), signingKeys: signer.priv, detached: true });
    const sent = tamper ? part.replace(text, `${text} (changed)`) : part;
    return Buffer.from(head('Signed report', 'multipart/signed; micalg=pgp-sha512; protocol="application/pgp-signature"; boundary="sig"') + [
      '--sig', sent, '--sig', 'Content-Type: application/pgp-signature; name="signature.asc"', '', sig, '--sig--', ''].join('\r\n'));
  };
  const reportOf = async (r: Awaited<ReturnType<typeof deliver>>) => (await reportRepo.byId(t.db.db, r.outcome.reportId!))!;

  it('decrypts PGP/MIME, verifies the signature inside, and keeps the encrypted bytes raw', async () => {
    const raw = await encrypted('Secret: C2 server at 203.0.113.66', rita);
    const r = await deliver(t, raw);
    expect(r.state, r.error ?? '').toBe('parsed');
    const rep = await reportOf(r);
    expect(rep.body.split('\n')[0]).toBe(`[PGP: decrypted; signature valid, key ${rita.id}]`);
    expect(rep.body).toContain('Secret: C2 server at 203.0.113.66');
    expect(rep.title).toBe('Encrypted report');
    expect((await reportRepo.attachments(t.db.db, rep.id)).map((a) => a.filename)).toEqual(['iocs.txt']);
    const item = await t.db.db.selectFrom('intakeItem').select('content').where('id', '=', r.item.id).executeTakeFirstOrThrow();
    expect(Buffer.from(item.content).equals(raw)).toBe(true);
    expect(Buffer.from(item.content).toString()).not.toContain('203.0.113.66');
    const audit = await t.db.db.selectFrom('auditLog').selectAll().where('action', '=', 'intake.pgp_checked').where('entityId', '=', r.item.id).executeTakeFirstOrThrow();
    expect(audit.after).toMatchObject({ decrypted: true, signature: 'valid', signer: rita.id, reportId: rep.id });
  });

  it('says so when an encrypted message is not signed, or signed by a key it does not know', async () => {
    const plain = await reportOf(await deliver(t, await encrypted('unsigned', null)));
    expect(plain.body.split('\n')[0]).toBe('[PGP: decrypted; not signed]');
    const unknown = await reportOf(await deliver(t, await encrypted('from a stranger', stranger)));
    expect(unknown.body.split('\n')[0]).toBe(`[PGP: decrypted; signed by unknown key ${stranger.id}]`);
  });

  it('verifies multipart/signed over the exact signed bytes, and flags a changed message', async () => {
    const good = await reportOf(await deliver(t, await signed('Signed statement', rita)));
    expect(good.body.split('\n')[0]).toBe(`[PGP: signature valid, key ${rita.id}]`);
    expect(good.body).toContain('Signed statement');
    expect((await reportRepo.attachments(t.db.db, good.id)).map((a) => a.filename)).toEqual(['iocs.txt']);
    const bad = await reportOf(await deliver(t, await signed('Tampered statement', rita, true)));
    expect(bad.body.split('\n')[0]).toBe(`[PGP: signature INVALID, key ${rita.id}]`);
  });

  it('decrypts inline PGP and verifies clear-signed text', async () => {
    const armored = await openpgp.encrypt({ message: await openpgp.createMessage({ text: 'inline secret 198.51.100.23' }), encryptionKeys: team.priv.toPublic(), signingKeys: rita.priv });
    const r = await deliver(t, Buffer.from(head('Inline', 'text/plain; charset=us-ascii') + `Hello,\r\n\r\n${armored.replace(/\n/g, '\r\n')}\r\nBye\r\n`));
    const rep = await reportOf(r);
    expect(rep.body.split('\n')[0]).toBe(`[PGP: decrypted; signature valid, key ${rita.id}]`);
    expect(rep.body).toContain('inline secret 198.51.100.23');
    expect(rep.body).not.toContain('BEGIN PGP MESSAGE');
    const clear = await openpgp.sign({ message: await openpgp.createCleartextMessage({ text: 'clear-signed notice' }), signingKeys: rita.priv });
    const c = await reportOf(await deliver(t, Buffer.from(head('Clear', 'text/plain') + clear.replace(/\n/g, '\r\n'))));
    expect(c.body.split('\n')[0]).toBe(`[PGP: signature valid, key ${rita.id}]`);
    expect(c.body).toContain('clear-signed notice');
  });

  it('leaves a message it cannot decrypt in the unparsed queue with the reason', async () => {
    const r = await deliver(t, await encrypted('not for us', rita, stranger));
    expect(r.state).toBe('failed');
    expect(r.error).toMatch(/cannot decrypt the PGP message \(encrypted to 0x[0-9A-F]{16}/);
    const damaged = await deliver(t, Buffer.from(head('Damaged', 'text/plain') + '-----BEGIN PGP MESSAGE-----\r\n\r\nAAAA\r\n-----END PGP MESSAGE-----\r\n'));
    expect(damaged.state).toBe('failed');
    expect(damaged.error).toMatch(/PGP message is damaged/);
  });
});

describe('PGP without a team key', () => {
  it('fails an encrypted message with a reason instead of guessing', async () => {
    expect(await keyLoader(undefined, undefined)()).toBeNull();
    await expect(decrypt('-----BEGIN PGP MESSAGE-----\n\n-----END PGP MESSAGE-----', null)).rejects.toThrow(/no team key is configured \(VIGIL_PGP_KEY_FILE\)/);
  });

  it('names a key file it cannot use', async () => {
    await expect(keyLoader('/nonexistent/team.asc', undefined)()).rejects.toThrow(/cannot use the team PGP key \/nonexistent\/team.asc/);
  });
});
