import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeApp, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import type { Config } from '../../config.ts';
import { systemClock } from '../../lib/actor.ts';
import { reportRepo } from '../reports/repo.ts';
import { startSmtpListener, type SmtpDeps, type SmtpListener } from './smtp.ts';
import { rawMail, settled } from './testkit.ts';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A self-signed certificate for STARTTLS, or why there is none (no openssl on this machine). */
function selfSigned(dir: string): { cert: string; key: string } | { missing: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=vigil.test'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return { missing: `openssl req failed: ${r.error?.message ?? r.stderr}` };
  return { cert, key };
}

const tmp = mkdtempSync(join(tmpdir(), 'vigil-smtp-tls-'));
const tls = selfSigned(tmp);

describe.each(stores())('SMTP intake listener on %s', (store) => {
  let t: TestApp;
  let handler: Session;
  const listeners: SmtpListener[] = [];
  beforeAll(async () => {
    t = await makeApp(store, { VIGIL_SMTP_ACCEPT: 'csirt@example.org, @cert.example' });
    handler = await userWith(t, ['handler']);
  });
  afterAll(async () => {
    for (const l of listeners) await l.close();
    await t?.close();
  });

  const listen = async (over: Partial<Config> = {}, deps: Partial<SmtpDeps> = {}, dataBudgetBytes?: number) => {
    const at = { port: 0, host: '127.0.0.1', ...(dataBudgetBytes ? { dataBudgetBytes } : {}) };
    const l = await startSmtpListener({ db: t.db.db, clock: systemClock, intake: t.services.intake, log: silent, ...deps }, { ...t.config, ...over }, at);
    listeners.push(l);
    return l;
  };
  const send = async (l: SmtpListener, raw: Buffer, envelope = { from: 'alice@example.org', to: ['csirt@example.org'] }, opts: object = {}) => {
    const transport = createTransport({ host: '127.0.0.1', port: l.port, secure: false, ignoreTLS: true, ...opts });
    try {
      return await transport.sendMail({ envelope, raw });
    } finally {
      transport.close();
    }
  };
  const failure = (p: Promise<unknown>) => p.then(() => null, (e: { responseCode?: number; response?: string }) => ({ code: e.responseCode, response: e.response }));
  const itemIdOf = (response: string) => /stored as ([0-9a-f-]{36})/.exec(response)![1]!;

  it('stores the message byte for byte before answering 250, then makes a report with its attachment', async () => {
    const l = await listen();
    const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 7)]);
    const raw = rawMail({ subject: 'Credential phishing at ACME', attachments: [{ filename: 'samples.zip', contentType: 'application/zip', content: zip }] });
    const info = await send(l, raw);
    expect(info.response).toMatch(/^250 .*stored as [0-9a-f-]{36}/);
    const item = await settled(t, itemIdOf(info.response));
    expect(Buffer.from(item.content).equals(raw)).toBe(true);
    expect(item).toMatchObject({ channel: 'email', contentType: 'message/rfc822', state: 'parsed', error: null });
    expect(item.envelope).toMatchObject({ transport: 'smtp', mailFrom: 'alice@example.org', rcptTo: ['csirt@example.org'], remoteAddress: '127.0.0.1', tls: false });
    expect(item.messageId).toMatch(/^<test-.*@example\.org>$/);
    const report = (await reportRepo.byId(t.db.db, item.reportId!))!;
    expect(report).toMatchObject({ channel: 'email', title: 'Credential phishing at ACME', reporterName: 'Alice Reporter', reporterEmail: 'alice@example.org', intakeItemId: item.id });
    expect(report.receivedAt.getTime()).toBe(item.receivedAt.getTime());
    const files = await reportRepo.attachments(t.db.db, report.id);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ filename: 'samples.zip', stored: true, messageId: null });
    expect(files[0]!.flags).toContain('archive');
    // The bytes the team downloads are the bytes that arrived.
    const r = await t.app.inject({ method: 'GET', url: `/api/v1/reports/${report.id}/raw`, headers: handler.headers });
    expect(r.statusCode).toBe(200);
    expect(r.rawPayload.equals(raw)).toBe(true);
  });

  it('announces SIZE and answers 552 to a message over the limit, storing nothing', async () => {
    const l = await listen({ VIGIL_SMTP_MAX_BYTES: 4096 });
    const before = await countItems();
    const big = failure(send(l, rawMail({ body: 'x'.repeat(10_000) })));
    expect(await big).toMatchObject({ code: 552 });
    expect(await countItems()).toBe(before);
    // Just under the limit is fine.
    expect((await send(l, rawMail({ body: 'y'.repeat(2000) }))).response).toMatch(/^250/);
  });

  it('answers 550 to a recipient it does not accept, and takes listed addresses and domains', async () => {
    const l = await listen();
    expect(await failure(send(l, rawMail(), { from: 'alice@example.org', to: ['someone@elsewhere.example'] }))).toMatchObject({ code: 550 });
    expect((await send(l, rawMail(), { from: 'alice@example.org', to: ['Abuse@CERT.example'] })).response).toMatch(/^250/);
    expect((await send(l, rawMail(), { from: 'alice@example.org', to: ['CSIRT@example.org'] })).response).toMatch(/^250/);
  });

  it('defers (451) a sender or a peer address over its hourly rate', async () => {
    await t.db.db.deleteFrom('intakeRate').where('key', 'like', 'smtp:%').execute();
    const l = await listen({ VIGIL_SMTP_RATE_PER_HOUR: 2 });
    const from = (a: string) => ({ from: a, to: ['csirt@example.org'] });
    expect((await send(l, rawMail(), from('flood@example.net'))).response).toMatch(/^250/);
    expect((await send(l, rawMail(), from('flood@example.net'))).response).toMatch(/^250/);
    const third = await failure(send(l, rawMail(), from('flood@example.net')));
    expect(third).toMatchObject({ code: 451 });
    expect(third!.response).toMatch(/try again later/);
    // The same peer with another sender address is over the per-address limit too.
    expect(await failure(send(l, rawMail(), from('other@example.net')))).toMatchObject({ code: 451 });
    // A new window (an hour on) lets both through again.
    const later = { now: () => new Date(Date.now() + 3_601_000) };
    const l2 = await listen({ VIGIL_SMTP_RATE_PER_HOUR: 2 }, { clock: later });
    expect((await send(l2, rawMail(), from('flood@example.net'))).response).toMatch(/^250/);
    await t.db.db.deleteFrom('intakeRate').where('key', 'like', 'smtp:%').execute();
  });

  it('answers 451 (and keeps nothing) when the message cannot be stored, so the sender retries', async () => {
    const broken = { ...t.services.intake, store: () => Promise.reject(new Error('disk full')) };
    const l = await listen({}, { intake: broken });
    const before = await countItems();
    expect(await failure(send(l, rawMail()))).toMatchObject({ code: 451 });
    expect(await countItems()).toBe(before);
  });

  it('parses at the next start what was acknowledged but not parsed (a crash after the 250)', async () => {
    // The parse never happens here, as if the process died right after answering 250.
    const l = await listen({}, { intake: { ...t.services.intake, parse: () => Promise.resolve({ state: 'failed' as const, error: null, outcome: {} }) } });
    const info = await send(l, rawMail({ subject: 'Acknowledged before a crash' }));
    const id = itemIdOf(info.response);
    expect((await t.db.db.selectFrom('intakeItem').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state).toBe('pending');
    expect(await t.services.intake.resume()).toBeGreaterThanOrEqual(1);
    const item = await settled(t, id);
    expect(item.state).toBe('parsed');
    expect((await reportRepo.byId(t.db.db, item.reportId!))!.title).toBe('Acknowledged before a crash');
  });

  it('survives clients that send garbage or drop the connection in the middle of DATA', async () => {
    const l = await listen();
    const before = await countItems();
    const talk = (lines: string[]) => new Promise<void>((resolve) => {
      const sock = connect(l.port, '127.0.0.1');
      sock.on('error', () => resolve());
      sock.on('close', () => resolve());
      sock.once('data', () => {
        for (const line of lines) sock.write(line);
        setTimeout(() => sock.destroy(), 150);
      });
    });
    await talk(['\x00\xff\xfe garbage\r\n', 'HELO\r\n', `MAIL FROM:<${'a'.repeat(20_000)}>\r\n`]);
    await talk(['EHLO x\r\n', 'MAIL FROM:<a@example.org>\r\n', 'RCPT TO:<csirt@example.org>\r\n', 'DATA\r\n', 'Subject: cut\r\n\r\nhalf a messa']);
    expect(await countItems()).toBe(before);
    // And it still takes mail.
    expect((await send(l, rawMail())).response).toMatch(/^250/);
  });

  it('defers (452) a message while others fill the memory budget, and takes it afterwards', async () => {
    const l = await listen({}, {}, 3000);
    // A slow sender holds 2,000 bytes in the middle of its DATA…
    const slow = connect(l.port, '127.0.0.1');
    const replies: string[] = [];
    slow.on('data', (b: Buffer) => replies.push(b.toString()));
    const wait = (re: RegExp) => vi.waitFor(() => expect(replies.join('')).toMatch(re), { timeout: 5000 });
    await wait(/^220 /);
    slow.write('EHLO slow\r\nMAIL FROM:<slow@example.org>\r\nRCPT TO:<csirt@example.org>\r\nDATA\r\n');
    await wait(/354 /);
    slow.write(`Subject: slow\r\n\r\n${'s'.repeat(2000)}\r\n`);
    await new Promise((r) => setTimeout(r, 200));
    // …so another 2,000-byte message does not fit now.
    expect(await failure(send(l, rawMail({ body: 'f'.repeat(2000) })))).toMatchObject({ code: 452 });
    slow.write('.\r\nQUIT\r\n');
    await wait(/250 .*stored as/);
    slow.destroy();
    expect((await send(l, rawMail({ body: 'f'.repeat(2000) }))).response).toMatch(/^250/);
    // A client that drops its connection in the middle of DATA gives its bytes back too.
    const dropped = connect(l.port, '127.0.0.1');
    dropped.once('data', () => {
      dropped.write(`EHLO gone\r\nMAIL FROM:<gone@example.org>\r\nRCPT TO:<csirt@example.org>\r\nDATA\r\nSubject: gone\r\n\r\n${'g'.repeat(2000)}\r\n`);
      setTimeout(() => dropped.destroy(), 200);
    });
    await new Promise((r) => dropped.once('close', r));
    await new Promise((r) => setTimeout(r, 100));
    expect((await send(l, rawMail({ body: 'h'.repeat(2000) }))).response).toMatch(/^250/);
  });

  it('offers no STARTTLS without a certificate', async () => {
    const l = await listen();
    const r = await failure(send(l, rawMail(), undefined, { ignoreTLS: false, requireTLS: true }));
    expect(r).not.toBeNull();
  });

  it.skipIf('missing' in tls)(`accepts mail over STARTTLS with the configured certificate${'missing' in tls ? ` (skipped: ${tls.missing})` : ''}`, async () => {
    const pem = tls as { cert: string; key: string };
    const l = await listen({ VIGIL_SMTP_TLS_CERT: pem.cert, VIGIL_SMTP_TLS_KEY: pem.key });
    const info = await send(l, rawMail({ subject: 'Over TLS' }), undefined, { ignoreTLS: false, requireTLS: true, tls: { rejectUnauthorized: false } });
    const item = await settled(t, itemIdOf(info.response));
    expect(item.envelope).toMatchObject({ tls: true });
    expect(item.state).toBe('parsed');
  });

  async function countItems() {
    const r = await t.db.db.selectFrom('intakeItem').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));
