import { sql } from 'kysely';
import type { Executor } from '../../db/index.ts';

/** SQL of the public web form and the reporter's status link. */
export const publicIntakeRepo = {
  /**
   * Counts one request against a key in a fixed window, atomically (the upsert locks the row):
   * the window starts again once it has passed. Returns the count in the window and its start.
   */
  hit: (x: Executor, key: string, now: Date, windowSeconds: number) => {
    const expired = new Date(now.getTime() - windowSeconds * 1000);
    return x
      .insertInto('intakeRate')
      .values({ key, windowStart: now, hits: 1 })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          windowStart: sql<Date>`case when intake_rate.window_start <= ${expired} then ${now}::timestamptz else intake_rate.window_start end`,
          hits: sql<number>`case when intake_rate.window_start <= ${expired} then 1 else intake_rate.hits + 1 end`,
        }),
      )
      .returning(['windowStart', 'hits'])
      .executeTakeFirstOrThrow();
  },

  /** Forgets windows that ended long ago, for keys with this prefix. */
  pruneRates: (x: Executor, prefix: string, before: Date) =>
    x.deleteFrom('intakeRate').where('key', 'like', `${prefix}%`).where('windowStart', '<', before).execute(),

  insertLink: (x: Executor, l: { tokenHash: string; reportId: string; createdAt: Date; expiresAt: Date }) =>
    x.insertInto('reportStatusLink').values(l).execute(),

  /** The report a link that has not expired leads to. */
  linkedReport: (x: Executor, tokenHash: string, now: Date) =>
    x
      .selectFrom('reportStatusLink')
      .innerJoin('report', 'report.id', 'reportStatusLink.reportId')
      .select([
        'report.id', 'report.reference', 'report.title', 'report.status', 'report.receivedAt', 'report.incidentId',
        'reportStatusLink.expiresAt',
      ])
      .where('reportStatusLink.tokenHash', '=', tokenHash)
      .where('reportStatusLink.expiresAt', '>', now)
      .executeTakeFirst(),

  /** What the reporter added through its status links, oldest first. */
  reporterUpdates: (x: Executor, reportId: string) =>
    x
      .selectFrom('reportMessage')
      .select(['id', 'receivedAt', 'body'])
      .where('reportId', '=', reportId)
      .where('kind', '=', 'reporter_update')
      .orderBy('receivedAt')
      .orderBy('id')
      .execute(),

  /** Names and sizes of the files the reporter sent: with the report, and with its own updates. */
  reporterFiles: (x: Executor, reportId: string) =>
    x
      .selectFrom('reportAttachment')
      .leftJoin('reportMessage', 'reportMessage.id', 'reportAttachment.messageId')
      .select(['reportAttachment.messageId', 'reportAttachment.filename', 'reportAttachment.size'])
      .where('reportAttachment.reportId', '=', reportId)
      .where((eb) => eb.or([eb('reportAttachment.messageId', 'is', null), eb('reportMessage.kind', '=', 'reporter_update')]))
      .orderBy('reportAttachment.createdAt')
      .orderBy('reportAttachment.filename')
      .execute(),

  /**
   * About the number the next report will get (read only, for the honeypot's answer): one past the
   * latest report's, whatever scheme hands the numbers out.
   */
  peekReportNumber: async (x: Executor): Promise<number> => {
    const last = await x.selectFrom('report').select('reference').orderBy('receivedAt', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
    return Number(/(\d+)$/.exec(last?.reference ?? '')?.[1] ?? 0) + 1;
  },
};
