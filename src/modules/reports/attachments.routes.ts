import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../../lib/http.ts';
import { Evidence } from '../evidence/index.ts';
import { TlpEnum } from '../incidents/index.ts';
import type { ReportAttachmentService } from './attachments.service.ts';
import { ReportParam } from './schemas.ts';

const tags = ['reports'];
const AttachmentParam = ReportParam.extend({ attachmentId: z.uuid() });
const Attachment = z
  .object({
    id: z.uuid(),
    messageId: z.uuid().nullable().describe('the reply or repeat that brought it; null: the report itself'),
    messageKind: z.string().nullable(),
    messageReceivedAt: z.date().nullable(),
    filename: z.string(),
    contentType: z.string().describe('as the sender declared it'),
    size: z.number().int(),
    sha256: z.string().nullable(),
    stored: z.boolean().describe('false: empty or over the size limit, only listed (its bytes are in the raw message)'),
    flags: z.array(z.string()).describe('archive, executable, renamed, empty, too_large'),
    createdAt: z.date(),
  })
  .meta({ id: 'ReportAttachment' });

/** A report's files: list, download each, keep one as evidence of the report's incident. */
export const reportAttachmentRoutes: FastifyPluginAsyncZod<{ attachments: ReportAttachmentService }> = async (app, { attachments }) => {
  app.get('/reports/:reportId/attachments', {
    schema: {
      operationId: 'reports.attachments.list', tags, summary: 'The files that came with a report (team members; the report\'s access rule)', params: ReportParam,
      response: { 200: z.object({ items: z.array(Attachment) }) },
    },
  }, async (req) => ({ items: await attachments.list(actorOf(req), req.params.reportId) }));

  app.get('/reports/:reportId/attachments/:attachmentId', {
    schema: {
      operationId: 'reports.attachments.download', tags, params: AttachmentParam, produces: ['application/octet-stream'],
      summary: 'Download one file (as an attachment; an inert content type or application/octet-stream; audited)',
    },
  }, async (req, reply) => {
    const { file, contentType, stream } = await attachments.download(actorOf(req), req.params.reportId, req.params.attachmentId);
    const ascii = file.filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
    return reply
      .type(contentType)
      .header('content-length', String(file.size))
      .header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('x-content-sha256', file.sha256)
      .send(stream);
  });

  app.post('/reports/:reportId/attachments/:attachmentId/evidence', {
    schema: {
      operationId: 'reports.attachments.keep', tags: ['reports', 'evidence'], params: AttachmentParam,
      summary: 'Keep a file as evidence of the report\'s incident; custody starts at its arrival. 200 with the evidence already held when the incident has these bytes',
      body: z.object({ description: z.string().trim().max(2000).optional(), tlp: TlpEnum.optional() }),
      response: { 200: Evidence, 201: Evidence },
    },
  }, async (req, reply) => {
    const { evidence, existing } = await attachments.keep(actorOf(req), req.params.reportId, req.params.attachmentId, req.body);
    return reply.code(existing ? 200 : 201).send(evidence);
  });
};
