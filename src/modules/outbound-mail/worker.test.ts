import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCount, userWith } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import { deliveryRepo } from '../delivery/repo.ts';
import { mailRepo } from './repo.ts';
import { mailTest, type MailTest } from './testkit.ts';

describe.each(stores())('the mail worker on %s', (store) => {
  let m: MailTest;
  beforeAll(async () => {
    m = await mailTest(store);
  });
  afterAll(() => m?.close());

  const deliveryOf = async (reportId: string) => {
    const msg = await m.t.db.db.selectFrom('mailDelivery').selectAll().where('reportId', '=', reportId).where('kind', '=', 'receipt').executeTakeFirstOrThrow();
    return { ...msg, ...(await deliveryRepo.findById(m.t.db.db, msg.id))! };
  };
  const attemptsOf = async (reportId: string) => mailRepo.attempts(m.t.db.db, (await deliveryOf(reportId)).id);
  const MIN = 60_000;

  it('retries while the relay is down, 1 min then 2, logging each attempt, then delivers once', async () => {
    await m.sink.down();
    // Intake does not wait for the relay: the report is stored, the receipt queued.
    const r = await m.receive({ reporterEmail: 'jack@example.org', title: 'Relay down' });
    expect(await m.worker.runOnce()).toMatchObject({ claimed: 1, deferred: 1 });
    let d = await deliveryOf(r.id);
    expect(d).toMatchObject({ status: 'queued', attempts: 1 });
    expect(d.lastError).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/);
    expect(d.nextAttemptAt.getTime() - m.clock.now().getTime()).toBe(MIN);

    // Not due yet: nothing happens.
    expect((await m.worker.runOnce()).claimed).toBe(0);
    m.clock.advance(MIN);
    expect(await m.worker.runOnce()).toMatchObject({ claimed: 1, deferred: 1 });
    d = await deliveryOf(r.id);
    expect(d.nextAttemptAt.getTime() - m.clock.now().getTime()).toBe(2 * MIN);

    // The relay answers "try later" (4xx): another deferral, with its reply logged.
    await m.sink.up();
    m.sink.failWith(451, 'Greylisted, try again later');
    m.clock.advance(2 * MIN);
    expect(await m.worker.runOnce()).toMatchObject({ claimed: 1, deferred: 1 });
    d = await deliveryOf(r.id);
    expect(d).toMatchObject({ status: 'queued', attempts: 3 });
    expect(d.lastError).toMatch(/^451 .*Greylisted/);

    m.sink.failWith(null);
    m.clock.advance(4 * MIN);
    expect(await m.worker.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    m.clock.advance(60 * MIN);
    expect((await m.worker.runOnce()).claimed).toBe(0);
    expect(m.to('jack@example.org')).toHaveLength(1);
    expect(await deliveryOf(r.id)).toMatchObject({ status: 'sent', attempts: 4, lastError: null });
    expect((await attemptsOf(r.id)).map((a) => `${a.outcome}:${a.smtpCode ?? '-'}`)).toEqual(['deferred:-', 'deferred:-', 'deferred:451', 'sent:250']);
  });

  it('gives up at once on a 5xx refusal, and after the last attempt otherwise', async () => {
    m.sink.failWith(550, 'No such user here');
    const refused = await m.receive({ reporterEmail: 'kim@example.org', title: 'Refused' });
    await m.worker.runOnce();
    expect(await deliveryOf(refused.id)).toMatchObject({ status: 'failed', attempts: 1 });
    expect((await deliveryOf(refused.id)).lastError).toMatch(/^550 /);
    m.sink.failWith(null);

    await m.sink.down();
    const w = m.newWorker({ maxAttempts: 3 });
    const lost = await m.receive({ reporterEmail: 'lea@example.org', title: 'Lost' });
    for (let i = 0; i < 3; i++) {
      expect((await w.runOnce()).claimed).toBe(1);
      m.clock.advance(60 * MIN);
    }
    expect(await w.runOnce()).toMatchObject({ claimed: 0 });
    expect(await deliveryOf(lost.id)).toMatchObject({ status: 'failed', attempts: 3 });
    expect((await attemptsOf(lost.id)).map((a) => a.outcome)).toEqual(['deferred', 'deferred', 'failed']);
    await m.sink.up();
  });

  it('sends again a delivery whose sender died while sending, once its lease has run out', async () => {
    const r = await m.receive({ reporterEmail: 'max@example.org', title: 'Crash in the middle' });
    // A sender claims it and dies before recording anything.
    const claimed = await deliveryRepo.claimDue(m.t.db.db, m.clock.now(), new Date(m.clock.now().getTime() + 5 * MIN), 50);
    expect(claimed.map((c) => c.id)).toContain((await deliveryOf(r.id)).id);
    expect(await deliveryOf(r.id)).toMatchObject({ status: 'sending', attempts: 1 });
    expect((await m.worker.runOnce()).claimed).toBe(0);
    m.clock.advance(5 * MIN);
    expect(await m.worker.runOnce()).toMatchObject({ sent: 1 });
    expect(m.to('max@example.org')).toHaveLength(1);
    expect(await deliveryOf(r.id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect((await attemptsOf(r.id)).map((a) => a.outcome)).toEqual(['abandoned', 'sent']);
    // The dead sender's late outcome changes nothing.
    expect(await deliveryRepo.settle(m.t.db.db, claimed[0]!.id, 1, { status: 'queued', nextAttemptAt: m.clock.now(), lastError: 'late', sentAt: null })).toBe(false);
  });

  it('never sends a delivery twice when several workers run at once', async () => {
    const made = [];
    for (let i = 0; i < 12; i++) made.push(await m.receive({ reporterEmail: `many${i}@example.org`, title: `Burst ${i}` }));
    // Small batches, so the workers' claims interleave.
    const workers = [m.newWorker({ batch: 2 }), m.newWorker({ batch: 2 }), m.newWorker({ batch: 2 })];
    const claimed = await Promise.all(workers.map(async (w) => {
      let n = 0;
      for (let r = await w.runOnce(); r.claimed > 0; r = await w.runOnce()) n += r.claimed;
      return n;
    }));
    expect(claimed.reduce((a, b) => a + b, 0)).toBe(12);
    for (let i = 0; i < 12; i++) expect(m.to(`many${i}@example.org`), `many${i}`).toHaveLength(1);
  });

  it('keeps intake and incident work going while the relay hangs', async () => {
    // A relay that accepts the connection and never says a word.
    const sockets: Socket[] = [];
    const hole = createServer((sock) => void sockets.push(sock));
    await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve));
    const w = m.newWorker({ relayUrl: `smtp://127.0.0.1:${(hole.address() as AddressInfo).port}`, smtpTimeoutMs: 8000 });
    try {
      const first = await m.receive({ reporterEmail: 'olga@example.org', title: 'Before the hang' });
      let done = false;
      const round = w.runOnce().finally(() => void (done = true));
      while (sockets.length === 0) await new Promise((r) => setTimeout(r, 20));
      // The worker now waits for the relay's greeting; reports and incidents do not wait for it.
      const second = await m.receive({ reporterEmail: 'pia@example.org', title: 'During the hang' });
      const inc = await m.t.services.incidents.declare(
        { userId: null, username: 'cli', roles: ['handler'], via: 'cli', ip: null, requestId: null },
        { title: 'Work goes on', impact: 'low', urgency: 'low', classifications: [{ class: 'test', type: 'test' }] },
      );
      expect(inc.reference).toBeTruthy();
      expect(done).toBe(false);
      expect(await round).toMatchObject({ claimed: 1, deferred: 1 });
      expect((await deliveryOf(first.id)).lastError).toMatch(/time/i);
      expect(await deliveryOf(second.id)).toMatchObject({ status: 'queued', attempts: 0 });
      m.clock.advance(MIN);
      expect(await m.worker.runOnce()).toMatchObject({ sent: 2 });
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => hole.close(r));
    }
  });

  it('neutralises header injection through a report title', async () => {
    const r = await m.receive({ reporterEmail: 'nina@example.org', title: 'Invoice\r\nBcc: victim@example.org\r\nX-Evil: 1' });
    await m.worker.runOnce();
    const got = m.to('nina@example.org');
    expect(got).toHaveLength(1);
    expect(got[0]!.to).toEqual(['nina@example.org']);
    expect(m.sink.messages.some((x) => x.to.includes('victim@example.org'))).toBe(false);
    const mail = got[0]!.parsed;
    expect(mail.subject).toBe(`[${r.reference}] We received your report: Invoice Bcc: victim@example.org X-Evil: 1`);
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.headers.has('x-evil')).toBe(false);
    const head = got[0]!.raw.toString('utf8').split(/\r?\n\r?\n/)[0]!;
    expect(head).not.toMatch(/^(Bcc|X-Evil):/im);
  });

  it('lists deliveries to admins by status, page by page, and retries a failed one', async () => {
    const admin = await userWith(m.t, ['admin']);
    const handler = await userWith(m.t, ['handler']);
    const call = (who: typeof admin, method: 'GET' | 'POST', url: string) => m.t.app.inject({ method, url: `/api/v1${url}`, headers: who.headers });
    expect((await call(handler, 'GET', '/mail/deliveries')).statusCode).toBe(403);

    const all = (await call(admin, 'GET', '/mail/deliveries?limit=200')).json();
    expect(all.relayConfigured).toBe(true);
    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await call(admin, 'GET', `/mail/deliveries?limit=5${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json();
      pages.push(...page.items.map((x: { id: string }) => x.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages).toEqual(all.items.map((x: { id: string }) => x.id));
    expect(new Set(pages).size).toBe(pages.length);
    expect((await call(admin, 'GET', '/mail/deliveries?cursor=bogus')).json().code).toBe('VIG_CURSOR_INVALID');

    const failed = (await call(admin, 'GET', '/mail/deliveries?status=failed')).json().items;
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(failed.every((x: { status: string }) => x.status === 'failed')).toBe(true);
    const kim = failed.find((x: { recipient: string }) => x.recipient === 'kim@example.org');
    expect(kim).toMatchObject({ kind: 'receipt', attempts: 1, reportReference: expect.stringMatching(/-R-/) });
    expect(kim.body).toBeUndefined();

    const detail = (await call(admin, 'GET', `/mail/deliveries/${kim.id}`)).json();
    expect(detail.body).toContain(kim.reportReference);
    expect(detail.attemptLog).toEqual([expect.objectContaining({ outcome: 'failed', smtpCode: 550 })]);

    const before = await auditCount(m.t);
    const retried = await call(admin, 'POST', `/mail/deliveries/${kim.id}/retry`);
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json()).toMatchObject({ status: 'queued', attempts: 0 });
    expect(await auditCount(m.t)).toBe(before + 1);
    await m.worker.runOnce();
    expect(m.to('kim@example.org')).toHaveLength(1);

    const again = await call(admin, 'POST', `/mail/deliveries/${kim.id}/retry`);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'VIG_MAIL_DELIVERY_NOT_RETRYABLE', deliveryStatus: 'sent' });
    expect((await call(admin, 'POST', `/mail/deliveries/${randomUUID()}/retry`)).json().code).toBe('VIG_MAIL_DELIVERY_NOT_FOUND');
    expect((await call(admin, 'GET', `/mail/deliveries/${randomUUID()}`)).json().code).toBe('VIG_MAIL_DELIVERY_NOT_FOUND');
    expect((await call(handler, 'POST', `/mail/deliveries/${kim.id}/retry`)).statusCode).toBe(403);
    expect(await auditCount(m.t)).toBe(before + 1);
  });
});
