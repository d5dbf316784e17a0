import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOf } from '../../lib/http.ts';
import { IdParam, NoContent } from '../../lib/schemas.ts';
import { Version } from '../incidents/index.ts';
import { reportFilename } from './content.ts';
import { renderReportHtml } from './html.ts';
import { renderReportPdf } from './pdf.ts';
import type { KpiReportService, ReportData } from './report.service.ts';
import type { ReportScheduleService } from './schedules.service.ts';
import { TLP_ORDER } from '../../lib/tlp.ts';

const tags = ['kpi'];
const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM');
const Tlp = z.enum(TLP_ORDER);
const Format = z.enum(['html', 'pdf']).default('html');

/** The report page may load nothing and run nothing: only its inline styles (and inline SVG). */
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const reportCsp = async (_req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
  reply.header('content-security-policy', REPORT_CSP);
  return payload;
};

async function send(reply: FastifyReply, r: ReportData, format: 'html' | 'pdf') {
  reply.header('cache-control', 'no-store');
  if (format === 'pdf') {
    return reply.type('application/pdf').header('content-disposition', `attachment; filename="${reportFilename(r.label, 'pdf')}"`).send(await renderReportPdf(r));
  }
  return reply.type('text/html; charset=utf-8').header('content-disposition', `inline; filename="${reportFilename(r.label, 'html')}"`).send(renderReportHtml(r));
}

export const ScheduleIn = z.object({
  kind: z.enum(['monthly', 'annual']),
  recipients: z.array(z.string().trim().min(3).max(320)).min(1).max(50).describe('e-mail addresses'),
  format: z.enum(['pdf', 'html']).default('pdf'),
  tlp: Tlp.default('GREEN').describe('annual reports: notable incidents and activities at or below this TLP (monthly reports are GREEN)'),
  enabled: z.boolean().default(true),
});

const Schedule = ScheduleIn.extend({
  id: z.uuid(),
  lastPeriod: z.string().nullable().describe('the last period claimed (sent or being sent): 2026-10 or 2026'),
  version: z.number().int(),
  createdBy: z.uuid().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
}).meta({ id: 'ReportSchedule' });

const Delivery = z.object({
  id: z.uuid(), period: z.string(), recipient: z.string(), status: z.enum(['queued', 'sending', 'sent', 'failed']),
  attempts: z.number().int(), lastError: z.string().nullable(), sentAt: z.date().nullable(), createdAt: z.date(),
});

/** The monthly and annual KPI reports (HTML, PDF) and the schedules that e-mail them. */
export const kpiReportRoutes: FastifyPluginAsyncZod<{ reports: KpiReportService; schedules: ReportScheduleService }> = async (app, { reports, schedules }) => {
  app.get('/kpi/reports/monthly', {
    schema: {
      operationId: 'kpiReports.monthly', tags, summary: 'The monthly KPI report (TLP:GREEN) as HTML or PDF, over the incidents you may see',
      querystring: z.object({ month: Month, format: Format }),
      produces: ['text/html', 'application/pdf'],
    },
    onSend: reportCsp,
  }, async (req, reply) => send(reply, await reports.monthly(actorOf(req), req.query.month), req.query.format));

  app.get('/kpi/reports/annual', {
    schema: {
      operationId: 'kpiReports.annual', tags, summary: 'The annual report at a chosen TLP as HTML or PDF, over the incidents you may see',
      querystring: z.object({ year: z.coerce.number().int().min(2000).max(2999), tlp: Tlp.default('GREEN'), format: Format }),
      produces: ['text/html', 'application/pdf'],
    },
    onSend: reportCsp,
  }, async (req, reply) => send(reply, await reports.annual(actorOf(req), req.query.year, req.query.tlp), req.query.format));

  app.get('/kpi/report-schedules', {
    schema: { operationId: 'reportSchedules.list', tags, summary: 'Report schedules', response: { 200: z.object({ items: z.array(Schedule) }) } },
  }, async (req) => ({ items: await schedules.list(actorOf(req)) }));

  app.get('/kpi/report-schedules/:id', {
    schema: {
      operationId: 'reportSchedules.get', tags, summary: 'A report schedule and its latest deliveries', params: IdParam,
      response: { 200: Schedule.extend({ deliveries: z.array(Delivery) }) },
    },
  }, async (req) => schedules.get(actorOf(req), req.params.id));

  app.post('/kpi/report-schedules', {
    schema: { operationId: 'reportSchedules.create', tags, summary: 'E-mail the monthly or annual report to recipients once each period is complete', body: ScheduleIn, response: { 201: Schedule } },
  }, async (req, reply) => reply.code(201).send(await schedules.create(actorOf(req), req.body)));

  app.put('/kpi/report-schedules/:id', {
    schema: { operationId: 'reportSchedules.update', tags, summary: 'Change a report schedule', params: IdParam, body: ScheduleIn.extend({ version: Version }), response: { 200: Schedule } },
  }, async (req) => schedules.update(actorOf(req), req.params.id, req.body));

  app.delete('/kpi/report-schedules/:id', {
    schema: { operationId: 'reportSchedules.delete', tags, summary: 'Delete a report schedule (and its delivery history)', params: IdParam, response: { 204: NoContent } },
  }, async (req, reply) => {
    await schedules.remove(actorOf(req), req.params.id);
    return reply.code(204).send(null);
  });
};
