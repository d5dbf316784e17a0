import { z } from 'zod';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { VigilError } from '../../lib/errors.ts';
import type { PublicIntakeService, RawBody } from './service.ts';

const tags = ['public'];

/** A status link's token; anything that is not a live token is a 404, whatever its shape. */
const TokenParam = z.object({ token: z.string().min(1).max(200) });

const Created = z
  .object({
    reference: z.string().describe('the report reference to quote when contacting the team'),
    statusUrl: z.string().describe('the private status page; only this answer ever shows it'),
    expiresAt: z.date(),
  })
  .meta({ id: 'PublicReportCreated' });
const Receipt = z
  .object({ receipt: z.uuid().describe('the id under which the bytes you sent are kept; quote it when contacting the team') })
  .meta({ id: 'PublicReceipt' });
const File = z.object({ filename: z.string(), size: z.number().int() });
const Status = z
  .object({
    reference: z.string(),
    title: z.string(),
    receivedAt: z.date(),
    status: z.enum(['received', 'in_progress', 'closed', 'not_pursued']),
    incidentReference: z.string().nullable(),
    linkExpiresAt: z.date(),
    attachments: z.array(File),
    messages: z.array(z.object({ id: z.uuid(), receivedAt: z.date(), body: z.string(), attachments: z.array(File) })),
  })
  .meta({ id: 'ReporterStatus' });

const FORM_FIELDS = [
  'Body: multipart/form-data with the text fields name, email, organisation (required, single lines), phone (optional),',
  'what (required: what happened), when (optional, ISO 8601 with offset), systems (optional: affected systems),',
  'tlp (CLEAR, GREEN, AMBER (default), AMBER+STRICT or RED), updates (on/true/1: keep me updated by e-mail),',
  'and any number of files (at most 10) in the field attachment. 201 with the reference and the private status link;',
  '202 with a receipt when the submission is kept but could not be turned into a report yet. See docs/web-form.md.',
].join(' ');

function rawOf(req: FastifyRequest): RawBody {
  if (!Buffer.isBuffer(req.body)) throw new VigilError('VIG_REQUEST_UNSUPPORTED_MEDIA_TYPE', { expected: 'multipart/form-data' });
  return { contentType: req.headers['content-type'], body: req.body };
}

const clientOf = (req: FastifyRequest) => ({ ip: req.ip ?? null, userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'].slice(0, 500) : null });

/**
 * The public web form and the reporter's status link: no sign-in. The two writes read the raw
 * multipart body (kept byte for byte) and are counted per client address before anything is read.
 */
export const publicIntakeRoutes: FastifyPluginAsyncZod<{ publicIntake: PublicIntakeService }> = async (app, { publicIntake: svc }) => {
  app.get('/public/form', {
    config: { auth: 'none' },
    schema: {
      operationId: 'public.form', security: [], tags, summary: 'The limits the public web form applies, for forms that check before sending',
      response: {
        200: z.object({ maxFiles: z.number().int(), attachmentMaxBytes: z.number().int(), bodyMaxBytes: z.number().int(), statusLinkDays: z.number().int() })
          .meta({ id: 'PublicFormLimits' }),
      },
    },
  }, async () => svc.formSettings());

  app.get('/public/status/:token', {
    config: { auth: 'none' },
    schema: {
      operationId: 'public.status', security: [], tags, summary: 'A report as its reporter may see it, through the private status link',
      params: TokenParam, response: { 200: Status },
    },
  }, async (req) => svc.status(req.params.token));

  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: svc.bodyLimit }, (_req, body, done) => done(null, body));
    const form = scope.withTypeProvider<ZodTypeProvider>();

    form.post('/public/reports', {
      config: { auth: 'none' },
      bodyLimit: svc.bodyLimit,
      onRequest: async (req) => svc.throttle('webform', req.ip ?? null),
      schema: {
        operationId: 'public.report', security: [], tags, consumes: ['multipart/form-data'],
        summary: 'Report an incident through the public web form (no sign-in)', description: FORM_FIELDS,
        response: { 201: Created, 202: Receipt },
      },
    }, async (req, reply) => {
      const r = await svc.submit(clientOf(req), rawOf(req));
      if (r.kind === 'queued') return reply.code(202).send({ receipt: r.receipt });
      return reply.code(201).send({ reference: r.reference, statusUrl: r.statusUrl, expiresAt: r.expiresAt });
    });

    form.post('/public/status/:token/messages', {
      config: { auth: 'none' },
      bodyLimit: svc.bodyLimit,
      onRequest: async (req) => svc.throttle('status', req.ip ?? null),
      schema: {
        operationId: 'public.add_information', security: [], tags, consumes: ['multipart/form-data'],
        summary: 'Add information to a report through its private status link',
        description: 'Body: multipart/form-data with the text field message (required) and files (at most 10) in the field attachment.',
        params: TokenParam,
        response: { 201: Receipt.extend({ receivedAt: z.date() }).meta({ id: 'PublicInformationAdded' }), 202: Receipt },
      },
    }, async (req, reply) => {
      const r = await svc.addUpdate(clientOf(req), req.params.token, rawOf(req));
      if (r.kind === 'queued') return reply.code(202).send({ receipt: r.receipt });
      return reply.code(201).send({ receipt: r.receipt, receivedAt: r.receivedAt });
    });
  });
};
