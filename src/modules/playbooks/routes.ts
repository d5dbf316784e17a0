import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../../lib/http.ts';
import { IncidentParam, PriorityEnum } from '../incidents/index.ts';
import type { PlaybookService } from './service.ts';

const tags = ['playbooks'];
const Phase = z.enum(['triage', 'analysis', 'containment', 'eradication', 'recovery', 'post_incident']);
const PlaybookTask = z.object({
  key: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and -'),
  phase: Phase,
  title: z.string().trim().min(1).max(300),
  description: z.string().max(5000).default(''),
  checklist: z.array(z.string().trim().min(1).max(500)).max(50).default([]),
});
const Playbook = z
  .object({
    key: z.string(), name: z.string(), description: z.string(), matchRsit: z.array(z.string()), priorities: z.array(PriorityEnum),
    tasks: z.array(PlaybookTask), builtin: z.boolean(), enabled: z.boolean(), version: z.number().int(), updatedBy: z.uuid().nullable(), updatedAt: z.date(),
  })
  .meta({ id: 'Playbook' });
const KeyParam = z.object({ key: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'a playbook key') });
const TaskOut = z.object({ id: z.uuid(), phase: Phase, title: z.string(), templateKey: z.string().nullable() });

export const playbookRoutes: FastifyPluginAsyncZod<{ playbooks: PlaybookService }> = async (app, { playbooks }) => {
  app.get('/playbooks', {
    schema: { operationId: 'playbooks.list', tags, summary: 'All playbooks', response: { 200: z.object({ items: z.array(Playbook) }) } },
  }, async (req) => ({ items: await playbooks.list(actorOf(req)) }));

  app.get('/playbooks/:key', {
    schema: { operationId: 'playbooks.get', tags, summary: 'One playbook', params: KeyParam, response: { 200: Playbook } },
  }, async (req) => playbooks.get(actorOf(req), req.params.key));

  app.put('/playbooks/:key', {
    schema: {
      operationId: 'playbooks.save', tags, summary: 'Create or replace a playbook (replacing needs the version read)', params: KeyParam,
      body: z.object({
        version: z.number().int().min(1).optional(),
        name: z.string().trim().min(1).max(200),
        description: z.string().max(5000).optional(),
        matchRsit: z.array(z.string().max(80)).max(50),
        priorities: z.array(PriorityEnum).max(4).optional(),
        tasks: z.array(PlaybookTask).min(1).max(100),
        enabled: z.boolean().optional(),
      }),
      response: { 200: Playbook, 201: Playbook },
    },
  }, async (req, reply) => {
    const r = await playbooks.save(actorOf(req), req.params.key, req.body);
    return reply.code(r.created ? 201 : 200).send(r.playbook);
  });

  app.get('/incidents/:id/playbooks', {
    schema: {
      operationId: 'playbooks.suggest', tags, summary: 'Playbooks suggested by the incident\'s classification and priority', params: IncidentParam,
      response: { 200: z.object({ items: z.array(Playbook) }) },
    },
  }, async (req) => ({ items: await playbooks.suggest(actorOf(req), req.params.id) }));

  app.post('/incidents/:id/playbooks/:key/apply', {
    schema: {
      operationId: 'playbooks.apply', tags, summary: 'Add the playbook\'s tasks the incident does not have yet',
      params: IncidentParam.extend(KeyParam.shape),
      response: { 200: z.object({ created: z.array(TaskOut), skipped: z.number().int() }) },
    },
  }, async (req) => playbooks.apply(actorOf(req), req.params.id, req.params.key));
};
