import { randomUUID } from 'node:crypto';
import { sql, type Insertable, type Selectable } from 'kysely';
import type { Executor } from '../../db/index.ts';
import type { ReportChannel, ReportMessageTable, ReportStatus, ReportTable } from '../../db/schema.ts';
import { RESTRICTED_TLP, type IncidentScope } from '../../lib/authz/incidents.ts';
import { reportVisibleSql } from '../../lib/authz/access.repo.ts';

export type ReportRow = Selectable<ReportTable>;
type ReportInsert = Omit<ReportRow, 'id' | 'version' | 'intakeItemId' | 'fingerprint' | 'wantsUpdates' | 'urgency' | 'constituentId'>
  & Partial<Pick<ReportRow, 'intakeItemId' | 'fingerprint' | 'wantsUpdates' | 'urgency' | 'constituentId'>>;
type ReportPatch = Partial<Pick<ReportRow, 'status' | 'incidentId' | 'mergedInto' | 'rejection' | 'rejectionNote' | 'decidedBy' | 'decidedAt' | 'updatedAt'>>;

/**
 * Who may see which reports, as data for SQL (the rule is the access module's, reportVisibleSql).
 * Team members see a report on an incident only if they may see that incident (TLP need-to-know,
 * constituent scope), and one on none when unscoped or when it was recorded for one of their
 * constituents. A reporter sees the reports it submitted, and those recorded for its
 * constituents (its user_constituent rows) that are not marked RED or AMBER+STRICT; nothing else.
 */
export type ReportScope =
  | { kind: 'team'; incidents: IncidentScope }
  | { kind: 'reporter'; userId: string; constituentIds: string[] };

export interface ReportFilter {
  status?: ReportStatus[] | undefined;
  channel?: ReportChannel[] | undefined;
  incidentId?: string | undefined;
  organisation?: string | undefined;
  q?: string | undefined;
  after?: { receivedAt: Date; id: string } | undefined;
  limit: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function visible(scope: ReportScope) {
  if (scope.kind === 'reporter') {
    return scope.constituentIds.length
      ? sql<boolean>`(report.submitted_by = ${scope.userId} or (report.constituent_id = any(${scope.constituentIds}::uuid[])
          and report.tlp not in (${sql.join([...RESTRICTED_TLP])})))`
      : sql<boolean>`report.submitted_by = ${scope.userId}`;
  }
  return reportVisibleSql(scope.incidents, 'report');
}

export const reportRepo = {
  /**
   * Numbers and stores a report, with its raw bytes (without them, its intake item holds them) and,
   * for a submission with an idempotency key, the key settled on it: one statement. The number comes
   * from a sequence (no row lock, so submissions never queue on it); the reference is
   * PREFIX-R-YEAR-NNNNNN.
   */
  async insert(
    x: Executor,
    numbering: { prefix: string; year: number },
    row: Omit<ReportInsert, 'reference'>,
    raw: { contentType: string; content: Uint8Array; sha256: string } | null,
    settle?: { ownerId: string; key: string },
  ): Promise<ReportRow> {
    const reference = sql<string>`(select ${numbering.prefix} || '-R-' || ${String(numbering.year)} || '-' || lpad(n, greatest(6, length(n)), '0')
      from (select nextval('report_number_seq')::text as n) as next)`;
    return x
      .with('r', (db) => db.insertInto('report').values({ ...row, reference }).returningAll())
      .with('raw', (db) => db.insertInto('reportRaw').columns(['reportId', 'contentType', 'content', 'sha256'])
        .expression((eb) => eb.selectFrom('r').select(['r.id', sql<string>`${raw?.contentType ?? null}::text`.as('contentType'),
          sql<Uint8Array>`${raw?.content ?? null}::bytea`.as('content'), sql<string>`${raw?.sha256 ?? null}::text`.as('sha256')])
          .where(sql<boolean>`${raw !== null}`)))
      .with('settled', (db) => db.updateTable('reportIdempotency').from('r').set((eb) => ({ reportId: eb.ref('r.id') }))
        .where('reportIdempotency.ownerId', '=', settle?.ownerId ?? null).where('reportIdempotency.key', '=', settle?.key ?? null))
      .selectFrom('r').selectAll().executeTakeFirstOrThrow() as Promise<ReportRow>;
  },

  /**
   * Numbers and stores several reports in one go (a batch of API submissions, in the order given):
   * the reports, their raw bytes and their settled idempotency keys, three statements whatever the
   * count. Ids are made here, so each report is matched to its submission whatever order the
   * database answers in.
   */
  async insertMany(
    x: Executor,
    numbering: { prefix: string; year: number },
    items: { row: Omit<ReportInsert, 'reference'>; raw: { contentType: string; content: Uint8Array; sha256: string }; settle?: { ownerId: string; key: string } | undefined }[],
  ): Promise<ReportRow[]> {
    if (items.length === 0) return [];
    const ids = items.map(() => randomUUID());
    const reference = sql<string>`(select ${numbering.prefix} || '-R-' || ${String(numbering.year)} || '-' || lpad(n, greatest(6, length(n)), '0')
      from (select nextval('report_number_seq')::text as n) as next)`;
    const rows = await x.insertInto('report').values(items.map((it, i) => ({ ...it.row, id: ids[i]!, reference }))).returningAll().execute();
    await x.insertInto('reportRaw').values(items.map((it, i) => ({ reportId: ids[i]!, ...it.raw }))).execute();
    const settles = items.flatMap((it, i) => (it.settle ? [sql`(${it.settle.ownerId}::uuid, ${it.settle.key}::text, ${ids[i]!}::uuid)`] : []));
    if (settles.length) {
      await sql`update report_idempotency as k set report_id = v.report_id from (values ${sql.join(settles)}) as v (owner_id, key, report_id)
        where k.owner_id = v.owner_id and k.key = v.key`.execute(x);
    }
    const byId = new Map(rows.map((r) => [r.id, r as ReportRow]));
    return ids.map((id) => byId.get(id)!);
  },

  /**
   * Claims idempotency keys, each (account, key) given once; returns those claimed now, as
   * `account \n key`. A key not returned was claimed before (or is being claimed by another
   * transaction, which this one then waits for).
   */
  claimKeys: async (x: Executor, claims: { ownerId: string; key: string; requestSha256: string }[], at: Date): Promise<Set<string>> => {
    if (claims.length === 0) return new Set();
    const rows = await x.insertInto('reportIdempotency').values(claims.map((c) => ({ ...c, reportId: null, createdAt: at })))
      .onConflict((oc) => oc.columns(['ownerId', 'key']).doNothing()).returning(['ownerId', 'key']).execute();
    return new Set(rows.map((r) => `${r.ownerId}\n${r.key}`));
  },

  /** The first report with this fingerprint received since then, locked (deduplication). */
  lockByFingerprint: (x: Executor, fingerprint: string, since: Date): Promise<ReportRow | undefined> =>
    x.selectFrom('report').selectAll().where('fingerprint', '=', fingerprint).where('receivedAt', '>=', since)
      .orderBy('receivedAt', 'asc').limit(1).forUpdate().executeTakeFirst(),

  addMessage: (x: Executor, m: Insertable<ReportMessageTable>) =>
    x.insertInto('reportMessage').values(m).returning(['id', 'receivedAt']).executeTakeFirstOrThrow(),

  messages: (x: Executor, reportId: string) =>
    x.selectFrom('reportMessage').selectAll().where('reportId', '=', reportId).orderBy('receivedAt').orderBy('id').execute(),

  attachments: (x: Executor, reportId: string) =>
    x.selectFrom('reportAttachment').selectAll().where('reportId', '=', reportId).orderBy('createdAt').orderBy('filename').execute(),

  findVisible: (x: Executor, scope: ReportScope, idOrRef: string): Promise<ReportRow | undefined> =>
    x
      .selectFrom('report')
      .selectAll('report')
      .where(UUID.test(idOrRef) ? 'report.id' : 'report.reference', '=', idOrRef)
      .where(visible(scope))
      .executeTakeFirst(),

  /** Of these reports, the ids the scope may see. */
  visibleIds: async (x: Executor, scope: ReportScope, ids: string[]): Promise<string[]> =>
    ids.length === 0 ? [] : (await x.selectFrom('report').select('report.id').where('report.id', 'in', ids).where(visible(scope)).execute()).map((r) => r.id),

  lockById: (x: Executor, id: string): Promise<ReportRow | undefined> =>
    x.selectFrom('report').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),

  /** These reports, locked (in id order, so two transactions never wait on each other in a circle). */
  lockMany: (x: Executor, ids: readonly string[]): Promise<ReportRow[]> =>
    ids.length === 0 ? Promise.resolve([]) : x.selectFrom('report').selectAll().where('id', 'in', [...ids]).orderBy('id').forUpdate().execute(),

  update: (x: Executor, id: string, patch: ReportPatch): Promise<ReportRow> =>
    x
      .updateTable('report')
      .set((eb) => ({ ...patch, version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow(),

  /** The bytes that arrived: kept with the report, or in the intake item it was parsed from. */
  raw: async (x: Executor, reportId: string) =>
    (await x.selectFrom('reportRaw').select(['contentType', 'content', 'sha256']).where('reportId', '=', reportId).executeTakeFirst()) ??
    (await x.selectFrom('report').innerJoin('intakeItem', 'intakeItem.id', 'report.intakeItemId')
      .select(['intakeItem.contentType', 'intakeItem.content', 'intakeItem.sha256']).where('report.id', '=', reportId).executeTakeFirst()),

  list(x: Executor, scope: ReportScope, f: ReportFilter): Promise<ReportRow[]> {
    let q = x.selectFrom('report').selectAll('report').where(visible(scope));
    if (f.status?.length) q = q.where('report.status', 'in', f.status);
    if (f.channel?.length) q = q.where('report.channel', 'in', f.channel);
    if (f.incidentId) q = q.where('report.incidentId', '=', f.incidentId);
    if (f.organisation) q = q.where(sql<boolean>`lower(report.organisation) = lower(${f.organisation})`);
    if (f.q) q = q.where(sql<boolean>`report.search @@ websearch_to_tsquery('simple', ${f.q})`);
    if (f.after) {
      const { receivedAt, id } = f.after;
      q = q.where((eb) => eb.or([eb('report.receivedAt', '<', receivedAt), eb.and([eb('report.receivedAt', '=', receivedAt), eb('report.id', '<', id)])]));
    }
    return q.orderBy('report.receivedAt', 'desc').orderBy('report.id', 'desc').limit(f.limit).execute();
  },

  /** Reports merged into this one (they follow it when it is linked to an incident). */
  followers: (x: Executor, reportId: string) =>
    x.selectFrom('report').selectAll().where('mergedInto', '=', reportId).execute(),

  /** What incidents the given reports belong to: reference and status, for the public view. */
  incidentsOf: (x: Executor, ids: string[]) =>
    ids.length === 0
      ? Promise.resolve([])
      : x.selectFrom('incident').select(['id', 'reference', 'status', 'resolution']).where('id', 'in', ids).execute(),

  references: (x: Executor, ids: string[]) =>
    ids.length === 0 ? Promise.resolve([]) : x.selectFrom('report').select(['id', 'reference']).where('id', 'in', ids).execute(),

  rawInfo: (x: Executor, ids: string[]) =>
    ids.length === 0
      ? Promise.resolve([])
      : x
          .selectFrom('reportRaw')
          .select(['reportId', 'contentType', 'sha256', sql<number>`octet_length(content)`.as('size')])
          .where('reportId', 'in', ids)
          .unionAll(
            x.selectFrom('report').innerJoin('intakeItem', 'intakeItem.id', 'report.intakeItemId')
              .select(['report.id as reportId', 'intakeItem.contentType', 'intakeItem.sha256', sql<number>`octet_length(intake_item.content)`.as('size')])
              .where('report.id', 'in', ids),
          )
          .execute(),

  hasFollowers: async (x: Executor, reportId: string): Promise<boolean> =>
    !!(await x.selectFrom('report').select('id').where('mergedInto', '=', reportId).limit(1).executeTakeFirst()),

  reporter: (x: Executor, userId: string) =>
    x.selectFrom('appUser').select(['displayName', 'email', 'organisation']).where('id', '=', userId).executeTakeFirst(),

  /** Claims an idempotency key; false when it is already taken (waits for a concurrent claimer to finish). */
  claimKey: async (x: Executor, ownerId: string, key: string, requestSha256: string, at: Date): Promise<boolean> =>
    !!(await x
      .insertInto('reportIdempotency')
      .values({ ownerId, key, requestSha256, reportId: null, createdAt: at })
      .onConflict((oc) => oc.columns(['ownerId', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst()),

  keyOf: (x: Executor, ownerId: string, key: string) =>
    x.selectFrom('reportIdempotency').selectAll().where('ownerId', '=', ownerId).where('key', '=', key).executeTakeFirst(),

  byId: (x: Executor, id: string) => x.selectFrom('report').selectAll().where('id', '=', id).executeTakeFirst(),


  /** The registered constituent with this name (as a team member typed it), or null. */
  constituentNamed: async (x: Executor, name: string | null): Promise<string | null> =>
    name ? ((await x.selectFrom('constituent').select('id').where(sql<boolean>`lower(name) = lower(${name})`).executeTakeFirst())?.id ?? null) : null,
};
