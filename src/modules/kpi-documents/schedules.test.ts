import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, auditCount, login, makeApp, testClock, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import { startSmtpSink, type SmtpSink } from '../../../test/smtp-sink.ts';
import { kpiReportRepo } from './repo.ts';
import { deliveryWorker } from '../delivery/testkit.ts';
import type { RoundResult } from '../delivery/index.ts';

/** The scheduler's claim of completed periods, then a delivery worker round over scheduled reports. */
interface ReportWorker { runOnce(): Promise<RoundResult>; stop(): Promise<void> }

const FROM = 'CERT Test <cert@cert.test>';

describe.each(stores())('KPI report schedules on %s', (store) => {
  let t: TestApp;
  let sink: SmtpSink;
  let admin: Session;
  let handler: Session;
  let worker: ReportWorker;
  const workers: ReportWorker[] = [];
  // Tuesday 20 October 2026, 10:00 in Berlin.
  const clock = testClock(new Date('2026-10-20T08:00:00Z'));
  const call = (who: Session, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({ method, url: `/api/v1${url}`, headers: who.headers, ...(payload ? { payload } : {}) });
  const newWorker = (relayUrl: string | undefined) => {
    const dw = deliveryWorker(t, clock, { relayUrl, kinds: ['kpi_report'] });
    const w: ReportWorker = {
      runOnce: async () => {
        await t.services.reportSchedules.claimDue();
        return dw.runOnce();
      },
      stop: () => dw.stop(),
    };
    workers.push(w);
    return w;
  };
  /** The test clock jumps months: sign in again after each jump. */
  const signIn = async () => void (admin = await login(t.app, 'admin', 'A-Much-Better-Passphrase-2026'));
  const deliveries = (scheduleId: string) =>
    t.db.db.selectFrom('reportDelivery').innerJoin('delivery', 'delivery.id', 'reportDelivery.id')
      .selectAll('reportDelivery').select(['delivery.status', 'delivery.attempts', 'delivery.lastError'])
      .where('scheduleId', '=', scheduleId).orderBy('period').orderBy('reportDelivery.recipient').execute();

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await makeApp(store, { VIGIL_SMTP_RELAY_URL: sink.url, VIGIL_MAIL_FROM: FROM, VIGIL_SMTP_ACCEPT: 'reports@cert.test' }, clock);
    admin = await adminSession(t);
    handler = await userWith(t, ['handler']);
    expect((await call(admin, 'PATCH', '/settings', { timeZone: 'Europe/Berlin' })).statusCode).toBe(200);
    worker = newWorker(sink.url);
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await t?.close();
    await sink?.close();
  });

  let monthly: { id: string; version: number };

  it('creates, reads, changes and deletes schedules (kpi.manage), checking recipients, audited', async () => {
    const audits = await auditCount(t);
    const bad = await call(admin, 'POST', '/kpi/report-schedules', { kind: 'monthly', recipients: ['boss@example.org', 'noreply@example.org', 'reports@cert.test', 'not an address'] });
    expect(bad.statusCode, bad.body).toBe(422);
    expect(bad.json()).toMatchObject({ code: 'VIG_REPORT_SCHEDULE_INVALID' });
    expect(bad.json().problems).toEqual([
      'recipients.1: noreply@example.org: a bounce, daemon or no-reply address',
      'recipients.2: reports@cert.test: one of our own addresses',
      'recipients.3: not an address: not a deliverable address',
    ]);
    expect((await call(handler, 'POST', '/kpi/report-schedules', { kind: 'monthly', recipients: ['boss@example.org'] })).statusCode).toBe(403);

    const r = await call(admin, 'POST', '/kpi/report-schedules', { kind: 'monthly', recipients: [' Boss@Example.org', 'board@example.org', 'boss@example.org'], format: 'pdf' });
    expect(r.statusCode, r.body).toBe(201);
    monthly = r.json();
    // Addresses normalised; the first period it sends is October (September was over when it was made).
    expect(r.json()).toMatchObject({ kind: 'monthly', recipients: ['boss@example.org', 'board@example.org'], format: 'pdf', tlp: 'GREEN', enabled: true, lastPeriod: '2026-09', version: 1 });

    const changed = await call(admin, 'PUT', `/kpi/report-schedules/${monthly.id}`, { kind: 'monthly', recipients: ['boss@example.org', 'board@example.org'], format: 'pdf', tlp: 'GREEN', enabled: true, version: 1 });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().version).toBe(2);
    const stale = await call(admin, 'PUT', `/kpi/report-schedules/${monthly.id}`, { kind: 'monthly', recipients: ['x@example.org'], version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'VIG_REPORT_SCHEDULE_VERSION_CONFLICT' });

    const gone = (await call(admin, 'POST', '/kpi/report-schedules', { kind: 'annual', recipients: ['x@example.org'] })).json();
    expect((await call(admin, 'DELETE', `/kpi/report-schedules/${gone.id}`)).statusCode).toBe(204);
    expect((await call(admin, 'GET', `/kpi/report-schedules/${gone.id}`)).statusCode).toBe(404);
    const list = (await call(admin, 'GET', '/kpi/report-schedules')).json();
    expect(list.items.map((s: { id: string }) => s.id)).toEqual([monthly.id]);
    // create (refused ones write nothing), update, create, delete.
    expect(await auditCount(t)).toBe(audits + 4);
  });

  it('e-mails the report of a completed month once to each recipient, with the PDF attached', async () => {
    // October is not over: nothing.
    expect(await worker.runOnce()).toMatchObject({ claimed: 0 });
    expect(sink.messages).toHaveLength(0);
    // 31 October 23:30 UTC is 00:30 on 1 November in Berlin: October is complete there.
    clock.advance(Date.parse('2026-10-31T23:30:00Z') - clock.now().getTime());
    expect(await worker.runOnce()).toMatchObject({ claimed: 2, sent: 2 });
    expect(sink.messages).toHaveLength(2);
    expect(sink.messages.flatMap((m) => m.to).sort()).toEqual(['board@example.org', 'boss@example.org']);
    for (const m of sink.messages) {
      expect(m.parsed.subject).toBe('[TLP:GREEN] CSIRT: monthly KPI report, October 2026');
      expect(m.parsed.attachments).toHaveLength(1);
      const a = m.parsed.attachments[0]!;
      expect(a.filename).toBe('vigil-kpi-report-2026-10.pdf');
      expect(a.contentType).toBe('application/pdf');
      expect(a.content.subarray(0, 5).toString()).toBe('%PDF-');
      expect(m.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    }
    // Later ticks send nothing again.
    expect(await worker.runOnce()).toMatchObject({ claimed: 0 });
    clock.advance(3 * 86_400_000);
    expect(await worker.runOnce()).toMatchObject({ claimed: 0 });
    expect(sink.messages).toHaveLength(2);
    const ds = await deliveries(monthly.id);
    expect(ds.map((d) => [d.period, d.recipient, d.status, d.attempts])).toEqual([['2026-10', 'board@example.org', 'sent', 1], ['2026-10', 'boss@example.org', 'sent', 1]]);
    expect((await kpiReportRepo.attempts(t.db.db, ds[0]!.id)).map((a) => `${a.outcome}:${a.smtpCode}`)).toEqual(['sent:250']);
    await signIn();
    expect((await call(admin, 'GET', `/kpi/report-schedules/${monthly.id}`)).json()).toMatchObject({ lastPeriod: '2026-10', deliveries: [{ status: 'sent' }, { status: 'sent' }] });
  });

  it('claims a period once even when two claims race, and keeps deliveries waiting without a relay', async () => {
    await signIn();
    const s = (await call(admin, 'POST', '/kpi/report-schedules', { kind: 'annual', recipients: ['ciso@example.org'], format: 'html', tlp: 'AMBER' })).json();
    expect(s.lastPeriod).toBe('2025');
    const idle = newWorker(undefined);
    // 1 January 2027, 00:30 in Berlin: 2026 and December are complete.
    clock.advance(Date.parse('2026-12-31T23:30:00Z') - clock.now().getTime());
    const [a, b] = await Promise.all([idle.runOnce(), t.services.reportSchedules.claimDue()]);
    expect(a.claimed).toBe(0);
    expect(b).toBeGreaterThanOrEqual(0);
    expect((await deliveries(s.id)).map((d) => [d.period, d.status, d.attempts])).toEqual([['2026', 'queued', 0]]);
    expect((await deliveries(monthly.id)).filter((d) => d.period === '2026-12').map((d) => d.status)).toEqual(['queued', 'queued']);
    expect(sink.messages).toHaveLength(2);

    // With the relay: the annual report (HTML, at AMBER) and December's go out, once.
    expect(await worker.runOnce()).toMatchObject({ claimed: 3, sent: 3 });
    expect(await worker.runOnce()).toMatchObject({ claimed: 0 });
    const annual = sink.messages.filter((m) => m.to.includes('ciso@example.org'));
    expect(annual).toHaveLength(1);
    expect(annual[0]!.parsed.subject).toBe('[TLP:AMBER] CSIRT: annual report 2026');
    expect(annual[0]!.parsed.attachments[0]!.filename).toBe('vigil-kpi-report-2026.html');
    expect(annual[0]!.parsed.attachments[0]!.content.toString()).toContain('<h1>CSIRT: Annual report 2026</h1>');
    expect(sink.messages).toHaveLength(5);
  });

  it('retries a deferred delivery and sends nothing for a disabled schedule', async () => {
    await signIn();
    const s = (await call(admin, 'POST', '/kpi/report-schedules', { kind: 'monthly', recipients: ['late@example.org'], enabled: false })).json();
    sink.failWith(451, 'Try later');
    clock.advance(Date.parse('2027-01-31T23:30:00Z') - clock.now().getTime()); // January complete in Berlin
    expect(await worker.runOnce()).toMatchObject({ claimed: 2, deferred: 2 });
    expect(await deliveries(s.id)).toEqual([]);
    sink.failWith(null);
    expect(await worker.runOnce()).toMatchObject({ claimed: 0 }); // not due yet: 1 min back-off
    clock.advance(60_000);
    expect(await worker.runOnce()).toMatchObject({ claimed: 2, sent: 2 });
    const jan = (await deliveries(monthly.id)).filter((d) => d.period === '2027-01');
    expect(jan.map((d) => [d.status, d.attempts])).toEqual([['sent', 2], ['sent', 2]]);
    expect(sink.messages.filter((m) => m.parsed.subject?.includes('January 2027'))).toHaveLength(2);
  });
});
