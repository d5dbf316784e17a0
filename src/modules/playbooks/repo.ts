import type { Executor } from '../../db/index.ts';
import type { PlaybookRow, Priority } from '../../db/schema.ts';

export interface PlaybookWrite {
  key: string;
  name: string;
  description: string;
  matchRsit: string[];
  priorities: Priority[];
  tasks: string;
  builtin?: boolean;
  enabled: boolean;
  updatedBy: string | null;
  updatedAt: Date;
}

export const playbookRepo = {
  list: (x: Executor): Promise<PlaybookRow[]> => x.selectFrom('playbook').selectAll().orderBy('name').execute(),

  find: (x: Executor, key: string): Promise<PlaybookRow | undefined> =>
    x.selectFrom('playbook').selectAll().where('key', '=', key).executeTakeFirst(),

  lock: (x: Executor, key: string): Promise<PlaybookRow | undefined> =>
    x.selectFrom('playbook').selectAll().where('key', '=', key).forUpdate().executeTakeFirst(),

  /** Inserts unless the key exists; returns whether it did. */
  insertIfMissing: (x: Executor, p: PlaybookWrite): Promise<boolean> =>
    x
      .insertInto('playbook')
      .values(p)
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst()
      .then((r) => Number(r.numInsertedOrUpdatedRows ?? 0) > 0),

  insert: (x: Executor, p: PlaybookWrite): Promise<PlaybookRow> => x.insertInto('playbook').values(p).returningAll().executeTakeFirstOrThrow(),

  update: (x: Executor, key: string, p: Omit<PlaybookWrite, 'key' | 'builtin'>): Promise<PlaybookRow> =>
    x
      .updateTable('playbook')
      .set((eb) => ({ ...p, version: eb('version', '+', 1) }))
      .where('key', '=', key)
      .returningAll()
      .executeTakeFirstOrThrow(),

  templateKeysOf: (x: Executor, incidentId: string): Promise<string[]> =>
    x
      .selectFrom('incidentTask')
      .select('templateKey')
      .where('incidentId', '=', incidentId)
      .where('templateKey', 'is not', null)
      .execute()
      .then((rows) => rows.map((r) => r.templateKey!)),
};
