import type { ChecklistItem, IncidentTaskRow, TaskPhase, TaskStatus } from '../../db/schema.ts';
import type { Executor } from '../../db/index.ts';
import { incidentScope } from '../../lib/authz/incidents.ts';
import { lockVisible } from '../../lib/authz/access.repo.ts';
import { can } from '../../lib/authz/policy.ts';
import { VigilError } from '../../lib/errors.ts';
import { userById } from '../users/index.ts';
import { NO_CLIENT, userActor, type Actor } from '../../lib/actor.ts';
import { incidentRepo } from './repo.ts';
import { recorder, type IncidentDeps } from './service.ts';
import { taskRepo, type TaskPatch } from './tasks.repo.ts';

export interface TaskInput {
  phase: TaskPhase;
  title: string;
  description?: string | undefined;
  assigneeId?: string | null | undefined;
  dueAt?: Date | null | undefined;
  checklist?: ChecklistItem[] | undefined;
}

export type TaskUpdate = Partial<TaskInput> & { version: number; status?: TaskStatus | undefined };

export const taskView = (t: IncidentTaskRow) => ({
  id: t.id, incidentId: t.incidentId, phase: t.phase, title: t.title, description: t.description, assigneeId: t.assigneeId,
  dueAt: t.dueAt, status: t.status, checklist: t.checklist, templateKey: t.templateKey, version: t.version,
  createdBy: t.createdBy, createdAt: t.createdAt, updatedAt: t.updatedAt,
});
export type TaskView = ReturnType<typeof taskView>;

const FIELDS = ['phase', 'title', 'description', 'assigneeId', 'dueAt', 'status', 'checklist'] as const;
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Tasks of an incident: phase, assignee, due time, status, checklist, notes; every change an event. */
export function createTaskService(d: IncidentDeps) {
  const record = recorder(d);

  async function checkAssignee(x: Executor, assigneeId: string | null | undefined) {
    if (!assigneeId) return;
    const u = await userById(x, assigneeId);
    if (!u || u.disabledAt || !can(userActor(u, NO_CLIENT), 'incident.update')) {
      throw new VigilError('VIG_REQUEST_INVALID', { errors: [{ path: 'body.assigneeId', message: 'no active handler or manager with this id' }] });
    }
  }

  /** The task and its incident, if the actor can see the incident; locked for a change when asked. */
  async function load(x: Executor, actor: Actor, taskId: string, forChange: boolean) {
    const scope = incidentScope(actor);
    const task = await taskRepo.findById(x, taskId);
    if (!task || !(await incidentRepo.findVisible(x, scope, task.incidentId))) throw new VigilError('VIG_TASK_NOT_FOUND', { id: taskId });
    if (!forChange) return { task };
    const incident = await lockVisible(x, actor, scope, task.incidentId, 'incident.update');
    if (incident.status === 'closed') throw new VigilError('VIG_INCIDENT_CLOSED', { id: incident.id });
    return { task: (await taskRepo.lockById(x, taskId))!, incident };
  }

  return {
    async list(actor: Actor, incidentId: string): Promise<TaskView[]> {
      const inc = await incidentRepo.findVisible(d.db, incidentScope(actor), incidentId);
      if (!inc) throw new VigilError('VIG_INCIDENT_NOT_FOUND', { id: incidentId });
      return (await taskRepo.listForIncident(d.db, inc.id)).map(taskView);
    },

    async create(actor: Actor, incidentId: string, input: TaskInput): Promise<TaskView> {
      const scope = incidentScope(actor);
      return d.db.transaction().execute(async (tx) => {
        const inc = await lockVisible(tx, actor, scope, incidentId, 'incident.update');
        if (inc.status === 'closed') throw new VigilError('VIG_INCIDENT_CLOSED', { id: inc.id });
        await checkAssignee(tx, input.assigneeId);
        const now = d.clock.now();
        const task = await taskRepo.insert(tx, {
          incidentId: inc.id, phase: input.phase, title: input.title.trim(), description: input.description ?? '',
          assigneeId: input.assigneeId ?? null, dueAt: input.dueAt ?? null, checklist: JSON.stringify(input.checklist ?? []),
          templateKey: null, createdBy: actor.userId, createdAt: now, updatedAt: now,
        });
        await record(tx, actor, inc.id, 'task.created', { taskId: task.id, title: task.title, phase: task.phase, assigneeId: task.assigneeId, dueAt: task.dueAt });
        return taskView(task);
      });
    },

    /** Changes a task; a stale version gets 409 with the task as it is now. */
    async update(actor: Actor, taskId: string, input: TaskUpdate): Promise<TaskView> {
      return d.db.transaction().execute(async (tx) => {
        const { task: before } = await load(tx, actor, taskId, true);
        if (before.version !== input.version) {
          throw new VigilError('VIG_TASK_VERSION_CONFLICT', { id: taskId, yourVersion: input.version, currentVersion: before.version, current: taskView(before) });
        }
        if (input.assigneeId !== undefined) await checkAssignee(tx, input.assigneeId);
        const changes: Record<string, { from: unknown; to: unknown }> = {};
        for (const k of FIELDS) {
          const to = input[k];
          if (to !== undefined && !same(to, before[k])) changes[k] = { from: before[k], to };
        }
        if (Object.keys(changes).length === 0) return taskView(before);
        const patch: TaskPatch = { updatedAt: d.clock.now() };
        if (changes.phase) patch.phase = input.phase!;
        if (changes.title) patch.title = input.title!.trim();
        if (changes.description) patch.description = input.description!;
        if (changes.assigneeId) patch.assigneeId = input.assigneeId ?? null;
        if (changes.dueAt) patch.dueAt = input.dueAt ?? null;
        if (changes.status) patch.status = input.status!;
        if (changes.checklist) patch.checklist = JSON.stringify(input.checklist);
        const after = await taskRepo.update(tx, taskId, patch);
        await record(tx, actor, before.incidentId, 'task.updated', { taskId, title: after.title, changes });
        return taskView(after);
      });
    },

    async addNote(actor: Actor, taskId: string, body: string) {
      return d.db.transaction().execute(async (tx) => {
        const { task, incident } = await load(tx, actor, taskId, true);
        return record(tx, actor, task.incidentId, 'task.note_added', { taskId, title: task.title, body }, { tlp: incident!.tlp, after: { taskId, length: body.length } });
      });
    },
  };
}
export type TaskService = ReturnType<typeof createTaskService>;
