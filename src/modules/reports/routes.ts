import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf, sendRaw } from '../../lib/http.ts';
import { csv } from '../../lib/schemas.ts';
import { IncidentParam, Level, TlpEnum } from '../incidents/index.ts';
import { ChannelEnum, ReportParam, ReportStatusEnum, TeamReport } from './schemas.ts';
import type { ReportService } from './service.ts';

const tags = ['reports'];

/** What a reporter sees of a report: no internal fields; the incident only as a reference and a public status. */
const ReporterReport = z
  .object({
    id: z.uuid(),
    reference: z.string(),
    title: z.string(),
    body: z.string(),
    channel: ChannelEnum,
    organisation: z.string().nullable(),
    reporterName: z.string().nullable(),
    receivedAt: z.date(),
    publicStatus: z.enum(['received', 'in_progress', 'closed', 'not_pursued']),
    incidentReference: z.string().nullable(),
  })
  .meta({ id: 'ReporterReport' });

const AnyReport = z.union([TeamReport, ReporterReport]);

const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();

/**
 * Reports. Submitting keeps the request body exactly as it arrived (its bytes and content type)
 * as the report's raw content, so this plugin parses JSON itself and holds on to the buffer.
 */
export const reportRoutes: FastifyPluginAsyncZod<{ reports: ReportService }> = async (app, { reports }) => {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const buf = body as Buffer;
    rawBodies.set(req, buf);
    if (buf.length === 0) return done(null, undefined);
    parseJson(req, buf.toString('utf8'), done);
  });

  app.get('/reports', {
    schema: {
      operationId: 'reports.list', tags, summary: 'Reports you may see, newest first (keyset pages); a reporter sees its own and those recorded for its constituent (not RED or AMBER+STRICT)',
      querystring: z.object({
        status: csv(ReportStatusEnum),
        channel: csv(ChannelEnum),
        incident: IncidentParam.shape.id.optional().describe('only reports on this incident'),
        organisation: z.string().trim().min(1).max(200).optional(),
        q: z.string().trim().min(1).max(500).optional().describe('full-text search over titles and bodies'),
        limit: z.coerce.number().int().min(1).max(200).default(50),
        cursor: z.string().max(200).optional(),
      }),
      response: { 200: z.object({ items: z.array(AnyReport), nextCursor: z.string().nullable() }) },
    },
  }, async (req) => reports.list(actorOf(req), req.query));

  app.post('/reports', {
    schema: {
      operationId: 'reports.submit', tags,
      summary: 'Submit a report; the request body is kept byte for byte. Team members may set channel, source and reporter; a reporter submits for its organisation. With an Idempotency-Key header a retry returns the first report (200, Idempotent-Replayed: true)',
      headers: z.object({
        'idempotency-key': z.string().regex(/^[\x21-\x7e]{1,200}$/, '1-200 visible ASCII characters').optional()
          .describe('the same key (per account) with the same body returns the report already made; with another body, 422'),
      }),
      body: z.object({
        title: z.string().trim().min(1).max(300),
        body: z.string().max(200_000).optional(),
        channel: ChannelEnum.optional(),
        source: optionalText(200),
        tlp: TlpEnum.optional(),
        reporterName: optionalText(200),
        reporterEmail: z.email().max(320).nullable().optional(),
        reporterPhone: optionalText(60),
        organisation: optionalText(200),
        receivedAt: z.coerce.date().optional().describe('when it arrived, if earlier than now (phone calls logged afterwards)'),
        urgency: Level.optional().describe('how urgent the caller or reporter says it is'),
      }),
      response: { 200: AnyReport, 201: AnyReport },
    },
  }, async (req, reply) => {
    const content = rawBodies.get(req) ?? Buffer.from(JSON.stringify(req.body));
    const key = req.headers['idempotency-key'];
    const { report, replayed } = await reports.submit(
      actorOf(req), req.body, { contentType: String(req.headers['content-type'] ?? 'application/json'), content }, key,
    );
    if (replayed) reply.header('idempotent-replayed', 'true');
    return reply.code(replayed ? 200 : 201).send(report);
  });

  app.get('/reports/:reportId', {
    schema: { operationId: 'reports.get', tags, summary: 'One report, by id or reference', params: ReportParam, response: { 200: AnyReport } },
  }, async (req) => reports.get(actorOf(req), req.params.reportId));

  app.get('/reports/:reportId/raw', {
    schema: {
      operationId: 'reports.raw', tags, summary: 'The report exactly as it arrived (as an attachment; audited)', params: ReportParam,
      produces: ['application/octet-stream'],
    },
  }, async (req, reply) => {
    const raw = await reports.raw(actorOf(req), req.params.reportId);
    return sendRaw(reply, { ...raw, filename: `${raw.reference}.raw` });
  });
};

const rawBodies = new WeakMap<object, Buffer>();
