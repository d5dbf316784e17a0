import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Actor } from '../../lib/actor.ts';
import { csv } from '../../lib/schemas.ts';
import { actorOf } from '../../lib/http.ts';
import type { IncidentFilter } from './repo.ts';
import type { IncidentDetailService } from './details.service.ts';
import {
  ClassificationIn, IncidentParam, IncidentRoleEnum, IncidentView, Lessons, Level, ListQuery, OpenStatusEnum, PapEnum,
  ResolutionEnum, TimelineEntry, TlpEnum, Version,
} from './schemas.ts';
import type { IncidentService } from './service.ts';
import { canonicalRsit } from './taxonomy.ts';

const tags = ['incidents'];

type ListFilters = Omit<z.infer<typeof ListQuery>, 'sort' | 'limit' | 'cursor'>;
/** The list query as repository filters ('me' and 'none' resolved for the caller). */
function filterOf(q: ListFilters, actor: Actor): Omit<IncidentFilter, 'limit'> {
  const me = actor.userId ?? '00000000-0000-0000-0000-000000000000';
  return {
    status: q.status, open: q.open, priority: q.priority, tlp: q.tlp, exercise: q.exercise, constituent: q.constituent,
    classType: q.class ? { class: canonicalRsit(q.class), type: q.type ? canonicalRsit(q.type) : undefined } : undefined,
    roleHolder: q.roleHolder === 'me' ? me : q.roleHolder,
    assignee: q.assignee === undefined ? undefined : q.assignee === 'none' ? null : q.assignee === 'me' ? me : q.assignee,
    createdFrom: q.createdFrom, createdTo: q.createdTo, q: q.q,
  };
}
const One = { 200: IncidentView };
const Fields = {
  title: z.string().trim().min(1).max(300),
  summary: z.string().max(100_000),
  impact: Level,
  urgency: Level,
  tlp: TlpEnum,
  pap: PapEnum,
  constituent: z.string().trim().max(200).nullable(),
  exercise: z.boolean(),
};

export const incidentRoutes: FastifyPluginAsyncZod<{ incidents: IncidentService; details: IncidentDetailService }> = async (
  app,
  { incidents, details },
) => {
  app.get('/incidents', {
    schema: {
      operationId: 'incidents.list', tags, summary: 'Incidents you may see, filtered and sorted (keyset pages)', querystring: ListQuery,
      response: { 200: z.object({ items: z.array(IncidentView), nextCursor: z.string().nullable() }) },
    },
  }, async (req) => {
    const q = req.query;
    const actor = actorOf(req);
    return incidents.list(actor, { ...filterOf(q, actor), sort: q.sort, limit: q.limit, cursor: q.cursor });
  });

  app.get('/incidents/count', {
    schema: {
      operationId: 'incidents.count', tags, summary: 'How many incidents you may see match the filters (same filters as the list)',
      querystring: ListQuery.omit({ sort: true, limit: true, cursor: true }),
      response: { 200: z.object({ count: z.number().int() }) },
    },
  }, async (req) => incidents.count(actorOf(req), filterOf(req.query, actorOf(req))));

  app.post('/incidents/assign', {
    schema: {
      operationId: 'incidents.assign', tags, summary: 'Assign one or many incidents to a handler or manager (null: unassign); all or none',
      body: z.object({ incidents: z.array(IncidentParam.shape.id).min(1).max(500), assigneeId: z.uuid().nullable() }),
      response: { 200: z.object({ items: z.array(IncidentView) }) },
    },
  }, async (req) => ({ items: await incidents.assign(actorOf(req), req.body.incidents, req.body.assigneeId) }));

  app.post('/incidents', {
    schema: {
      operationId: 'incidents.declare', tags, summary: 'Declare an incident',
      body: z.object({
        ...Fields,
        summary: Fields.summary.optional(),
        tlp: Fields.tlp.optional(),
        pap: Fields.pap.optional(),
        constituent: Fields.constituent.optional(),
        exercise: Fields.exercise.optional(),
        classifications: z.array(ClassificationIn).min(1).max(10),
      }),
      response: { 201: IncidentView },
    },
  }, async (req, reply) => reply.code(201).send(await incidents.declare(actorOf(req), req.body)));

  app.get('/incidents/:id', {
    schema: { operationId: 'incidents.get', tags, summary: 'One incident, by id or reference', params: IncidentParam, response: One },
  }, async (req) => incidents.get(actorOf(req), req.params.id));

  app.patch('/incidents/:id', {
    schema: {
      operationId: 'incidents.update', tags, summary: 'Edit fields or classification (with the version you read)', params: IncidentParam,
      body: z
        .object({
          version: Version,
          title: Fields.title.optional(), summary: Fields.summary.optional(), impact: Level.optional(), urgency: Level.optional(),
          tlp: TlpEnum.optional(), pap: PapEnum.optional(), constituent: Fields.constituent.optional(), exercise: z.boolean().optional(),
          classifications: z.array(ClassificationIn).min(1).max(10).optional(),
        })
        .refine((b) => Object.keys(b).length > 1, 'names nothing to change'),
      response: One,
    },
  }, async (req) => incidents.update(actorOf(req), req.params.id, req.body));

  app.post('/incidents/:id/status', {
    schema: {
      operationId: 'incidents.set_status', tags, summary: 'Move the incident along the lifecycle', params: IncidentParam,
      body: z.object({ version: Version, status: OpenStatusEnum }), response: One,
    },
  }, async (req) => incidents.setStatus(actorOf(req), req.params.id, req.body.version, req.body.status));

  app.post('/incidents/:id/close', {
    schema: {
      operationId: 'incidents.close', tags, summary: 'Close with a resolution (P1/P2 need lessons learned first)', params: IncidentParam,
      body: z.object({ version: Version, resolution: ResolutionEnum, duplicateOf: IncidentParam.shape.id.optional() }), response: One,
    },
  }, async (req) => incidents.close(actorOf(req), req.params.id, req.body));

  app.post('/incidents/:id/reopen', {
    schema: {
      operationId: 'incidents.reopen', tags, summary: 'Reopen a closed incident (back to analysis)', params: IncidentParam,
      body: z.object({ version: Version, reason: z.string().trim().min(1).max(2000) }), response: One,
    },
  }, async (req) => incidents.reopen(actorOf(req), req.params.id, req.body.version, req.body.reason));

  app.post('/incidents/:id/notes', {
    schema: {
      operationId: 'incidents.add_note', tags, summary: 'Add a note (Markdown) to the timeline', params: IncidentParam,
      body: z.object({ body: z.string().trim().min(1).max(100_000), tlp: TlpEnum.optional() }), response: { 201: TimelineEntry },
    },
  }, async (req, reply) => reply.code(201).send(await details.addNote(actorOf(req), req.params.id, req.body)));

  app.post('/incidents/:id/communications', {
    schema: {
      operationId: 'incidents.add_communication', tags, summary: 'Record a communication (call, mail, meeting…) on the timeline', params: IncidentParam,
      body: z.object({
        direction: z.enum(['inbound', 'outbound']),
        channel: z.enum(['email', 'phone', 'meeting', 'chat', 'letter', 'other']),
        party: z.string().trim().min(1).max(300).describe('with whom: a person, an organisation, an authority'),
        body: z.string().trim().min(1).max(100_000).describe('what was said or agreed (Markdown)'),
        occurredAt: z.coerce.date().optional().describe('when it happened, if not now'),
        tlp: TlpEnum.optional(),
      }),
      response: { 201: TimelineEntry },
    },
  }, async (req, reply) => reply.code(201).send(await details.addCommunication(actorOf(req), req.params.id, req.body)));

  app.get('/incidents/:id/timeline', {
    schema: {
      operationId: 'incidents.timeline', tags, summary: 'The incident timeline, oldest first', params: IncidentParam,
      querystring: z.object({
        kind: csv(z.string().max(60)),
        after: z.coerce.number().int().min(0).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(500),
      }),
      response: { 200: z.object({ items: z.array(TimelineEntry), nextAfter: z.number().int().nullable() }) },
    },
  }, async (req) => details.timeline(actorOf(req), req.params.id, { kinds: req.query.kind, afterId: req.query.after, limit: req.query.limit }));

  app.post('/incidents/:id/roles', {
    schema: {
      operationId: 'incidents.assign_role', tags, summary: 'Give a team member a role in the incident', params: IncidentParam,
      body: z.object({ role: IncidentRoleEnum, userId: z.uuid() }), response: One,
    },
  }, async (req) => details.assignRole(actorOf(req), req.params.id, req.body.role, req.body.userId));

  app.delete('/incidents/:id/roles/:role/:userId', {
    schema: {
      operationId: 'incidents.remove_role', tags, summary: 'Take a role back', response: One,
      params: IncidentParam.extend({ role: IncidentRoleEnum, userId: z.uuid() }),
    },
  }, async (req) => details.removeRole(actorOf(req), req.params.id, req.params.role, req.params.userId));

  app.patch('/incidents/:id/key-times', {
    schema: {
      operationId: 'incidents.set_key_times', tags, summary: 'Set when compromise, detection, containment and recovery happened', params: IncidentParam,
      body: z
        .object({
          version: Version,
          firstCompromiseAt: z.coerce.date().nullable().optional(),
          detectedAt: z.coerce.date().nullable().optional(),
          containedAt: z.coerce.date().nullable().optional(),
          recoveredAt: z.coerce.date().nullable().optional(),
        })
        .refine((b) => Object.keys(b).length > 1, 'names nothing to change'),
      response: One,
    },
  }, async (req) => {
    const { version, ...times } = req.body;
    return details.setKeyTimes(actorOf(req), req.params.id, version, times);
  });

  const LessonsOut = Lessons.extend({ recordedBy: z.string().nullable(), recordedAt: z.date() });
  app.get('/incidents/:id/lessons', {
    schema: { operationId: 'incidents.get_lessons', tags, summary: 'The lessons-learned review', params: IncidentParam, response: { 200: LessonsOut.nullable() } },
  }, async (req) => details.getLessons(actorOf(req), req.params.id));

  app.put('/incidents/:id/lessons', {
    schema: { operationId: 'incidents.record_lessons', tags, summary: 'Record the lessons-learned review', params: IncidentParam, body: Lessons, response: { 200: LessonsOut } },
  }, async (req) => details.recordLessons(actorOf(req), req.params.id, req.body));

  app.get('/taxonomy/rsit', {
    schema: {
      operationId: 'taxonomy.rsit', tags, summary: 'The ENISA Reference Security Incident Taxonomy',
      response: {
        200: z.object({
          items: z.array(z.object({ value: z.string(), label: z.string(), types: z.array(z.object({ value: z.string(), label: z.string(), description: z.string() })) })),
        }),
      },
    },
  }, async (req) => ({ items: incidents.taxonomy(actorOf(req)) }));
};
