import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { VigilError } from '../../lib/errors.ts';
import { actorOf, sendRaw } from '../../lib/http.ts';
import { csv } from '../../lib/schemas.ts';
import { ClassificationIn, IncidentParam, IncidentView, Level, PapEnum, TlpEnum } from '../incidents/index.ts';
import type { ReportService } from '../reports/index.ts';
import type { AlertService } from './alerts.service.ts';
import type { IntakeItemService } from './items.service.ts';
import type { SourceService } from './sources.service.ts';
import type { TriageService } from './triage.service.ts';

const tags = ['intake'];

const SeverityEnum = z.enum(['info', 'low', 'medium', 'high', 'critical']);
const AlertStatusEnum = z.enum(['new', 'acknowledged', 'escalated', 'dismissed']);
const DismissalEnum = z.enum(['false_positive', 'benign', 'duplicate', 'test', 'outside_mandate']);

/** An alert's id or reference (VIG-A-2026-000042). */
const AlertRef = z.union([z.uuid(), z.string().regex(/^[A-Z][A-Z0-9]{1,11}-A-\d{4}-\d{6,}$/, 'an alert id or reference')]);
const AlertParam = z.object({ alertId: AlertRef });
const SourceParam = z.object({ sourceId: z.union([z.uuid(), z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'a source id or name')]) });
const ItemParam = z.object({ itemId: z.uuid() });
const ReportRef = z.union([z.uuid(), z.string().regex(/^[A-Z][A-Z0-9]{1,11}-R-\d{4}-\d{6,}$/, 'a report id or reference')]);

const Observable = z.object({ type: z.string(), value: z.string() });
const Alert = z
  .object({
    id: z.uuid(),
    reference: z.string(),
    sourceId: z.uuid(),
    sourceName: z.string(),
    status: AlertStatusEnum,
    title: z.string(),
    description: z.string(),
    severity: SeverityEnum,
    tlp: TlpEnum,
    fingerprint: z.string(),
    sourceRef: z.string().nullable(),
    observedAt: z.date().nullable(),
    classification: z.object({ class: z.string(), type: z.string() }).nullable().describe('suggested by the source mapping'),
    observables: z.array(Observable),
    fields: z.record(z.string(), z.unknown()),
    createdAt: z.date(),
    incidentId: z.uuid().nullable(),
    dismissal: DismissalEnum.nullable(),
    dismissalNote: z.string().nullable(),
    decidedBy: z.uuid().nullable(),
    decidedAt: z.date().nullable(),
    version: z.number().int(),
    updatedAt: z.date(),
    arrivals: z.number().int().describe('how many times it arrived (deduplicated repeats included)'),
    lastSeen: z.date(),
  })
  .meta({ id: 'Alert' });
const AlertChanged = Alert.omit({ sourceName: true, arrivals: true, lastSeen: true });

const Correlated = z.object({
  id: z.uuid(), reference: z.string(), title: z.string(), status: z.string(), priority: z.string(), tlp: z.string(), constituent: z.string().nullable(),
  createdAt: z.date(), sharedObservables: z.array(z.string()), sameConstituent: z.boolean(), sameType: z.boolean(),
}).meta({ id: 'CorrelatedIncident' });

const Suggestions = z.object({
  classifications: z.array(z.object({ class: z.string(), type: z.string(), reason: z.string() })),
  impact: Level, urgency: Level, priority: z.enum(['P1', 'P2', 'P3', 'P4']).describe('from the team\'s priority matrix'),
  constituents: z.array(z.object({
    constituent: z.object({ id: z.uuid(), name: z.string(), criticality: Level, sector: z.string() }),
    rule: z.enum(['netblock', 'domain', 'email_domain', 'asn']), matched: z.string(), from: z.string(),
  })).optional().describe('constituents routed from the reporter\'s e-mail address and the observables (see docs/constituents.md)'),
  impactReason: z.string().nullable().optional().describe('set when a constituent\'s criticality raised the impact'),
}).describe('suggestions only: the handler decides').meta({ id: 'TriageSuggestions' });

const AlertDetail = Alert.extend({
  suggestions: Suggestions,
  incident: z.object({ id: z.uuid(), reference: z.string(), status: z.string(), title: z.string() }).nullable(),
  arrivalList: z.array(z.object({ intakeItemId: z.uuid(), position: z.number().int(), receivedAt: z.date() })).describe('the latest 100 arrivals'),
  events: z.array(z.object({ id: z.coerce.string(), at: z.date(), actor: z.string(), kind: z.string(), data: z.record(z.string(), z.unknown()) })),
  correlation: z.array(Correlated).describe('open incidents sharing observables or of the same RSIT type in the last 7 days'),
}).meta({ id: 'AlertDetail' });

const AbuseReportView = z.object({
  format: z.enum(['arf', 'x-arf']),
  kind: z.string().describe('ARF Feedback-Type, or X-ARF category/type'),
  observedAt: z.date().nullable().describe('when the abuse happened: ARF Arrival-Date, X-ARF timestamp'),
  fields: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
  observables: z.array(Observable),
  classification: z.object({ class: z.string(), type: z.string() }).nullable().describe('the RSIT class/type its kind suggests'),
  parties: z.array(z.string()).describe('who sent the report (X-ARF reporter and sender contact and domain); never listed as observables'),
}).meta({ id: 'AbuseReport' });

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

const Ids = z.array(AlertRef).min(1).max(500);
const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();

/**
 * Monitoring intake (sources post alerts with their own tokens), the alert queue, the unparsed
 * queue, and declaring an incident from any mix of reports and alerts.
 */
export const intakeRoutes: FastifyPluginAsyncZod<{ alerts: AlertService; sources: SourceService; items: IntakeItemService; reports: ReportService; triage: TriageService }> = async (
  app,
  { alerts, sources, items, reports, triage },
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

  app.post('/alerts/acknowledge', {
    schema: { operationId: 'alerts.acknowledge', tags, summary: 'Acknowledge new alerts (someone is on them)', body: z.object({ alerts: Ids }), response: { 200: z.array(AlertChanged) } },
  }, async (req) => alerts.acknowledge(actorOf(req), req.body.alerts));

  app.post('/alerts/dismiss', {
    schema: {
      operationId: 'alerts.dismiss', tags, summary: 'Dismiss alerts with a reason',
      body: z.object({ alerts: Ids, reason: DismissalEnum, note: z.string().trim().max(5000).optional() }), response: { 200: z.array(AlertChanged) },
    },
  }, async (req) => alerts.dismiss(actorOf(req), req.body.alerts, req.body.reason, req.body.note));

  app.post('/alerts/link', {
    schema: {
      operationId: 'alerts.link', tags, summary: 'Put alerts on an open incident (recorded there; their observables are linked)',
      body: z.object({ alerts: Ids, incident: IncidentParam.shape.id }), response: { 200: z.array(AlertChanged) },
    },
  }, async (req) => alerts.link(actorOf(req), req.body.alerts, req.body.incident));

  app.post('/alerts/:alertId/reopen', {
    schema: {
      operationId: 'alerts.reopen', tags, summary: 'Back to the queue (a dismissed or acknowledged alert)', params: AlertParam,
      body: z.object({ reason: z.string().trim().min(1).max(2000), version: z.number().int().min(1).optional() }), response: { 200: AlertChanged },
    },
  }, async (req) => alerts.reopen(actorOf(req), req.params.alertId, req.body.reason, req.body.version));

  app.post('/incidents/from-items', {
    schema: {
      operationId: 'incidents.declare_from_items', tags: ['incidents', 'intake'],
      summary: 'Declare an incident from new reports and open alerts, in one transaction: reports are linked, alerts escalated',
      body: z
        .object({
          reports: z.array(ReportRef).max(500).default([]),
          alerts: z.array(AlertRef).max(500).default([]),
          title: z.string().trim().min(1).max(300),
          summary: z.string().max(100_000).optional(),
          impact: Level,
          urgency: Level,
          tlp: TlpEnum.optional(),
          pap: PapEnum.optional(),
          constituent: optionalText(200),
          exercise: z.boolean().optional(),
          classifications: z.array(ClassificationIn).min(1).max(10),
        })
        .refine((b) => b.reports.length + b.alerts.length > 0, { message: 'name at least one report or alert', path: ['reports'] }),
      response: { 201: IncidentView },
    },
  }, async (req, reply) => {
    const { reports: reportIds, alerts: alertIds, ...input } = req.body;
    const actor = actorOf(req);
    const incident = await reports.declareFrom(actor, reportIds, input, (tx, inc) => alerts.escalateIn(tx, actor, alertIds, inc));
    return reply.code(201).send(incident);
  });

  app.get('/reports/:reportId/triage', {
    schema: {
      operationId: 'reports.triage', tags: ['reports', 'intake'],
      summary: 'Beside a report: the observables in its text, open incidents it may belong to, suggested classification and priority, repeats and replies, attachments',
      params: z.object({ reportId: ReportRef }),
      response: {
        200: z.object({
          observables: z.array(Observable),
          abuseReports: z.array(AbuseReportView).describe('ARF (RFC 5965) and X-ARF v4 reports the report carries, read field by field'),
          correlation: z.array(Correlated),
          suggestions: Suggestions,
          messages: z.array(z.object({
            id: z.uuid(), kind: z.enum(['repeat', 'reply', 'reporter_update']), intakeItemId: z.uuid().nullable(), receivedAt: z.date(),
            sender: z.string().nullable(), subject: z.string().nullable(), body: z.string(),
          })),
          attachments: z.array(z.object({
            id: z.uuid(), messageId: z.uuid().nullable(), filename: z.string(), contentType: z.string(), size: z.number(), sha256: z.string().nullable(),
            stored: z.boolean(), flags: z.array(z.string()), createdAt: z.date(),
          })),
        }),
      },
    },
  }, async (req) => triage.forReport(actorOf(req), req.params.reportId));

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
