import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../../lib/http.ts';
import type { LinkService } from './links.service.ts';
import { IncidentParam, IncidentView, StatusEnum, TlpEnum, Version } from './schemas.ts';

const tags = ['incidents'];
const Kind = z.enum(['related', 'parent_of']);
const Other = IncidentParam.shape.id;
const Link = z.object({
  kind: z.enum(['related', 'parent_of', 'duplicate_of', 'merged_into']),
  direction: z.enum(['outgoing', 'incoming']),
  incident: z.object({ id: z.uuid(), reference: z.string(), title: z.string(), status: StatusEnum, tlp: TlpEnum }),
  createdAt: z.date(),
});

export const linkRoutes: FastifyPluginAsyncZod<{ links: LinkService }> = async (app, { links }) => {
  app.get('/incidents/:id/links', {
    schema: { operationId: 'incidents.links', tags, summary: 'Links to and from other incidents you may see', params: IncidentParam, response: { 200: z.object({ items: z.array(Link) }) } },
  }, async (req) => ({ items: await links.list(actorOf(req), req.params.id) }));

  app.post('/incidents/:id/links', {
    schema: {
      operationId: 'incidents.link', tags, summary: 'Link another incident (related, or this one as parent)', params: IncidentParam,
      body: z.object({ kind: Kind, incidentId: Other }), response: { 204: z.null() },
    },
  }, async (req, reply) => {
    await links.link(actorOf(req), req.params.id, req.body.kind, req.body.incidentId);
    return reply.code(204).send(null);
  });

  app.delete('/incidents/:id/links/:kind/:otherId', {
    schema: { operationId: 'incidents.unlink', tags, summary: 'Remove a link', params: IncidentParam.extend({ kind: Kind, otherId: Other }), response: { 204: z.null() } },
  }, async (req, reply) => {
    await links.unlink(actorOf(req), req.params.id, req.params.kind, req.params.otherId);
    return reply.code(204).send(null);
  });

  app.post('/incidents/:id/merge', {
    schema: {
      operationId: 'incidents.merge', tags, summary: 'Merge another incident into this one (it closes as a duplicate)', params: IncidentParam,
      body: z.object({ sourceId: Other, sourceVersion: Version }), response: { 200: IncidentView },
    },
  }, async (req) => links.merge(actorOf(req), req.params.id, req.body.sourceId, req.body.sourceVersion));
};
