import { sql } from 'kysely';
import type { Executor } from '../../db/index.ts';
import type { IncidentTaskRow, TaskPhase, TaskStatus } from '../../db/schema.ts';

export interface NewTask {
  incidentId: string;
  phase: TaskPhase;
  title: string;
  description: string;
  assigneeId: string | null;
  dueAt: Date | null;
  checklist: string;
  templateKey: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface TaskPatch {
  phase?: TaskPhase;
  title?: string;
  description?: string;
  assigneeId?: string | null;
  dueAt?: Date | null;
  status?: TaskStatus;
  checklist?: string;
  updatedAt: Date;
}

const PHASE_ORDER = sql<number>`array_position(array['triage','analysis','containment','eradication','recovery','post_incident']::text[], phase)`;

export const taskRepo = {
  insert: (x: Executor, t: NewTask): Promise<IncidentTaskRow> => x.insertInto('incidentTask').values(t).returningAll().executeTakeFirstOrThrow(),

  findById: (x: Executor, id: string): Promise<IncidentTaskRow | undefined> =>
    x.selectFrom('incidentTask').selectAll().where('id', '=', id).executeTakeFirst(),

  lockById: (x: Executor, id: string): Promise<IncidentTaskRow | undefined> =>
    x.selectFrom('incidentTask').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),

  listForIncident: (x: Executor, incidentId: string): Promise<IncidentTaskRow[]> =>
    x.selectFrom('incidentTask').selectAll().where('incidentId', '=', incidentId).orderBy(PHASE_ORDER).orderBy('createdAt').orderBy('id').execute(),

  update: (x: Executor, id: string, patch: TaskPatch): Promise<IncidentTaskRow> =>
    x
      .updateTable('incidentTask')
      .set((eb) => ({ ...patch, version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow(),
};
