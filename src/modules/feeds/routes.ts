import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { actorOf } from '../../lib/http.ts';
import { VigilError } from '../../lib/errors.ts';
import { TlpEnum } from '../incidents/index.ts';
import type { FeedService } from './service.ts';

const tags = ['feeds'];
const FeedTlpEnum = TlpEnum;
const ParserEnum = z.enum(['intelmq', 'csv', 'list', 'xarf']);

const Feed = z.object({
  id: z.uuid(), name: z.string(), provider: z.string(), documentationUrl: z.string().nullable(), parser: ParserEnum,
  parserSettings: z.record(z.string(), z.unknown()), classificationType: z.string().nullable(), tlp: FeedTlpEnum, accuracy: z.number().int(),
  enabled: z.boolean(), version: z.number().int(), createdAt: z.date(), updatedAt: z.date(),
}).meta({ id: 'Feed' });

const FeedReport = z.object({
  id: z.uuid(), feedId: z.uuid(), via: z.enum(['upload', 'cli']), filename: z.string().nullable(), contentType: z.string(), size: z.number().int(),
  sha256: z.string(), receivedAt: z.date(), status: z.enum(['received', 'parsing', 'parsed', 'failed']),
  lines: z.number().int(), events: z.number().int(), failed: z.number().int(), duplicates: z.number().int(), routed: z.number().int(),
  encoding: z.string().nullable(), error: z.string().nullable(), finishedAt: z.date().nullable(),
}).meta({ id: 'FeedReport' });

const FeedEvent = z.object({
  id: z.number().int(), feedId: z.uuid(), reportId: z.uuid(), line: z.number().int(), timeObservation: z.date(), tlp: FeedTlpEnum,
  constituentId: z.uuid().nullable(), route: z.object({ rule: z.string(), matched: z.string().nullable() }).nullable(),
  event: z.record(z.string(), z.unknown()).describe('the harmonised event: IntelMQ field names, flat'),
}).meta({ id: 'FeedEvent' });

const FeedBody = z.strictObject({
  name: z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,99}$/, 'letters, digits, spaces and . _ ( ) -, up to 100, starting with a letter or digit'),
  provider: z.string().trim().max(200).optional(),
  documentationUrl: z.url({ protocol: /^https?$/ }).max(2000).nullable().optional(),
  parser: ParserEnum,
  parserSettings: z.record(z.string(), z.unknown()).optional().describe('the parser\'s settings (docs/feeds.md): a CSV mapping, a list\'s classification type, ...'),
  classificationType: z.string().regex(/^[a-z][a-z-]{1,60}$/).nullable().optional().describe('the RSIT type of events that do not say'),
  tlp: FeedTlpEnum.optional(),
  accuracy: z.number().int().min(0).max(100).optional(),
  enabled: z.boolean().optional(),
});
const FeedParam = z.object({ feed: z.string().trim().min(1).max(100).describe('the feed\'s id or name') });
const ReportParam = z.object({ reportId: z.uuid() });
const Filename = z.string().trim().min(1).max(255)
  .refine((v) => !/[\\/\u0000-\u001f\u007f]/.test(v) && v !== '.' && v !== '..', 'a file name without path separators or control characters');

export const feedRoutes: FastifyPluginAsyncZod<{ feeds: FeedService; maxBytes: number }> = async (app, { feeds, maxBytes }) => {
  app.get('/feeds', {
    schema: { operationId: 'feeds.list', tags, summary: 'The configured feeds', response: { 200: z.object({ items: z.array(Feed) }) } },
  }, async (req) => ({ items: await feeds.list(actorOf(req)) }));

  app.post('/feeds', {
    schema: { operationId: 'feeds.create', tags, summary: 'Configure a feed (its parser settings are checked)', body: FeedBody, response: { 201: Feed } },
  }, async (req, reply) => reply.code(201).send(await feeds.create(actorOf(req), req.body)));

  app.get('/feeds/:feed', {
    schema: { operationId: 'feeds.get', tags, summary: 'One feed, by id or name', params: FeedParam, response: { 200: Feed } },
  }, async (req) => feeds.get(actorOf(req), req.params.feed));

  app.put('/feeds/:feed', {
    schema: {
      operationId: 'feeds.update', tags, summary: 'Change a feed (the version you read; 409 with the current one otherwise)', params: FeedParam,
      body: FeedBody.extend({ version: z.number().int().min(1) }), response: { 200: Feed },
    },
  }, async (req) => {
    const { version, ...input } = req.body;
    return feeds.update(actorOf(req), req.params.feed, version, input);
  });

  app.get('/feeds/:feed/reports', {
    schema: {
      operationId: 'feeds.reports', tags, summary: 'Reports the feed delivered, newest first (keyset pages)', params: FeedParam,
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), cursor: z.string().max(500).optional() }),
      response: { 200: z.object({ items: z.array(FeedReport), nextCursor: z.string().nullable() }) },
    },
  }, async (req) => feeds.reports(actorOf(req), req.params.feed, req.query));

  app.get('/feed-reports/:reportId', {
    schema: {
      operationId: 'feeds.report', tags, summary: 'One report of a feed, with the lines it refused (line, reason, the raw line)', params: ReportParam,
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), afterLine: z.coerce.number().int().min(0).optional() }),
      response: { 200: FeedReport.extend({ parseErrors: z.array(z.object({ line: z.number().int(), reason: z.string(), raw: z.string() })) }) },
    },
  }, async (req) => feeds.report(actorOf(req), req.params.reportId, req.query));

  app.get('/feed-events', {
    schema: {
      operationId: 'feeds.events', tags, summary: 'Harmonised events you may see (TLP and constituent scope), newest first (keyset pages)',
      querystring: z.object({
        feed: z.string().trim().min(1).max(100).optional(),
        report: z.uuid().optional(),
        constituent: z.uuid().optional(),
        unrouted: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('only events routed to no constituent'),
        type: z.string().regex(/^[a-z][a-z-]{1,60}$/).optional().describe('classification.type'),
        sourceIp: z.string().max(60).regex(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/, 'an address or CIDR network').optional(),
        since: z.iso.datetime({ offset: true }).transform((v) => new Date(v)).optional(),
        until: z.iso.datetime({ offset: true }).transform((v) => new Date(v)).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
        cursor: z.string().max(500).optional(),
      }),
      response: { 200: z.object({ items: z.array(FeedEvent), nextCursor: z.string().nullable() }) },
    },
  }, async (req) => {
    const q = req.query;
    return feeds.events(actorOf(req), {
      feed: q.feed, reportId: q.report, constituentId: q.constituent, unrouted: q.unrouted, classificationType: q.type, sourceIp: q.sourceIp,
      since: q.since, until: q.until, limit: q.limit, cursor: q.cursor,
    });
  });

  // A report arrives as the raw request body, streamed to the blob store (never buffered whole).
  await app.register(async (upload) => {
    upload.removeAllContentTypeParsers();
    upload.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    upload.addHook('onSend', async (req, reply, payload) => {
      if (!req.raw.complete) reply.header('connection', 'close');
      return payload;
    });
    upload.withTypeProvider<ZodTypeProvider>().post('/feeds/:feed/reports', {
      bodyLimit: maxBytes,
      schema: {
        operationId: 'feeds.upload', tags,
        summary: 'Hand the feed a report to read (body: the file as it came: CSV, JSON lines, a list, X-ARF); answered at once with the report, read in the background',
        params: FeedParam,
        querystring: z.object({ filename: Filename.optional() }),
        response: { 202: FeedReport },
      },
    }, async (req, reply) => {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > maxBytes) throw new VigilError('VIG_FEED_REPORT_TOO_LARGE', { maxBytes });
      const report = await feeds.receive(actorOf(req), req.params.feed, {
        via: 'upload', filename: req.query.filename ?? null, contentType: String(req.headers['content-type'] ?? 'application/octet-stream'), body: req.body as Readable,
      });
      return reply.code(202).send(report);
    });
  });
};
