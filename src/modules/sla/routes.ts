import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../../lib/http.ts';
import { IdParam, NoContent } from '../../lib/schemas.ts';
import { IncidentParam, Version } from '../incidents/index.ts';
import type { SlaService } from './service.ts';

const tags = ['sla'];
const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'HH:MM');
const Minutes = z.number().int().min(1).max(525_600).nullable().default(null).describe('working minutes; null: no target');

const Calendar = z.object({
  kind: z.enum(['24x7', 'business_hours']),
  timeZone: z.string().min(1).max(64).describe('IANA time zone, e.g. Europe/Berlin'),
  days: z.array(z.number().int().min(1).max(7)).max(7).default([1, 2, 3, 4, 5]).describe('ISO weekdays with business hours (1 = Monday)'),
  start: HHMM.default('09:00'),
  end: HHMM.default('17:00'),
  holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD')).max(400).default([]).describe('local dates without business hours'),
}).meta({ id: 'SlaCalendar' });

const PolicyIn = z.object({
  priority: z.enum(['P1', 'P2', 'P3', 'P4']),
  constituentId: z.uuid().nullable().default(null).describe("a constituent's own policy, used while it has an SLA agreement in force; null: the team's"),
  calendar: Calendar,
  acknowledgeMinutes: Minutes,
  firstResponseMinutes: Minutes,
  containmentMinutes: Minutes,
  resolutionMinutes: Minutes,
  warnPercent: z.number().int().min(50).max(99).default(80).describe('the warning before breach comes at this share of the target'),
});

const Policy = PolicyIn.extend({
  id: z.uuid(),
  constituentName: z.string().nullable(),
  calendar: Calendar,
  version: z.number().int(),
  createdAt: z.date(),
  updatedAt: z.date(),
  updatedBy: z.uuid().nullable(),
}).meta({ id: 'SlaPolicy' });

const MetricClock = z.object({
  metric: z.enum(['acknowledge', 'first_response', 'containment', 'resolution']),
  targetMinutes: z.number().int(),
  state: z.enum(['running', 'paused', 'met', 'breached', 'met_late']),
  elapsedMs: z.number(),
  remainingMs: z.number().describe('negative when overdue'),
  deadline: z.date().nullable().describe('null while paused'),
  warningAt: z.date().nullable(),
  breachedAt: z.date().nullable(),
  metAt: z.date().nullable(),
}).meta({ id: 'SlaClock' });

export const slaRoutes: FastifyPluginAsyncZod<{ sla: SlaService }> = async (app, { sla }) => {
  app.get('/sla/policies', {
    schema: { operationId: 'slaPolicies.list', tags, summary: "SLA policies: the team's per priority, then constituents' own", response: { 200: z.object({ items: z.array(Policy) }) } },
  }, async (req) => ({ items: await sla.list(actorOf(req)) }));

  app.post('/sla/policies', {
    schema: { operationId: 'slaPolicies.create', tags, summary: 'Create an SLA policy', body: PolicyIn, response: { 201: Policy } },
  }, async (req, reply) => reply.code(201).send(await sla.create(actorOf(req), req.body)));

  app.put('/sla/policies/:id', {
    schema: { operationId: 'slaPolicies.replace', tags, summary: 'Replace an SLA policy (409 on a stale version)', params: IdParam, body: PolicyIn.extend({ version: Version }), response: { 200: Policy } },
  }, async (req) => sla.update(actorOf(req), req.params.id, req.body));

  app.delete('/sla/policies/:id', {
    schema: { operationId: 'slaPolicies.delete', tags, summary: 'Delete an SLA policy', params: IdParam, response: { 204: NoContent } },
  }, async (req, reply) => {
    await sla.remove(actorOf(req), req.params.id);
    return reply.code(204).send(null);
  });

  app.get('/incidents/:id/sla', {
    schema: {
      operationId: 'incidents.sla', tags, summary: "The incident's SLA clocks: time left, breached, met; computed from its events", params: IncidentParam,
      response: { 200: z.object({ policy: Policy.nullable(), paused: z.boolean(), clocks: z.array(MetricClock) }) },
    },
  }, async (req) => sla.clocks(actorOf(req), req.params.id));

  app.post('/incidents/:id/sla/pause', {
    schema: {
      operationId: 'incidents.sla.pause', tags, summary: 'Stop the clocks while waiting on the constituent', params: IncidentParam,
      body: z.object({ reason: z.string().trim().min(1).max(500) }), response: { 204: NoContent },
    },
  }, async (req, reply) => {
    await sla.pause(actorOf(req), req.params.id, req.body.reason);
    return reply.code(204).send(null);
  });

  app.post('/incidents/:id/sla/resume', {
    schema: { operationId: 'incidents.sla.resume', tags, summary: 'Start the clocks again', params: IncidentParam, response: { 204: NoContent } },
  }, async (req, reply) => {
    await sla.resume(actorOf(req), req.params.id);
    return reply.code(204).send(null);
  });
};
