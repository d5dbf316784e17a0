import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { actorOf } from '../../lib/http.ts';
import { VigilError } from '../../lib/errors.ts';
import { IncidentParam, TlpEnum } from '../incidents/index.ts';
import type { EvidenceService } from './service.ts';

const tags = ['evidence'];
export const Evidence = z
  .object({
    id: z.uuid(), incidentId: z.uuid(), filename: z.string(), contentType: z.string(), size: z.number().int(), md5: z.string(), sha1: z.string(),
    sha256: z.string(), description: z.string(), tlp: TlpEnum, collectedBy: z.string(), collectedAt: z.date(), collectedFrom: z.string(),
    addedBy: z.uuid().nullable(), addedAt: z.date(),
  })
  .meta({ id: 'Evidence' });
const Custody = z.object({
  id: z.number().int(), evidenceId: z.uuid(), action: z.enum(['collected', 'uploaded', 'downloaded', 'handed_over']), at: z.date(),
  actorId: z.string().nullable(), actorName: z.string(), details: z.record(z.string(), z.unknown()),
});
/** A file's own name: no folders, no control characters. */
const Filename = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .refine((v) => !/[\\/\u0000-\u001f\u007f]/.test(v) && v !== '.' && v !== '..', 'a file name without path separators or control characters');
const EvidenceParam = z.object({ evidenceId: z.uuid() });

export const evidenceRoutes: FastifyPluginAsyncZod<{ evidence: EvidenceService; maxBytes: number }> = async (app, { evidence, maxBytes }) => {
  // Evidence arrives as the raw request body, streamed to the blob store (never buffered whole);
  // the upload route reads no other content type.
  await app.register(async (upload) => {
    upload.removeAllContentTypeParsers();
    upload.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));
    // An upload refused before its last byte arrived (too large, no access, closed incident): the
    // answer closes the connection, so the server never waits for (or reads) the rest of the body
    // and the connection cannot outlive the request and hold up a shutdown.
    upload.addHook('onSend', async (req, reply, payload) => {
      if (!req.raw.complete) reply.header('connection', 'close');
      return payload;
    });
    upload.withTypeProvider<ZodTypeProvider>().post('/incidents/:id/evidence', {
    bodyLimit: maxBytes,
    schema: {
      operationId: 'evidence.upload', tags, summary: 'Upload an evidence file (body: the raw bytes, application/octet-stream)', params: IncidentParam,
      querystring: z.object({
        filename: Filename,
        description: z.string().max(5000).optional(),
        tlp: TlpEnum.optional(),
        collectedBy: z.string().trim().min(1).max(200),
        collectedAt: z.coerce.date(),
        collectedFrom: z.string().trim().min(1).max(500),
      }),
      response: { 201: Evidence },
    },
  }, async (req, reply) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) throw new VigilError('VIG_EVIDENCE_TOO_LARGE', { maxBytes });
    const q = req.query;
    const view = await evidence.upload(actorOf(req), req.params.id, req.body as Readable, {
      filename: q.filename, description: q.description, tlp: q.tlp, collectedBy: q.collectedBy, collectedAt: q.collectedAt, collectedFrom: q.collectedFrom,
    });
    return reply.code(201).send(view);
    });
  });

  app.get('/incidents/:id/evidence', {
    schema: { operationId: 'evidence.list', tags, summary: 'Evidence of an incident', params: IncidentParam, response: { 200: z.object({ items: z.array(Evidence) }) } },
  }, async (req) => ({ items: await evidence.list(actorOf(req), req.params.id) }));

  app.get('/evidence/:evidenceId/download', {
    schema: { operationId: 'evidence.download', tags, summary: 'Download the file (recorded on the chain of custody)', params: EvidenceParam },
  }, async (req, reply) => {
    const { view, stream } = await evidence.download(actorOf(req), req.params.evidenceId);
    const ascii = view.filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
    return reply
      .type('application/octet-stream')
      .header('content-length', String(view.size))
      .header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(view.filename)}`)
      .header('x-evidence-sha256', view.sha256)
      .send(stream);
  });

  app.post('/evidence/:evidenceId/handover', {
    schema: {
      operationId: 'evidence.hand_over', tags, summary: 'Record a hand-over of the evidence', params: EvidenceParam,
      body: z.object({ to: z.string().trim().min(1).max(300), reason: z.string().trim().min(1).max(2000) }), response: { 201: Custody },
    },
  }, async (req, reply) => reply.code(201).send(await evidence.handOver(actorOf(req), req.params.evidenceId, req.body)));

  app.get('/evidence/:evidenceId/custody', {
    schema: { operationId: 'evidence.custody', tags, summary: 'The chain of custody', params: EvidenceParam, response: { 200: z.object({ items: z.array(Custody) }) } },
  }, async (req) => ({ items: await evidence.custody(actorOf(req), req.params.evidenceId) }));
};
