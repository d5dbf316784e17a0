import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { VigilError } from '../../lib/errors.ts';
import { actorOf } from '../../lib/http.ts';
import { ClassificationIn, IncidentParam, IncidentView, Level, PapEnum, TlpEnum } from '../incidents/index.ts';
import { AbuseReportView, AlertChanged, AlertRef, Correlated, DismissalEnum, Observable, Suggestions } from '../intake/index.ts';
import { RejectionEnum, ReportParam, ReportVersion, TeamReport } from '../reports/index.ts';
import type { AlertTriageService } from './alerts.service.ts';
import type { ReportTriageService } from './reports.service.ts';
import type { TriageViewService } from './view.service.ts';

const ReportRef = ReportParam.shape.reportId;
const AlertParam = z.object({ alertId: AlertRef });
const Ids = z.array(AlertRef).min(1).max(500);
const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();

/** JSON bodies as every team route reads them, an empty body being no body. */
function readJson(app: FastifyInstance) {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const buf = body as Buffer;
    if (buf.length === 0) return done(null, undefined);
    parseJson(req, buf.toString('utf8'), done);
  });
}

type Deps = { reports: ReportTriageService; alerts: AlertTriageService; view: TriageViewService };

/**
 * Triage: what becomes of a report or an alert. The URLs are those of the things decided on
 * (`/reports/…`, `/alerts/…`, `/incidents/from-…`); two groups keep the body handling of the
 * routes they came from (reports: JSON or text; alerts: JSON only, anything else 415).
 */
export const triageRoutes: FastifyPluginAsyncZod<Deps> = async (app, deps) => {
  await app.register(reportTriageRoutes, deps);
  await app.register(alertTriageRoutes, deps);
};

const reportTriageRoutes: FastifyPluginAsyncZod<Deps> = async (app, { reports }) => {
  readJson(app);
  const tags = ['reports'];

  app.post('/reports/:reportId/link', {
    schema: {
      operationId: 'reports.link', tags, summary: 'Link a new report to an open incident (recorded on the incident)', params: ReportParam,
      body: z.object({ incident: IncidentParam.shape.id, version: ReportVersion }), response: { 200: TeamReport },
    },
  }, async (req) => reports.link(actorOf(req), req.params.reportId, req.body.incident, req.body.version));

  app.post('/reports/:reportId/merge', {
    schema: {
      operationId: 'reports.merge', tags, summary: 'Merge a new report into another report (a repeat); it follows that report\'s incident', params: ReportParam,
      body: z.object({ into: ReportParam.shape.reportId, version: ReportVersion }), response: { 200: TeamReport },
    },
  }, async (req) => reports.merge(actorOf(req), req.params.reportId, req.body.into, req.body.version));

  app.post('/reports/:reportId/reject', {
    schema: {
      operationId: 'reports.reject', tags, summary: 'Reject a new report with a reason', params: ReportParam,
      body: z.object({ reason: RejectionEnum, note: z.string().trim().max(5000).optional(), version: ReportVersion }), response: { 200: TeamReport },
    },
  }, async (req) => reports.reject(actorOf(req), req.params.reportId, req.body.reason, req.body.note, req.body.version));

  app.post('/reports/:reportId/reopen', {
    schema: {
      operationId: 'reports.reopen', tags, summary: 'Undo a link, merge or rejection: the report goes back to the queue', params: ReportParam,
      body: z.object({ reason: z.string().trim().min(1).max(2000), version: ReportVersion }), response: { 200: TeamReport },
    },
  }, async (req) => reports.reopen(actorOf(req), req.params.reportId, req.body.reason, req.body.version));

  app.post('/incidents/from-reports', {
    schema: {
      operationId: 'incidents.declare_from_reports', tags: ['incidents', 'reports'], summary: 'Declare an incident from new reports and link them to it',
      body: z.object({
        reports: z.array(ReportParam.shape.reportId).min(1).max(500),
        title: z.string().trim().min(1).max(300),
        summary: z.string().max(100_000).optional(),
        impact: Level,
        urgency: Level,
        tlp: TlpEnum.optional(),
        pap: PapEnum.optional(),
        constituent: z.string().trim().max(200).nullable().optional(),
        exercise: z.boolean().optional(),
        classifications: z.array(ClassificationIn).min(1).max(10),
      }),
      response: { 201: IncidentView },
    },
  }, async (req, reply) => {
    const { reports: ids, ...input } = req.body;
    return reply.code(201).send(await reports.declareFrom(actorOf(req), ids, input));
  });
};

const alertTriageRoutes: FastifyPluginAsyncZod<Deps> = async (app, { reports, alerts, view }) => {
  readJson(app);
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, _body, done) => {
    done(new VigilError('VIG_REQUEST_UNSUPPORTED_MEDIA_TYPE', { expected: 'application/json' }), undefined);
  });
  const tags = ['intake'];

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
  }, async (req) => view.forReport(actorOf(req), req.params.reportId));
};
