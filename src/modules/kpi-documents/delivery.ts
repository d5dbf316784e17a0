// Scheduled KPI reports as a kind of the delivery layer. The scheduler claims the periods that have
// just completed every VIGIL_REPORT_TICK_MS (one delivery per recipient, written with the claim,
// see schedules.service.ts); the delivery worker sends them like every other delivery. A report is
// made as the system actor (all incidents), at the schedule's TLP, once per schedule and period in
// a worker round, and mailed through the relay with the report attached.
import { systemActor } from '../../lib/actor.ts';
import { everyTick, type Ticker } from '../../lib/rounds.ts';
import type { DeliveryHandler } from '../delivery/index.ts';
import { PermanentDeliveryError } from '../delivery/index.ts';
import { addressOf, messageIdDomain } from '../outbound-mail/index.ts';
import { tlpLabel } from '../incidents/index.ts';
import { monthName, reportFilename } from './content.ts';
import { renderReportHtml } from './html.ts';
import { renderReportPdf } from './pdf.ts';
import { KPI_REPORT, kpiReportRepo } from './repo.ts';
import type { KpiReportService } from './report.service.ts';
import type { ReportScheduleService } from './schedules.service.ts';

const REPORTER = systemActor('system');

interface Made { filename: string; content: Buffer; contentType: string; subject: string; text: string }

export function kpiReportHandler(o: { reports: KpiReportService; from: string }): DeliveryHandler {
  const domain = messageIdDomain(o.from);

  /** The report of a schedule's period as an attachment, with the message around it. */
  async function make(db: Parameters<DeliveryHandler['deliver']>[1]['db'], scheduleId: string, period: string): Promise<Made | null> {
    const s = await kpiReportRepo.schedule(db, scheduleId);
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

  return {
    kind: KPI_REPORT,
    // Making a PDF report takes a while: a longer lease than a message.
    leaseMs: 10 * 60_000,
    async deliver(d, ctx) {
      const rd = await kpiReportRepo.delivery(ctx.db, d.id);
      if (!rd) throw new PermanentDeliveryError('the schedule was deleted');
      let made: Made | null;
      try {
        made = await ctx.memo(`${rd.scheduleId}/${rd.period}`, () => make(ctx.db, rd.scheduleId, rd.period));
      } catch (err) {
        ctx.log.error({ err, schedule: rd.scheduleId, period: rd.period }, 'KPI reports: making the report failed');
        return { outcome: 'deferred', response: `the report could not be made: ${err instanceof Error ? err.message : String(err)}`.slice(0, 2000), code: null };
      }
      if (!made) throw new PermanentDeliveryError('the schedule was deleted');
      return ctx.relay!.send({
        from: o.from, to: rd.recipient, envelope: { from: addressOf(o.from), to: [rd.recipient] },
        subject: made.subject, text: made.text, messageId: `<kpi-report-${d.id}@${domain}>`,
        attachments: [{ filename: made.filename, content: made.content, contentType: made.contentType }],
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
      });
    },
  };
}

/** Claims completed periods every `tickMs` (always, relay or not: without one the deliveries wait queued). */
export function startReportScheduler(o: { schedules: ReportScheduleService; tickMs?: number; log: { error(obj: object, msg?: string): void } }): Ticker {
  return everyTick('KPI report schedules', () => o.schedules.claimDue(), o.tickMs ?? 300_000, o.log);
}
