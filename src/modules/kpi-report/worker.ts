// Sends scheduled KPI reports. Each round first claims the periods that have just completed (the
// schedules' deliveries are written with the claim, see schedules.service.ts), then sends due
// deliveries the way the other outboxes do: claimed with a lease (FOR UPDATE SKIP LOCKED), sent
// outside any transaction through the SMTP relay, every attempt logged, backing off 1 min, 2, 4 …
// 1 h, given up at once on a 5xx refusal or after `maxAttempts`. Without a relay, deliveries wait
// queued and go out once one is configured. Reports are made as the system actor (all incidents),
// at the schedule's TLP, once per schedule and period in a round.
import { createTransport } from 'nodemailer';
import type { Db } from '../../db/index.ts';
import { systemActor, type Clock } from '../../lib/actor.ts';
import { roundLoop, type RoundResult } from '../../lib/rounds.ts';
import { addressOf, messageIdDomain } from '../mailer/addresses.ts';
import { backoffMs, redactUrl, type MailLogger } from '../mailer/worker.ts';
import { tlpLabel } from '../incidents/export.report.ts';
import { monthName, reportFilename } from './content.ts';
import { renderReportHtml } from './html.ts';
import { renderReportPdf } from './pdf.ts';
import { kpiReportRepo, type ClaimedReportDelivery } from './repo.ts';
import type { KpiReportService } from './report.service.ts';
import type { ReportScheduleService } from './schedules.service.ts';

export interface ReportWorkerOptions {
  db: Db;
  clock: Clock;
  reports: KpiReportService;
  schedules: ReportScheduleService;
  /** VIG_SMTP_RELAY_URL; without it deliveries wait queued. */
  relayUrl: string | undefined;
  from: string;
  log: MailLogger;
  /** VIGIL_REPORT_TICK_MS. */
  tickMs?: number;
  batch?: number;
  leaseMs?: number;
  maxAttempts?: number;
  smtpTimeoutMs?: number;
}

const REPORTER = systemActor('system');

interface Made { filename: string; content: Buffer; contentType: string; subject: string; text: string }

export function createReportWorker(o: ReportWorkerOptions) {
  const batch = o.batch ?? 20;
  const leaseMs = o.leaseMs ?? 10 * 60_000;
  const maxAttempts = o.maxAttempts ?? 10;
  const timeout = o.smtpTimeoutMs ?? 15_000;
  const transport = o.relayUrl
    ? createTransport({ url: o.relayUrl, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: 4 * timeout })
    : null;
  // Each send reports its own failure; an error the transport raises outside a send must not end the process.
  transport?.on('error', (err) => o.log.warn({ err }, 'smtp relay transport error'));
  const domain = messageIdDomain(o.from);

  /** The report of a schedule's period as an attachment, with the message around it. */
  async function make(scheduleId: string, period: string): Promise<Made | null> {
    const s = await kpiReportRepo.schedule(o.db, scheduleId);
    if (!s) return null;
    const r = s.kind === 'monthly' ? await o.reports.monthly(REPORTER, period) : await o.reports.annual(REPORTER, Number(period), s.tlp);
    const what = s.kind === 'monthly' ? `monthly KPI report, ${monthName(period)}` : `annual report ${period}`;
    const content = s.format === 'pdf' ? await renderReportPdf(r) : Buffer.from(renderReportHtml(r), 'utf8');
    return {
      filename: reportFilename(period, s.format), content, contentType: s.format === 'pdf' ? 'application/pdf' : 'text/html; charset=utf-8',
      subject: `[${tlpLabel(r.tlp)}] ${r.teamName}: ${what}`,
      text: `The ${what} of ${r.teamName} is attached (${s.format.toUpperCase()}).\n\nIt is marked ${tlpLabel(r.tlp)}: share it accordingly.\n\nSent by Vigil for a report schedule; a manager or admin can change its recipients on the KPI page.\n`,
    };
  }

  async function sendOne(d: ClaimedReportDelivery, made: Made | null | Error): Promise<'sent' | 'deferred' | 'failed'> {
    if (d.was === 'sending') {
      await kpiReportRepo.addAttempt(o.db, { deliveryId: d.id, at: o.clock.now(), outcome: 'abandoned', response: 'the sender stopped before recording an outcome', smtpCode: null });
    }
    let outcome: 'sent' | 'deferred' | 'failed';
    let response: string;
    let smtpCode: number | null = null;
    if (made === null) {
      outcome = 'failed';
      response = 'the schedule was deleted';
    } else if (made instanceof Error) {
      outcome = d.attempts >= maxAttempts ? 'failed' : 'deferred';
      response = `the report could not be made: ${made.message}`.slice(0, 2000);
    } else {
      try {
        const info = await transport!.sendMail({
          from: o.from, to: d.recipient, envelope: { from: addressOf(o.from), to: [d.recipient] },
          subject: made.subject, text: made.text, messageId: `<kpi-report-${d.id}@${domain}>`,
          attachments: [{ filename: made.filename, content: made.content, contentType: made.contentType }],
          headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
          disableFileAccess: true, disableUrlAccess: true,
        });
        outcome = 'sent';
        response = info.response;
        smtpCode = Number.parseInt(info.response, 10) || null;
      } catch (e) {
        const err = e as Error & { code?: string; response?: string; responseCode?: number };
        smtpCode = typeof err.responseCode === 'number' ? err.responseCode : null;
        response = (err.response ?? `${err.code ? `${err.code}: ` : ''}${err.message}`).slice(0, 2000);
        outcome = smtpCode !== null && smtpCode >= 500 ? 'failed' : d.attempts >= maxAttempts ? 'failed' : 'deferred';
      }
    }
    const now = o.clock.now();
    await o.db.transaction().execute(async (tx) => {
      await kpiReportRepo.addAttempt(tx, { deliveryId: d.id, at: now, outcome, response, smtpCode });
      await kpiReportRepo.settle(tx, d.id, d.attempts, {
        status: outcome === 'sent' ? 'sent' : outcome === 'failed' ? 'failed' : 'queued',
        nextAttemptAt: outcome === 'deferred' ? new Date(now.getTime() + backoffMs(d.attempts)) : now,
        lastError: outcome === 'sent' ? null : response,
        sentAt: outcome === 'sent' ? now : null,
      });
    });
    return outcome;
  }

  /** One round: claim completed periods, then send what is due. Tests drive the worker with this and a test clock. */
  async function round(): Promise<RoundResult> {
    await o.schedules.claimDue();
    if (!transport) return { claimed: 0, sent: 0, deferred: 0, failed: 0 };
    const now = o.clock.now();
    const claimed = await kpiReportRepo.claimDue(o.db, now, new Date(now.getTime() + leaseMs), batch);
    const result: RoundResult = { claimed: claimed.length, sent: 0, deferred: 0, failed: 0 };
    const made = new Map<string, Made | null | Error>();
    for (const d of claimed) {
      const key = `${d.scheduleId}/${d.period}`;
      if (!made.has(key)) made.set(key, await make(d.scheduleId, d.period).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))));
      const m = made.get(key)!;
      if (m instanceof Error) o.log.error({ err: m, schedule: d.scheduleId, period: d.period }, 'KPI reports: making the report failed');
      result[await sendOne(d, m)]++;
    }
    return result;
  }

  const loop = roundLoop({ round, batch, pollMs: o.tickMs ?? 300_000, name: 'KPI reports', log: o.log });
  return {
    runOnce: loop.runOnce,
    start: loop.start,
    async stop() {
      await loop.stop();
      transport?.close();
    },
  };
}
export type ReportWorker = ReturnType<typeof createReportWorker>;

/** The worker `vigil serve` runs: it claims periods always, and sends when a relay is configured. */
export function startReportWorker(o: ReportWorkerOptions): ReportWorker {
  const w = createReportWorker(o);
  w.start();
  o.log.info({ relay: o.relayUrl ? redactUrl(o.relayUrl) : null }, o.relayUrl ? 'KPI reports: sending scheduled reports' : 'KPI reports: no SMTP relay, scheduled reports wait queued');
  return w;
}
