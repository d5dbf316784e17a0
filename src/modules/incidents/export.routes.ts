import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOf } from '../../lib/http.ts';
import { renderIncidentHtml } from './export.html.ts';
import { renderIncidentPdf } from './export.pdf.ts';
import { reportFilename } from './export.document.ts';
import type { IncidentExportService } from './export.service.ts';
import { IncidentParam } from './schemas.ts';

const tags = ['incidents'];

/**
 * The report page may load nothing and run nothing: only its own inline styles. Set on the route's
 * own onSend, which runs after the app-wide one that sets the web app's policy.
 */
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const reportCsp = async (_req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
  reply.header('content-security-policy', REPORT_CSP);
  return payload;
};

/** The incident exported whole: JSON for archives, HTML and PDF reports for people. */
export const exportRoutes: FastifyPluginAsyncZod<{ exporter: IncidentExportService }> = async (app, { exporter }) => {
  app.get('/incidents/:id/export', {
    schema: {
      operationId: 'incidents.export', tags, summary: 'The whole incident as one JSON document (archival), as far as you may see it', params: IncidentParam,
      response: { 200: z.object({ format: z.literal('vigil.incident-export'), formatVersion: z.literal(1) }).passthrough() },
    },
  }, async (req, reply) => {
    const doc = await exporter.exportJson(actorOf(req), req.params.id);
    return reply.header('content-disposition', `attachment; filename="${doc.incident.reference}.json"`).send(doc);
  });

  app.get('/incidents/:id/export.html', {
    schema: {
      operationId: 'incidents.export_html', tags, params: IncidentParam,
      summary: 'The incident as a printable HTML report (TLP label on every page), as far as you may see it',
      querystring: z.object({ download: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('true: as an attachment') }),
      produces: ['text/html'],
    },
    onSend: reportCsp,
  }, async (req, reply) => {
    const report = await exporter.report(actorOf(req), req.params.id);
    const html = await renderIncidentHtml(report);
    const name = reportFilename(report.incident.reference, 'html');
    return reply
      .type('text/html; charset=utf-8')
      .header('content-disposition', `${req.query.download ? 'attachment' : 'inline'}; filename="${name}"`)
      .send(html);
  });

  app.get('/incidents/:id/export.pdf', {
    schema: {
      operationId: 'incidents.export_pdf', tags, params: IncidentParam,
      summary: 'The incident as a PDF report (TLP label in the header and footer of every page), as far as you may see it',
      produces: ['application/pdf'],
    },
  }, async (req, reply) => {
    const report = await exporter.report(actorOf(req), req.params.id);
    const pdf = await renderIncidentPdf(report);
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="${reportFilename(report.incident.reference, 'pdf')}"`)
      .send(pdf);
  });
};
