import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../../lib/http.ts';
import { IncidentParam, TimelineEntry } from './schemas.ts';
import type { TaskService } from './tasks.service.ts';

const tags = ['tasks'];
const Phase = z.enum(['triage', 'analysis', 'containment', 'eradication', 'recovery', 'post_incident']);
const Status = z.enum(['open', 'in_progress', 'blocked', 'done', 'cancelled']);
const Checklist = z.array(z.object({ text: z.string().trim().min(1).max(500), done: z.boolean().default(false) })).max(100);
const TaskParam = z.object({ taskId: z.uuid() });
const Task = z
  .object({
    id: z.uuid(), incidentId: z.uuid(), phase: Phase, title: z.string(), description: z.string(), assigneeId: z.uuid().nullable(),
    dueAt: z.date().nullable(), status: Status, checklist: z.array(z.object({ text: z.string(), done: z.boolean() })),
    templateKey: z.string().nullable(), version: z.number().int(), createdBy: z.uuid().nullable(), createdAt: z.date(), updatedAt: z.date(),
  })
  .meta({ id: 'Task' });

export const taskRoutes: FastifyPluginAsyncZod<{ tasks: TaskService }> = async (app, { tasks }) => {
  app.get('/incidents/:id/tasks', {
    schema: { operationId: 'tasks.list', tags, summary: 'The incident\'s tasks by phase', params: IncidentParam, response: { 200: z.object({ items: z.array(Task) }) } },
  }, async (req) => ({ items: await tasks.list(actorOf(req), req.params.id) }));

  app.post('/incidents/:id/tasks', {
    schema: {
      operationId: 'tasks.create', tags, summary: 'Add a task', params: IncidentParam,
      body: z.object({
        phase: Phase,
        title: z.string().trim().min(1).max(300),
        description: z.string().max(20_000).optional(),
        assigneeId: z.uuid().nullable().optional(),
        dueAt: z.coerce.date().nullable().optional(),
        checklist: Checklist.optional(),
      }),
      response: { 201: Task },
    },
  }, async (req, reply) => reply.code(201).send(await tasks.create(actorOf(req), req.params.id, req.body)));

  app.patch('/tasks/:taskId', {
    schema: {
      operationId: 'tasks.update', tags, summary: 'Change a task (with the version you read)', params: TaskParam,
      body: z
        .object({
          version: z.number().int().min(1),
          phase: Phase.optional(),
          title: z.string().trim().min(1).max(300).optional(),
          description: z.string().max(20_000).optional(),
          assigneeId: z.uuid().nullable().optional(),
          dueAt: z.coerce.date().nullable().optional(),
          status: Status.optional(),
          checklist: Checklist.optional(),
        })
        .refine((b) => Object.keys(b).length > 1, 'names nothing to change'),
      response: { 200: Task },
    },
  }, async (req) => tasks.update(actorOf(req), req.params.taskId, req.body));

  app.post('/tasks/:taskId/notes', {
    schema: {
      operationId: 'tasks.add_note', tags, summary: 'Add a note to a task (it appears in the incident timeline)', params: TaskParam,
      body: z.object({ body: z.string().trim().min(1).max(100_000) }), response: { 201: TimelineEntry },
    },
  }, async (req, reply) => reply.code(201).send(await tasks.addNote(actorOf(req), req.params.taskId, req.body.body)));
};
