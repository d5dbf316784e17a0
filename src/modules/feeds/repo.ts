import { sql, type Insertable, type Selectable } from 'kysely';
import type { Executor } from '../../db/index.ts';
import type { FeedEventTable, FeedReportTable, FeedTable } from '../../db/schema-feeds.ts';
import { RESTRICTED_TLP } from '../../lib/authz/incidents.ts';

export type FeedRow = Selectable<FeedTable>;
export type { FeedParser } from '../../db/schema-feeds.ts';
export type FeedReportRow = Selectable<FeedReportTable>;
export type FeedEventRow = Selectable<FeedEventTable>;
export type FeedEventInsert = Insertable<FeedEventTable>;

/** Who may see which events: managers and admins see RED and AMBER+STRICT ones; a scoped member only its constituents'. */
export interface FeedEventScope {
  privileged: boolean;
  /** null: unscoped. */
  constituentIds: string[] | null;
}

export interface FeedEventFilter {
  feedId?: string | undefined;
  reportId?: string | undefined;
  constituentId?: string | undefined;
  /** Only events routed nowhere. */
  unrouted?: boolean | undefined;
  classificationType?: string | undefined;
  sourceIp?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  after?: { timeObservation: Date; id: number } | undefined;
  limit: number;
}

/** The month partition of feed_event holding an instant: its name and bounds (UTC). */
export function monthPartition(at: Date): { name: string; from: string; to: string } {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth();
  const next = new Date(Date.UTC(y, m + 1, 1));
  return {
    name: `feed_event_y${y}m${String(m + 1).padStart(2, '0')}`,
    from: new Date(Date.UTC(y, m, 1)).toISOString(),
    to: next.toISOString(),
  };
}

export const feedRepo = {
  list: (x: Executor) => x.selectFrom('feed').selectAll().orderBy(sql`lower(name)`).execute(),

  byId: (x: Executor, id: string) => x.selectFrom('feed').selectAll().where('id', '=', id).executeTakeFirst(),

  byName: (x: Executor, name: string) => x.selectFrom('feed').selectAll().where(sql<boolean>`lower(name) = lower(${name})`).executeTakeFirst(),

  insert: (x: Executor, f: Insertable<FeedTable>) => x.insertInto('feed').values(f).returningAll().executeTakeFirstOrThrow(),

  update: (x: Executor, id: string, set: Partial<Insertable<FeedTable>>) =>
    x.updateTable('feed').set((eb) => ({ ...set, version: eb('version', '+', 1) })).where('id', '=', id).returningAll().executeTakeFirstOrThrow(),

  lock: (x: Executor, id: string) => x.selectFrom('feed').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),

  insertReport: (x: Executor, r: Insertable<FeedReportTable>) => x.insertInto('feedReport').values(r).returningAll().executeTakeFirstOrThrow(),

  report: (x: Executor, id: string) => x.selectFrom('feedReport').selectAll().where('id', '=', id).executeTakeFirst(),

  reports: (x: Executor, feedId: string, limit: number, after?: { receivedAt: Date; id: string }) => {
    let q = x.selectFrom('feedReport').selectAll().where('feedId', '=', feedId);
    if (after) q = q.where((eb) => eb.or([eb('receivedAt', '<', after.receivedAt), eb.and([eb('receivedAt', '=', after.receivedAt), eb('id', '<', after.id)])]));
    return q.orderBy('receivedAt', 'desc').orderBy('id', 'desc').limit(limit).execute();
  },

  /**
   * Takes the oldest report waiting to be read (or this one), or one whose reader's lease ran out,
   * and holds it until `leaseUntil` (SKIP LOCKED: workers of several processes never take the same one).
   */
  claimReport: async (x: Executor, now: Date, leaseUntil: Date, onlyId?: string): Promise<FeedReportRow | undefined> => {
    const only = onlyId ? sql`and id = ${onlyId}` : sql``;
    const r = await sql<{ id: string }>`update feed_report set status = 'parsing', lease_until = ${leaseUntil}
      where id = (select id from feed_report where (status = 'received' or (status = 'parsing' and lease_until < ${now})) ${only}
                  order by received_at limit 1 for update skip locked)
      returning id`.execute(x);
    const id = r.rows[0]?.id;
    return id ? feedRepo.report(x, id) : undefined;
  },

  /** Gives a report being read back to wait (its reader stops). */
  release: (x: Executor, id: string) =>
    x.updateTable('feedReport').set({ status: 'received', leaseUntil: null }).where('id', '=', id).where('status', '=', 'parsing').execute(),

  renewLease: (x: Executor, id: string, leaseUntil: Date) =>
    x.updateTable('feedReport').set({ leaseUntil }).where('id', '=', id).where('status', '=', 'parsing').execute(),

  /** Ends reading a report: its counts taken from what is stored (so a report read twice counts once). */
  finishReport: async (x: Executor, id: string, done: { status: 'parsed' | 'failed'; lines: number; encoding: string | null; error: string | null; at: Date }) => {
    await sql`update feed_report set status = ${done.status}, lines = ${done.lines}, encoding = ${done.encoding}, error = ${done.error},
        finished_at = ${done.at}, lease_until = null,
        events = (select count(*) from feed_event e where e.report_id = ${id} and e.time_observation = feed_report.received_at),
        routed = (select count(*) from feed_event e where e.report_id = ${id} and e.time_observation = feed_report.received_at and e.constituent_id is not null),
        failed = (select count(*) from feed_parse_error p where p.report_id = ${id})
      where id = ${id}`.execute(x);
  },

  /** Progress while reading (the counts of this pass so far). */
  progress: (x: Executor, id: string, p: { lines: number; events: number; failed: number; duplicates: number; routed: number }) =>
    x.updateTable('feedReport').set(p).where('id', '=', id).execute(),

  /** Makes the month's partition of feed_event if it is not there yet. */
  ensurePartition: async (x: Executor, at: Date) => {
    const p = monthPartition(at);
    const exists = await sql<{ n: number }>`select count(*)::int as n from pg_class where relname = ${p.name} and relkind = 'r'`.execute(x);
    if (exists.rows[0]!.n > 0) return;
    await sql.raw(`create table if not exists ${p.name} partition of feed_event for values from ('${p.from}') to ('${p.to}')`).execute(x);
  },

  /** Stores events; those already stored (same observation time, report and hash) are skipped. Returns how many were new. */
  insertEvents: async (x: Executor, events: FeedEventInsert[]): Promise<{ stored: number; routed: number }> => {
    if (events.length === 0) return { stored: 0, routed: 0 };
    // One array per column (17 parameters whatever the batch), not a parameter per value: a batch
    // of a thousand events is then one short statement to send, parse and plan.
    const col = <K extends keyof FeedEventInsert>(k: K) => events.map((e) => e[k] ?? null);
    const rows = await sql<{ routed: boolean }>`insert into feed_event (time_observation, hash, feed_id, report_id, line, time_source,
        classification_taxonomy, classification_type, source_ip, source_asn, source_fqdn, source_cc, tlp, constituent_id, route_rule, route_matched, data)
      select * from unnest(${col('timeObservation')}::timestamptz[], ${col('hash')}::text[], ${col('feedId')}::uuid[], ${col('reportId')}::uuid[],
        ${col('line')}::int[], ${col('timeSource')}::timestamptz[], ${col('classificationTaxonomy')}::text[], ${col('classificationType')}::text[],
        ${col('sourceIp')}::inet[], ${col('sourceAsn')}::bigint[], ${col('sourceFqdn')}::text[], ${col('sourceCc')}::text[], ${col('tlp')}::text[],
        ${col('constituentId')}::uuid[], ${col('routeRule')}::text[], ${col('routeMatched')}::text[], ${col('data')}::jsonb[])
      on conflict (time_observation, report_id, hash) do nothing
      returning constituent_id is not null as routed`.execute(x);
    return { stored: rows.rows.length, routed: rows.rows.filter((r) => r.routed).length };
  },

  insertParseErrors: (x: Executor, errors: { reportId: string; line: number; reason: string; raw: string }[]) =>
    errors.length === 0 ? Promise.resolve([]) : x.insertInto('feedParseError').values(errors)
      .onConflict((oc) => oc.columns(['reportId', 'line']).doNothing()).execute(),

  parseErrors: (x: Executor, reportId: string, limit: number, afterLine = 0) =>
    x.selectFrom('feedParseError').selectAll().where('reportId', '=', reportId).where('line', '>', afterLine).orderBy('line').limit(limit).execute(),

  /** Events the scope may see, newest first (keyset pages on time_observation, id). */
  events: (x: Executor, scope: FeedEventScope, f: FeedEventFilter) => {
    let q = x.selectFrom('feedEvent').selectAll();
    if (!scope.privileged) q = q.where('tlp', 'not in', [...RESTRICTED_TLP]);
    if (scope.constituentIds) q = scope.constituentIds.length ? q.where('constituentId', 'in', scope.constituentIds) : q.where(sql<boolean>`false`);
    if (f.feedId) q = q.where('feedId', '=', f.feedId);
    if (f.reportId) q = q.where('reportId', '=', f.reportId);
    if (f.constituentId) q = q.where('constituentId', '=', f.constituentId);
    if (f.unrouted) q = q.where('constituentId', 'is', null);
    if (f.classificationType) q = q.where('classificationType', '=', f.classificationType);
    if (f.sourceIp) q = q.where(sql<boolean>`source_ip <<= ${f.sourceIp}::inet`);
    if (f.since) q = q.where('timeObservation', '>=', f.since);
    if (f.until) q = q.where('timeObservation', '<', f.until);
    if (f.after) {
      const a = f.after;
      q = q.where((eb) => eb.or([eb('timeObservation', '<', a.timeObservation), eb.and([eb('timeObservation', '=', a.timeObservation), eb('id', '<', a.id)])]));
    }
    return q.orderBy('timeObservation', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
  },
};
