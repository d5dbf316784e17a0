import type { Executor } from '../../db/index.ts';

/**
 * The audit trail as a change feed: every change to an incident or report, and to a user's access
 * (the user, a session, an API token), writes a record there.
 */
export const liveRepo = {
  lastSeq: async (x: Executor): Promise<number> =>
    Number((await x.selectFrom('auditLog').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst())?.seq ?? 0),

  changesSince: (x: Executor, seq: number, limit: number) =>
    x
      .selectFrom('auditLog')
      .select(['seq', 'entity', 'entityId'])
      .where('seq', '>', seq)
      // Incidents and reports that changed; users, sessions and API tokens whose access may have.
      .where('entity', 'in', ['incident', 'report', 'user', 'session', 'api_token'])
      // Reading is audited but changes nothing that is on anyone's screen.
      .where('action', 'not in', ['report.raw_read'])
      .orderBy('seq')
      .limit(limit)
      .execute(),
};
