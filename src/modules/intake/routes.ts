import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { VigilError } from '../../lib/errors.ts';
import { actorOf, sendRaw } from '../../lib/http.ts';
import { csv } from '../../lib/schemas.ts';
import { IncidentParam, TlpEnum } from '../incidents/index.ts';
import type { AlertService } from './alerts.service.ts';
import type { IntakeItemService } from './items.service.ts';
import { Alert, AlertDetail, AlertParam, AlertStatusEnum, SeverityEnum } from './schemas.ts';
import type { SourceService } from './sources.service.ts';

const tags = ['intake'];

const SourceParam = z.object({ sourceId: z.union([z.uuid(), z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'a source id or name')]) });
const ItemParam = z.object({ itemId: z.uuid() });

const Mapping = z.record(z.string(), z.unknown()).describe('field mapping (see docs/alerts.md)');
const Source = z
  .object({
    id: z.uuid(), name: z.string(), description: z.string(), tokenHint: z.string(), mapping: z.unknown(), dedupWindowSeconds: z.number().int(),
    tlp: TlpEnum, enabled: z.boolean(), createdBy: z.uuid().nullable(), createdAt: z.date(), updatedAt: z.date(), version: z.number().int(),
  })
  .meta({ id: 'IntakeSource' });
const SourceWithToken = z.object({ source: Source, token: z.string().describe('shown this once; Vigil keeps only its hash') });

const Outcome = z.object({
  item: z.uuid().describe('the intake item holding the body as it arrived'),
  state: z.enum(['parsed', 'failed']),
  error: z.string().nullable().describe('why the body could not be mapped (it waits in the unparsed queue)'),
  alerts: z.array(z.object({ id: z.uuid(), reference: z.string(), repeat: z.boolean().describe('collapsed into an existing alert') })),
  replayed: z.boolean(),
});

const ItemInfo = z
  .object({
    id: z.uuid(), channel: z.string(), sourceId: z.uuid().nullable(), receivedAt: z.date(), contentType: z.string(), sha256: z.string(),
    envelope: z.record(z.string(), z.unknown()), messageId: z.string().nullable(), state: z.enum(['pending', 'parsed', 'failed']),
    error: z.string().nullable(), attempts: z.number().int(), parsedAt: z.date().nullable(), reportId: z.uuid().nullable(),
    incidentId: z.uuid().nullable(), size: z.number().int(),
  })
  .meta({ id: 'IntakeItem' });

const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();

/**
 * Monitoring intake (sources post alerts with their own tokens), the alert queue and the unparsed
 * queue. What becomes of an alert (acknowledge, dismiss, link, declare) is the triage module's.
 */
export const intakeRoutes: FastifyPluginAsyncZod<{ alerts: AlertService; sources: SourceService; items: IntakeItemService }> = async (
  app,
  { alerts, sources, items },
) => {
  // Alert bodies are kept byte for byte, whatever their content type (or none): every body is read
  // here as a buffer and the service decides what it means. Other routes here take JSON only.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const buf = body as Buffer;
    if (req.routeOptions.config?.auth === 'source') return done(null, buf);
    if (buf.length === 0) return done(null, undefined);
    parseJson(req, buf.toString('utf8'), done);
  });
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => {
    if (req.routeOptions.config?.auth === 'source') return done(null, body);
    done(new VigilError('VIG_REQUEST_UNSUPPORTED_MEDIA_TYPE', { expected: 'application/json' }), undefined);
  });

  app.post('/intake/alerts', {
    config: { auth: 'source' },
    schema: {
      operationId: 'intake.alerts', tags, security: [{ sourceToken: [] }],
      summary: 'A monitoring source posts alerts (one JSON object, an array, or a path to one; NDJSON; X-ARF v4 reports are read without a mapping). The body is kept byte for byte whatever its content type before anything reads it; 202 once it is stored. A body the mapping cannot read is kept as a failed item (202, state failed). With an Idempotency-Key a retry makes nothing new (200, Idempotent-Replayed: true)',
      headers: z.object({
        authorization: z.string().max(300).optional().describe('Bearer vgs_… (the source\'s token)'),
        'idempotency-key': z.string().regex(/^[\x21-\x7e]{1,200}$/, '1-200 visible ASCII characters').optional(),
      }),
      response: { 200: Outcome, 202: Outcome },
    },
  }, async (req, reply) => {
    const header = req.headers.authorization;
    const token = header && /^bearer /i.test(header) ? header.slice(7).trim() : undefined;
    // No body at all (no content type, no length) is the only way to an empty item.
    const content = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const out = await alerts.receive(token, {
      content, contentType: String(req.headers['content-type'] ?? 'application/octet-stream'), ip: req.ip ?? null, idempotencyKey: req.headers['idempotency-key'],
    });
    if (out.replayed) reply.header('idempotent-replayed', 'true');
    return reply.code(out.replayed ? 200 : 202).send(out);
  });

  // Sources
  app.get('/intake/sources', {
    schema: { operationId: 'intake.sources.list', tags, summary: 'Monitoring sources', response: { 200: z.array(Source) } },
  }, async (req) => sources.list(actorOf(req)));

  app.post('/intake/sources', {
    schema: {
      operationId: 'intake.sources.create', tags, summary: 'Create a monitoring source; the answer holds its token, shown only this once',
      body: z.object({
        name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'lower-case letters, digits, . _ - (up to 63)'),
        description: z.string().max(2000).optional(),
        mapping: Mapping,
        dedupWindowSeconds: z.number().int().min(0).max(2_592_000).optional().describe('0 turns deduplication off; default 3600'),
        tlp: TlpEnum.optional(),
      }),
      response: { 201: SourceWithToken },
    },
  }, async (req, reply) => reply.code(201).send(await sources.create(actorOf(req), req.body)));

  app.get('/intake/sources/:sourceId', {
    schema: { operationId: 'intake.sources.get', tags, summary: 'One source, by id or name', params: SourceParam, response: { 200: Source } },
  }, async (req) => sources.get(actorOf(req), req.params.sourceId));

  app.patch('/intake/sources/:sourceId', {
    schema: {
      operationId: 'intake.sources.update', tags, summary: 'Change a source\'s mapping, window, TLP, description, or turn it off', params: SourceParam,
      body: z.object({
        description: z.string().max(2000).optional(), mapping: Mapping.optional(), dedupWindowSeconds: z.number().int().min(0).max(2_592_000).optional(),
        tlp: TlpEnum.optional(), enabled: z.boolean().optional(), version: z.number().int().min(1),
      }),
      response: { 200: Source },
    },
  }, async (req) => sources.update(actorOf(req), req.params.sourceId, req.body));

  app.post('/intake/sources/:sourceId/token', {
    schema: { operationId: 'intake.sources.rotate_token', tags, summary: 'A new token for the source; the old one stops working at once', params: SourceParam, response: { 200: SourceWithToken } },
  }, async (req) => sources.rotateToken(actorOf(req), req.params.sourceId));

  app.post('/intake/sources/:sourceId/preview', {
    schema: {
      operationId: 'intake.sources.preview', tags, summary: 'What the source\'s mapping (or the one given) makes of a sample body; nothing is stored', params: SourceParam,
      body: z.object({ sample: z.unknown(), mapping: Mapping.optional() }),
      response: {
        200: z.object({
          ok: z.boolean(), error: z.string().nullable(),
          alerts: z.array(Alert.pick({ title: true, description: true, severity: true, sourceRef: true, observedAt: true, fingerprint: true, classification: true, observables: true, fields: true })),
        }),
      },
    },
  }, async (req) => sources.preview(actorOf(req), req.params.sourceId, req.body.sample, req.body.mapping));

  // Alerts
  app.get('/alerts', {
    schema: {
      operationId: 'alerts.list', tags, summary: 'Alerts you may see, newest first (keyset pages)',
      querystring: z.object({
        status: csv(AlertStatusEnum), severity: csv(SeverityEnum), source: SourceParam.shape.sourceId.optional(),
        incident: IncidentParam.shape.id.optional(), q: z.string().trim().min(1).max(500).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50), cursor: z.string().max(200).optional(),
      }),
      response: { 200: z.object({ items: z.array(Alert), nextCursor: z.string().nullable() }) },
    },
  }, async (req) => alerts.list(actorOf(req), req.query));

  app.get('/alerts/:alertId', {
    schema: { operationId: 'alerts.get', tags, summary: 'One alert with its arrivals, history and correlated incidents', params: AlertParam, response: { 200: AlertDetail } },
  }, async (req) => alerts.get(actorOf(req), req.params.alertId));

  app.get('/alerts/:alertId/raw', {
    schema: { operationId: 'alerts.raw', tags, summary: 'The body the alert first arrived in, unchanged (audited)', params: AlertParam, produces: ['application/octet-stream'] },
  }, async (req, reply) => {
    const raw = await alerts.raw(actorOf(req), req.params.alertId);
    return sendRaw(reply, { ...raw, filename: `${raw.reference}.raw` }, { 'x-alert-position': String(raw.position) });
  });

  // The unparsed queue
  app.get('/intake/items', {
    schema: {
      operationId: 'intake.items.list', tags, summary: 'Items not parsed yet (pending) or that failed to parse, oldest first',
      querystring: z.object({
        state: z.enum(['pending', 'failed']).optional(), channel: z.enum(['email', 'web_form', 'monitoring', 'api']).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50), cursor: z.string().max(200).optional(),
      }),
      response: { 200: z.object({ items: z.array(ItemInfo), nextCursor: z.string().nullable() }) },
    },
  }, async (req) => items.listUnparsed(actorOf(req), req.query));

  app.get('/intake/items/:itemId', {
    schema: { operationId: 'intake.items.get', tags, summary: 'One intake item (without its bytes)', params: ItemParam, response: { 200: ItemInfo } },
  }, async (req) => items.get(actorOf(req), req.params.itemId));

  app.get('/intake/items/:itemId/raw', {
    schema: { operationId: 'intake.items.raw', tags, summary: 'The item exactly as it arrived (audited)', params: ItemParam, produces: ['application/octet-stream'] },
  }, async (req, reply) => {
    const item = await items.raw(actorOf(req), req.params.itemId);
    return sendRaw(reply, { ...item, filename: `${item.id}.${item.channel === 'email' ? 'eml' : 'raw'}` });
  });

  app.post('/intake/items/:itemId/rerun', {
    schema: { operationId: 'intake.items.rerun', tags, summary: 'Parse an unparsed item again (after its source mapping or the parser was fixed)', params: ItemParam, response: { 200: ItemInfo } },
  }, async (req) => items.rerun(actorOf(req), req.params.itemId));

  app.post('/intake/items/:itemId/report', {
    schema: {
      operationId: 'intake.items.resolve', tags, summary: 'Make the report of an unparsed item by hand; the item keeps its bytes and points to the report',
      params: ItemParam,
      body: z.object({
        title: z.string().trim().min(1).max(300), body: z.string().max(200_000).optional(),
        channel: z.enum(['api', 'web_form', 'portal', 'email', 'phone', 'monitoring', 'other']).default('other'), tlp: TlpEnum.optional(),
        reporterName: optionalText(200), reporterEmail: z.email().max(320).nullable().optional(), organisation: optionalText(200),
      }),
      response: { 201: z.object({ id: z.uuid(), reference: z.string() }) },
    },
  }, async (req, reply) => {
    const r = await items.resolveByHand(actorOf(req), req.params.itemId, req.body);
    return reply.code(201).send({ id: r.id, reference: r.reference });
  });
};
