import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stores, type Store } from './db.ts';
import { serve, serverStore, tempDir, vigil } from './process.ts';
import { startSmtpSink } from './smtp-sink.ts';

/**
 * Issue 16, part 6: each new audit anchor mailed to an address outside the team
 * (VIGIL_AUDIT_ANCHOR_MAIL_TO). A real `vigil serve` writes its first anchor at start and its
 * delivery worker hands the mail to a real SMTP sink; the anchor that arrives as an attachment
 * verifies the chain with `vigil audit verify --anchor FILE`, and fails once altered.
 */
describe.each(stores())('audit anchors mailed out of the team on %s (real processes)', (store: Store) => {
  const cleanups: (() => unknown)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('mails the anchor written at start, as an attachment that verifies the chain', { timeout: 120_000 }, async () => {
    const sink = await startSmtpSink();
    cleanups.push(() => sink.close());
    const st = await serverStore(store, cleanups, 'vigil-anchor-mail-');
    const env = {
      ...st.env, VIGIL_ADMIN_PASSWORD: 'Anchor-Mail-Admin-Pass-1', LOG_LEVEL: 'warn', VIGIL_SMTP_RELAY_URL: sink.url,
      VIGIL_MAIL_FROM: 'CERT Test <cert@cert.test>', VIGIL_AUDIT_ANCHOR_MAIL_TO: 'audit-archive@other-team.example', VIGIL_NOTIFICATION_POLL_MS: '200',
    };
    const server = await serve(env);
    cleanups.push(() => server.stop('SIGKILL'));
    const [msg] = await sink.waitFor(1, 60_000);
    expect(await server.stop('SIGTERM')).toBe(0);

    expect(msg!.to).toEqual(['audit-archive@other-team.example']);
    const mail = msg!.parsed;
    expect(mail.subject).toMatch(/^Vigil audit anchor: record \d+, \d{4}-\d\d-\d\dT/);
    expect(mail.text).toContain('vigil audit verify --anchor audit-anchor-');
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.attachments).toHaveLength(1);
    const att = mail.attachments[0]!;
    expect(att.filename).toMatch(/^audit-anchor-\d{8}T\d{6}Z-seq\d+\.json$/);
    expect(att.contentType).toBe('application/json');
    const anchor = JSON.parse(att.content.toString('utf8'));
    expect(anchor).toMatchObject({ format: 'vigil-audit-anchor', version: 1 });
    // The very file the server wrote, byte for byte.
    const written = join(st.env.VIGIL_DATA_DIR!, 'anchors', att.filename!);
    expect(att.content.equals(readFileSync(written))).toBe(true);

    // What arrived verifies the chain, as the mail says to check it.
    const dir = tempDir('vigil-anchor-received-');
    const file = join(dir, att.filename!);
    writeFileSync(file, att.content);
    const ok = vigil(['audit', 'verify', '--anchor', file], st.env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/Anchor valid: record \d+ still has the hash anchored/);
    // Against the public key the mail names, too.
    const key = /--public-key (\S+)/.exec(mail.text ?? '')![1]!;
    expect(key).toBe(anchor.publicKey);
    expect(vigil(['audit', 'verify', '--anchor', file, '--public-key', key], st.env).code).toBe(0);
    // An altered copy fails its signature.
    writeFileSync(file, JSON.stringify({ ...anchor, seq: anchor.seq + 1 }));
    expect(vigil(['audit', 'verify', '--anchor', file], st.env).code).toBe(1);
  });
});
