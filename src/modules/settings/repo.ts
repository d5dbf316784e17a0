import type { Executor } from '../../db/index.ts';
import type { TeamRow } from '../../db/schema.ts';

export const teamRepo = {
  find: (x: Executor): Promise<TeamRow | undefined> => x.selectFrom('team').selectAll().where('id', '=', 1).executeTakeFirst(),
  lock: (x: Executor): Promise<TeamRow | undefined> =>
    x.selectFrom('team').selectAll().where('id', '=', 1).forUpdate().executeTakeFirst(),
  insert: (x: Executor, name: string): Promise<TeamRow> =>
    x.insertInto('team').values({ name }).returningAll().executeTakeFirstOrThrow(),
  update: (
    x: Executor,
    patch: { name?: string; requireMfa?: boolean; incidentPrefix?: string; priorityMatrix?: string | null; updatedAt: Date },
  ): Promise<TeamRow> =>
    x.updateTable('team').set(patch).where('id', '=', 1).returningAll().executeTakeFirstOrThrow(),
};
