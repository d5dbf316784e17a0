import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../../lib/http.ts';
import { IncidentParam, PriorityEnum, StatusEnum, TlpEnum } from '../incidents/index.ts';
import { OBSERVABLE_TYPES } from './normalise.ts';
import type { ObservableService } from './service.ts';

const tags = ['observables'];
const Type = z.enum(OBSERVABLE_TYPES);
const Tags = z.array(z.string().trim().min(1).max(64)).max(30);
const Observable = z
  .object({ id: z.uuid(), type: z.string(), value: z.string(), ioc: z.boolean(), tlp: TlpEnum, tags: z.array(z.string()), firstSeen: z.date(), lastSeen: z.date() })
  .meta({ id: 'Observable' });
const Linked = Observable.extend({ addedAt: z.date(), addedBy: z.uuid().nullable() });
const ObsParam = IncidentParam.extend({ observableId: z.uuid() });

export const observableRoutes: FastifyPluginAsyncZod<{ observables: ObservableService }> = async (app, { observables }) => {
  app.get('/incidents/:id/observables', {
    schema: { operationId: 'observables.list', tags, summary: 'Observables of an incident', params: IncidentParam, response: { 200: z.object({ items: z.array(Linked) }) } },
  }, async (req) => ({ items: await observables.list(actorOf(req), req.params.id) }));

  app.post('/incidents/:id/observables', {
    schema: {
      operationId: 'observables.add', tags, summary: 'Add observables (validated and normalised; one record per value)', params: IncidentParam,
      body: z.object({
        items: z.array(z.object({ type: Type, value: z.string().max(4000), ioc: z.boolean().optional(), tlp: TlpEnum.optional(), tags: Tags.optional() })).min(1).max(1000),
      }),
      response: { 200: z.object({ added: z.number().int(), alreadyLinked: z.number().int() }) },
    },
  }, async (req) => observables.add(actorOf(req), req.params.id, req.body.items));

  app.post('/observables/extract', {
    schema: {
      operationId: 'observables.extract', tags, summary: 'Find observables in pasted text, defanged forms included (writes nothing)',
      body: z.object({ text: z.string().max(500_000) }),
      response: { 200: z.object({ items: z.array(z.object({ type: Type, value: z.string() })) }) },
    },
  }, async (req) => ({ items: observables.extract(actorOf(req), req.body.text) }));

  app.patch('/incidents/:id/observables/:observableId', {
    schema: {
      operationId: 'observables.update', tags, summary: 'Set the IOC flag, TLP or tags', params: ObsParam,
      body: z.object({ ioc: z.boolean().optional(), tlp: TlpEnum.optional(), tags: Tags.optional() }).refine((b) => Object.keys(b).length > 0, 'names nothing to change'),
      response: { 200: Observable },
    },
  }, async (req) => observables.update(actorOf(req), req.params.id, req.params.observableId, req.body));

  app.delete('/incidents/:id/observables/:observableId', {
    schema: { operationId: 'observables.remove', tags, summary: 'Unlink an observable from the incident', params: ObsParam, response: { 204: z.null() } },
  }, async (req, reply) => {
    await observables.remove(actorOf(req), req.params.id, req.params.observableId);
    return reply.code(204).send(null);
  });

  app.get('/incidents/:id/similar', {
    schema: {
      operationId: 'observables.similar', tags, summary: 'Incidents sharing observables with this one', params: IncidentParam,
      response: {
        200: z.object({
          items: z.array(z.object({ id: z.uuid(), reference: z.string(), title: z.string(), status: StatusEnum, priority: PriorityEnum, tlp: TlpEnum, createdAt: z.date(), shared: z.number().int() })),
        }),
      },
    },
  }, async (req) => ({ items: await observables.similar(actorOf(req), req.params.id) }));

  app.get('/observables', {
    schema: {
      operationId: 'observables.search', tags,
      summary: 'Where has this been seen? Exact value; an IP address also finds the networks containing it; suffix=true finds subdomains of a domain',
      querystring: z.object({
        value: z.string().min(1).max(4000),
        type: Type.optional(),
        suffix: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
      }),
      response: {
        200: z.object({
          items: z.array(Observable.extend({
            incidents: z.array(z.object({ id: z.uuid(), reference: z.string(), title: z.string(), status: StatusEnum, tlp: TlpEnum, createdAt: z.date() }))
              .describe('incidents you may see that have it (newest 20)'),
          })),
        }),
      },
    },
  }, async (req) => ({ items: await observables.search(actorOf(req), req.query.value, req.query.type, req.query.suffix ?? false) }));
};
