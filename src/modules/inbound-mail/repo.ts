import { sql } from 'kysely';
import type { Executor } from '../../db/index.ts';

/** Rate-limit keys of the SMTP listener in intake_rate (the web form keeps its own prefix). */
const RATE_PREFIX = 'smtp:';

/** SQL of e-mail intake: rate counters, references named in subjects, already imported messages. */
export const mailIntakeRepo = {
  /**
   * Counts one message against each key (fixed one-hour windows) and returns the counts after it.
   * One statement for all keys, in a fixed order, so concurrent sessions cannot deadlock.
   */
  async hit(x: Executor, keys: string[], now: Date, windowSeconds: number): Promise<Map<string, number>> {
    const sorted = [...new Set(keys.map((k) => RATE_PREFIX + k))].sort();
    if (sorted.length === 0) return new Map();
    const expired = new Date(now.getTime() - windowSeconds * 1000);
    const rows = await x
      .insertInto('intakeRate')
      .values(sorted.map((key) => ({ key, windowStart: now, hits: 1 })))
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          // Both read the row as it was: a window that has run out starts again with this message.
          hits: sql<number>`case when intake_rate.window_start <= ${expired} then 1 else intake_rate.hits + 1 end`,
          windowStart: sql<Date>`case when intake_rate.window_start <= ${expired} then ${now}::timestamptz else intake_rate.window_start end`,
        }),
      )
      .returning(['key', 'hits'])
      .execute();
    return new Map(rows.map((r) => [r.key.slice(RATE_PREFIX.length), Number(r.hits)]));
  },

  /** Drops the listener's counters whose window ended (they would restart at 1 anyway). */
  prune: async (x: Executor, before: Date): Promise<number> => {
    const r = await x.deleteFrom('intakeRate').where('key', 'like', `${RATE_PREFIX}%`).where('windowStart', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  },

  /** Reports with these references: what a reply names in its subject. */
  reportsByReference: (x: Executor, refs: string[]) =>
    refs.length === 0
      ? Promise.resolve([])
      : x.selectFrom('report').select(['id', 'reference', 'incidentId', 'tlp']).where('reference', 'in', refs).execute(),

  /** Incidents with these references. */
  incidentsByReference: (x: Executor, refs: string[]) =>
    refs.length === 0
      ? Promise.resolve([])
      : x.selectFrom('incident').select(['id', 'reference', 'tlp']).where('reference', 'in', refs).execute(),

  /** A report by id, with what threading needs. */
  reportForReply: (x: Executor, id: string) =>
    x.selectFrom('report').select(['id', 'reference', 'incidentId', 'tlp']).where('id', '=', id).executeTakeFirst(),

  incidentForReply: (x: Executor, id: string) =>
    x.selectFrom('incident').select(['id', 'reference', 'tlp']).where('id', '=', id).executeTakeFirst(),

  /** Whether these exact bytes are already an e-mail intake item (imports skip them). */
  hasEmail: async (x: Executor, sha256: string): Promise<boolean> =>
    !!(await x.selectFrom('intakeItem').select('id').where('channel', '=', 'email').where('sha256', '=', sha256).limit(1).executeTakeFirst()),
};
