import type { Executor } from '../../db/index.ts';

/** The audit trail as a change feed: every change to an incident or report writes a record there. */
export const liveRepo = {
  lastSeq: async (x: Executor): Promise<number> =>
    Number((await x.selectFrom('auditLog').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst())?.seq ?? 0),

  changesSince: (x: Executor, seq: number, limit: number) =>
    x
      .selectFrom('auditLog')
      .select(['seq', 'entity', 'entityId'])
      .where('seq', '>', seq)
      .where('entity', 'in', ['incident', 'report'])
      // Reading is audited but changes nothing that is on anyone's screen.
      .where('action', 'not in', ['report.raw_read'])
      .orderBy('seq')
      .limit(limit)
      .execute(),
};
