import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../../lib/http.ts';
import { IdParam, NoContent } from '../../lib/schemas.ts';
import { Version } from '../incidents/index.ts';
import { statisticsCsv } from './export.ts';
import { Activity, ActivityIn, AnnualKpis, Definition, DefinitionIn, definitionIn, MonthlyKpis } from './schemas.ts';
import type { KpiService } from './service.ts';

const tags = ['kpi'];
const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM');
const Format = z.enum(['json', 'csv']).default('json');
/** A year as four digits (not "0x7E8", " 2026" or "2026.0", which a number coercion would take). */
const Year = z.string().regex(/^\d{4}$/, 'a year such as 2026').transform(Number).pipe(z.number().int().min(2000).max(2999));
/** An instant as an ISO 8601 date or date-time with its offset (not "1", which a date coercion reads as the year 2001). */
const Instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).transform((v) => new Date(v));

/** KPIs and statistics (computed on request from the recorded events), KPI definitions, and the team's activities. */
export const kpiRoutes: FastifyPluginAsyncZod<{ kpi: KpiService }> = async (app, { kpi }) => {
  app.get('/kpi/monthly', {
    schema: {
      operationId: 'kpi.monthly', tags, summary: "A month's KPIs with targets, statistics, the month before's values and a twelve-month trend",
      querystring: z.object({
        month: Month.optional().describe("default: this month in the team's time zone"),
        compare: z.enum(['true', 'false']).default('true').describe('false: leave out the month before (half the work)'),
      }),
      response: { 200: MonthlyKpis },
    },
  }, async (req) => kpi.monthly(actorOf(req), req.query.month, { compare: req.query.compare === 'true' }));

  app.get('/kpi/annual', {
    schema: {
      operationId: 'kpi.annual', tags, summary: "A year's KPIs and statistics, and each month's",
      querystring: z.object({ year: Year }),
      response: { 200: AnnualKpis },
    },
  }, async (req) => kpi.annual(actorOf(req), req.query.year));

  app.get('/kpi/monthly/export', {
    schema: {
      operationId: 'kpi.monthlyExport', tags, summary: "A month's statistics as a CSV or JSON download (one row per figure in CSV)",
      querystring: z.object({ month: Month, format: Format }),
      response: { 200: z.string() },
    },
  }, async (req, reply) => {
    const k = await kpi.monthly(actorOf(req), req.query.month, { compare: false });
    const name = `vigil-statistics-${req.query.month}`;
    if (req.query.format === 'csv') {
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(statisticsCsv(k));
    }
    return reply.type('application/json; charset=utf-8').header('content-disposition', `attachment; filename="${name}.json"`).send(JSON.stringify(k, null, 2));
  });

  app.get('/kpi/annual/export', {
    schema: {
      operationId: 'kpi.annualExport', tags, summary: "A year's statistics as a CSV or JSON download",
      querystring: z.object({ year: Year, format: Format }),
      response: { 200: z.string() },
    },
  }, async (req, reply) => {
    const k = await kpi.annual(actorOf(req), req.query.year);
    const name = `vigil-statistics-${req.query.year}`;
    if (req.query.format === 'csv') {
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(statisticsCsv(k));
    }
    return reply.type('application/json; charset=utf-8').header('content-disposition', `attachment; filename="${name}.json"`).send(JSON.stringify(k, null, 2));
  });

  app.get('/kpi/definitions', {
    schema: { operationId: 'kpiDefinitions.list', tags, summary: 'KPI definitions and their targets', response: { 200: z.object({ items: z.array(Definition) }) } },
  }, async (req) => ({ items: await kpi.definitions(actorOf(req)) }));

  app.post('/kpi/definitions', {
    schema: { operationId: 'kpiDefinitions.create', tags, summary: 'Define a KPI', body: DefinitionIn, response: { 201: Definition } },
  }, async (req, reply) => reply.code(201).send(await kpi.createDefinition(actorOf(req), req.body)));

  app.put('/kpi/definitions/:id', {
    schema: { operationId: 'kpiDefinitions.update', tags, summary: 'Change a KPI definition or its target', params: IdParam, body: definitionIn({ version: Version }), response: { 200: Definition } },
  }, async (req) => kpi.updateDefinition(actorOf(req), req.params.id, req.body));

  app.delete('/kpi/definitions/:id', {
    schema: { operationId: 'kpiDefinitions.delete', tags, summary: 'Delete a KPI definition', params: IdParam, response: { 204: NoContent } },
  }, async (req, reply) => {
    await kpi.removeDefinition(actorOf(req), req.params.id);
    return reply.code(204).send(null);
  });

  app.get('/activities', {
    schema: {
      operationId: 'activities.list', tags, summary: "The team's activities that started in [from, to)",
      querystring: z.object({ from: Instant, to: Instant }).refine((q) => q.to > q.from && q.to.getTime() - q.from.getTime() <= 3 * 366 * 86_400_000, 'to after from, at most three years'),
      response: { 200: z.object({ items: z.array(Activity) }) },
    },
  }, async (req) => ({ items: await kpi.activities(actorOf(req), req.query.from, req.query.to) }));

  app.get('/activities/:id', {
    schema: { operationId: 'activities.get', tags, summary: 'A team activity', params: IdParam, response: { 200: Activity } },
  }, async (req) => kpi.activity(actorOf(req), req.params.id));

  app.post('/activities', {
    schema: { operationId: 'activities.create', tags, summary: 'Record a team activity (meeting, campaign, training, exercise)', body: ActivityIn, response: { 201: Activity } },
  }, async (req, reply) => reply.code(201).send(await kpi.recordActivity(actorOf(req), req.body)));

  app.put('/activities/:id', {
    schema: { operationId: 'activities.update', tags, summary: 'Change a team activity', params: IdParam, body: ActivityIn.extend({ version: Version }), response: { 200: Activity } },
  }, async (req) => kpi.updateActivity(actorOf(req), req.params.id, req.body));

  app.delete('/activities/:id', {
    schema: { operationId: 'activities.delete', tags, summary: 'Delete a team activity', params: IdParam, response: { 204: NoContent } },
  }, async (req, reply) => {
    await kpi.removeActivity(actorOf(req), req.params.id);
    return reply.code(204).send(null);
  });
};
