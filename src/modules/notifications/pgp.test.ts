import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stores } from '../../../test/db.ts';
import { escapeHtml, escapeMattermost, escapeSlack } from './format.ts';
import { render, templateIssues } from './render.ts';
import { notifyTest, type NotifyTest } from './testkit.ts';

describe('templates and escaping', () => {
  it('renders values as plain text that cannot add placeholders or header lines', () => {
    const out = render({ subject: '[{{incidentReference}}] {{incidentTitle}}', body: 'By {{actor}}\n{{link}}' }, { incidentReference: 'C-1', incidentTitle: 'a\r\nBcc: evil@x {{teamName}}', actor: 'x\u0000y', link: '' });
    expect(out.subject).toBe('[C-1] a Bcc: evil@x { {teamName}}');
    expect(out.body).toBe('By xy\n');
  });
  it('refuses unknown variables and unclosed placeholders per event kind', () => {
    expect(templateIssues('test', { subject: '{{channel}}', body: '{{actor}}' })).toEqual([]);
    expect(templateIssues('test', { subject: '{{incidentReference}}', body: 'x' })[0]!.message).toContain('unknown variable {{incidentReference}}');
    expect(templateIssues('test', { subject: 'x', body: '{{actor' })).toHaveLength(1);
  });
  it('escapes for each channel', () => {
    expect(escapeHtml(`<a href="x">'&`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;');
    expect(escapeSlack('<!here> <@U1> & <http://x|y>')).toBe('&lt;!here&gt; &lt;@U1&gt; &amp; &lt;http://x|y&gt;');
    expect(escapeMattermost('@channel **b** [l](http://x)')).toBe('@\u2060channel \\*\\*b\\*\\* \\[l\\]\\(http://x\\)');
  });
});

describe.each(stores())('PGP-signed notification e-mail on %s', (store) => {
  let n: NotifyTest;
  let dir: string;
  let pub: openpgp.PublicKey;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-notify-pgp-'));
    const k = await openpgp.generateKey({ type: 'curve25519', userIDs: [{ name: 'CERT Test', email: 'cert@cert.test' }], format: 'armored', passphrase: 'team passphrase' });
    writeFileSync(join(dir, 'team.asc'), k.privateKey);
    pub = await openpgp.readKey({ armoredKey: k.publicKey });
    n = await notifyTest(store, { VIGIL_PGP_KEY_FILE: join(dir, 'team.asc'), VIGIL_PGP_PASSPHRASE: 'team passphrase' });
  });
  afterAll(async () => {
    await n?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs each message as PGP/MIME with the team key, and the signature verifies', async () => {
    await n.t.db.db.transaction().execute((tx) =>
      n.t.services.notificationOutbox.enqueue(tx, {
        event: 'test', dedupeKey: 'pgp-1', vars: { actor: 'Zoë', channel: 'e-mail' }, recipients: [{ email: 'duty@partner.example' }],
      }));
    expect(await n.worker.runOnce()).toMatchObject({ sent: 1 });
    const msg = n.sink.messages.find((m) => m.to.includes('duty@partner.example'))!;
    const raw = msg.raw.toString('binary');
    const ct = msg.parsed.headers.get('content-type') as { value: string; params: Record<string, string> };
    expect(ct.value).toBe('multipart/signed');
    expect(ct.params.protocol).toBe('application/pgp-signature');
    expect(ct.params.micalg).toMatch(/^pgp-sha(256|512)$/);
    expect(msg.parsed.subject).toBe('Vigil test notification from CSIRT');

    // RFC 3156: the first part, exactly as sent between the boundaries, is what was signed.
    const boundary = ct.params.boundary!;
    const parts = raw.split(`--${boundary}`);
    const signed = parts[1]!.replace(/^\r\n/, '').replace(/\r\n$/, '');
    const signature = parts[2]!.split('\r\n\r\n').slice(1).join('\r\n\r\n').trim();
    expect(signature).toMatch(/^-----BEGIN PGP SIGNATURE-----/);
    const verify = async (data: string) => {
      const r = await openpgp.verify({
        message: await openpgp.createMessage({ binary: Buffer.from(data, 'binary') }),
        signature: await openpgp.readSignature({ armoredSignature: signature }), verificationKeys: pub,
      });
      return r.signatures[0]!.verified.then(() => true, () => false);
    };
    expect(await verify(signed)).toBe(true);
    // A changed body does not verify.
    expect(await verify(signed.replace('Zo', 'Xo'))).toBe(false);
    expect(Buffer.from(signed, 'binary').toString('utf8')).toContain('quoted-printable');
  });
});
