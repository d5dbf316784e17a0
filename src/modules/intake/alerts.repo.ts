import { sql, type Selectable } from 'kysely';
import type { Executor } from '../../db/index.ts';
import type { AlertSeverity, AlertStatus, AlertTable, IntakeSourceTable, Tlp } from '../../db/schema.ts';
import type { IncidentScope } from '../../lib/authz/incidents.ts';
import { alertVisibleSql } from '../../lib/authz/access.repo.ts';
import type { MappedAlert } from './mapping.ts';

export type AlertRow = Selectable<AlertTable>;
export type SourceRow = Omit<Selectable<IntakeSourceTable>, 'tokenHash'>;
type AlertPatch = Partial<Pick<AlertRow, 'status' | 'incidentId' | 'dismissal' | 'dismissalNote' | 'decidedBy' | 'decidedAt' | 'updatedAt'>>;

export interface AlertFilter {
  status?: AlertStatus[] | undefined;
  severity?: AlertSeverity[] | undefined;
  sourceId?: string | undefined;
  incidentId?: string | undefined;
  q?: string | undefined;
  after?: { createdAt: Date; id: string } | undefined;
  limit: number;
}

/** An alert as lists show it: the arrival count and the last arrival are computed from the arrivals. */
export type AlertListRow = AlertRow & { sourceName: string; arrivals: number; lastSeen: Date };

const SOURCE_COLUMNS = [
  'id', 'name', 'description', 'tokenHint', 'mapping', 'dedupWindowSeconds', 'tlp', 'enabled', 'createdBy', 'createdAt', 'updatedAt', 'version',
] as const;

/**
 * Alerts not on an incident are seen by the unscoped team; one on an incident only by those who
 * may see that incident (TLP need-to-know, constituent scope), as reports are: the access module's rule.
 */
const visible = (scope: IncidentScope) => alertVisibleSql(scope, 'alert');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const sourceRepo = {
  insert: (x: Executor, s: { name: string; description: string; tokenHash: string; tokenHint: string; mapping: unknown; dedupWindowSeconds: number; tlp: Tlp; createdBy: string | null; at: Date }) =>
    x
      .insertInto('intakeSource')
      .values({
        name: s.name, description: s.description, tokenHash: s.tokenHash, tokenHint: s.tokenHint, mapping: JSON.stringify(s.mapping),
        dedupWindowSeconds: s.dedupWindowSeconds, tlp: s.tlp, createdBy: s.createdBy, createdAt: s.at, updatedAt: s.at,
      })
      .onConflict((oc) => oc.column('name').doNothing())
      .returning(SOURCE_COLUMNS)
      .executeTakeFirst(),

  list: (x: Executor) => x.selectFrom('intakeSource').select(SOURCE_COLUMNS).orderBy('name').execute(),

  find: (x: Executor, idOrName: string) =>
    x.selectFrom('intakeSource').select(SOURCE_COLUMNS).where(UUID.test(idOrName) ? 'id' : 'name', '=', idOrName).executeTakeFirst(),

  lock: (x: Executor, id: string) => x.selectFrom('intakeSource').select(SOURCE_COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst(),

  byTokenHash: (x: Executor, tokenHash: string) =>
    x.selectFrom('intakeSource').select(SOURCE_COLUMNS).where('tokenHash', '=', tokenHash).executeTakeFirst(),

  update: (x: Executor, id: string, patch: { description?: string; mapping?: unknown; dedupWindowSeconds?: number; tlp?: Tlp; enabled?: boolean; tokenHash?: string; tokenHint?: string; updatedAt: Date }) =>
    x
      .updateTable('intakeSource')
      .set((eb) => {
        const { mapping, ...rest } = patch;
        return { ...rest, ...(mapping !== undefined ? { mapping: JSON.stringify(mapping) } : {}), version: eb('version', '+', 1) };
      })
      .where('id', '=', id)
      .returning(SOURCE_COLUMNS)
      .executeTakeFirstOrThrow(),
};

export const alertRepo = {
  /**
   * Serialises arrivals of the same fingerprints (across requests and processes) for the rest of the
   * transaction, so identical alerts arriving together still collapse into one. Locks are taken in
   * one order (sorted), so two bodies never wait for each other in a circle.
   */
  lockFingerprints: async (x: Executor, sourceId: string, fingerprints: string[]) => {
    const keys = [...new Set(fingerprints)].sort().map((fp) => `alert:${sourceId}:${fp}`);
    if (keys.length === 0) return;
    await sql`select count(pg_advisory_xact_lock(hashtextextended(k, 0))) from (select k from unnest(${keys}::text[]) as k order by k) s`.execute(x);
  },

  /** For each fingerprint, the alert it last arrived on within the window, if any (deduplication). */
  findRepeats: async (x: Executor, sourceId: string, fingerprints: string[], since: Date): Promise<Map<string, { id: string; reference: string }>> => {
    if (fingerprints.length === 0) return new Map();
    const r = await sql<{ fingerprint: string; id: string; reference: string }>`
      select distinct on (a.fingerprint) a.fingerprint, a.id, a.reference from alert a
      where a.source_id = ${sourceId} and a.fingerprint = any(${[...new Set(fingerprints)]}::text[])
        and exists (select 1 from alert_arrival r where r.alert_id = a.id and r.received_at >= ${since})
      order by a.fingerprint, a.created_at desc`.execute(x);
    return new Map(r.rows.map((row) => [row.fingerprint, { id: row.id, reference: row.reference }]));
  },

  nextNumbers: async (x: Executor, n: number): Promise<number[]> =>
    n === 0 ? [] : (await sql<{ n: string }>`select nextval('alert_number_seq') as n from generate_series(1, ${n})`.execute(x)).rows.map((r) => Number(r.n)),

  /** New alerts, in one statement; answers each one's id and reference. */
  insertMany: async (x: Executor, rows: (MappedAlert & { reference: string; sourceId: string; tlp: Tlp; at: Date })[]) =>
    rows.length === 0
      ? []
      : x
          .insertInto('alert')
          .values(rows.map((a) => ({
            reference: a.reference, sourceId: a.sourceId, status: 'new' as const, title: a.title, description: a.description, severity: a.severity,
            tlp: a.tlp, fingerprint: a.fingerprint, sourceRef: a.sourceRef, observedAt: a.observedAt,
            classification: a.classification ? JSON.stringify(a.classification) : null, observables: JSON.stringify(a.observables),
            fields: JSON.stringify(a.fields), createdAt: a.at, incidentId: null, dismissal: null, dismissalNote: null, decidedBy: null,
            decidedAt: null, updatedAt: a.at,
          })))
          .returning(['id', 'reference'])
          .execute(),

  addArrivals: async (x: Executor, rows: { intakeItemId: string; position: number; alertId: string; receivedAt: Date }[]) => {
    if (rows.length) await x.insertInto('alertArrival').values(rows).execute();
  },

  /** The alerts an intake item made or repeated, in body order (for an idempotent replay). */
  ofItem: (x: Executor, intakeItemId: string) =>
    x
      .selectFrom('alertArrival as r')
      .innerJoin('alert', 'alert.id', 'r.alertId')
      .select(['r.position', 'alert.id', 'alert.reference', sql<boolean>`exists (select 1 from alert_arrival e where e.alert_id = alert.id and e.intake_item_id <> r.intake_item_id and (e.received_at, e.intake_item_id) < (r.received_at, r.intake_item_id))`.as('repeat')])
      .where('r.intakeItemId', '=', intakeItemId)
      .orderBy('r.position')
      .execute(),

  list(x: Executor, scope: IncidentScope, f: AlertFilter): Promise<AlertListRow[]> {
    let q = x
      .selectFrom('alert')
      .innerJoin('intakeSource as s', 's.id', 'alert.sourceId')
      .selectAll('alert')
      .select([
        's.name as sourceName',
        sql<number>`(select count(*)::int from alert_arrival r where r.alert_id = alert.id)`.as('arrivals'),
        sql<Date>`(select max(r.received_at) from alert_arrival r where r.alert_id = alert.id)`.as('lastSeen'),
      ])
      .where(visible(scope));
    if (f.status?.length) q = q.where('alert.status', 'in', f.status);
    if (f.severity?.length) q = q.where('alert.severity', 'in', f.severity);
    if (f.sourceId) q = q.where('alert.sourceId', '=', f.sourceId);
    if (f.incidentId) q = q.where('alert.incidentId', '=', f.incidentId);
    if (f.q) q = q.where(sql<boolean>`to_tsvector('simple', alert.title || ' ' || alert.description) @@ websearch_to_tsquery('simple', ${f.q})`);
    if (f.after) {
      const { createdAt, id } = f.after;
      q = q.where((eb) => eb.or([eb('alert.createdAt', '<', createdAt), eb.and([eb('alert.createdAt', '=', createdAt), eb('alert.id', '<', id)])]));
    }
    return q.orderBy('alert.createdAt', 'desc').orderBy('alert.id', 'desc').limit(f.limit).execute() as Promise<AlertListRow[]>;
  },

  findVisible: (x: Executor, scope: IncidentScope, idOrRef: string) =>
    x
      .selectFrom('alert')
      .innerJoin('intakeSource as s', 's.id', 'alert.sourceId')
      .selectAll('alert')
      .select([
        's.name as sourceName',
        sql<number>`(select count(*)::int from alert_arrival r where r.alert_id = alert.id)`.as('arrivals'),
        sql<Date>`(select max(r.received_at) from alert_arrival r where r.alert_id = alert.id)`.as('lastSeen'),
      ])
      .where(UUID.test(idOrRef) ? 'alert.id' : 'alert.reference', '=', idOrRef)
      .where(visible(scope))
      .executeTakeFirst() as Promise<AlertListRow | undefined>,

  lockById: (x: Executor, id: string) => x.selectFrom('alert').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),

  /** These alerts, locked (in id order, so two bulk actions never wait on each other in a circle). */
  lockMany: (x: Executor, ids: readonly string[]) =>
    ids.length === 0 ? Promise.resolve([]) : x.selectFrom('alert').selectAll().where('id', 'in', [...ids]).orderBy('id').forUpdate().execute(),

  /** The same change to many alerts in one statement. */
  updateMany: (x: Executor, ids: readonly string[], patch: AlertPatch) =>
    ids.length === 0 ? Promise.resolve([]) : x.updateTable('alert').set((eb) => ({ ...patch, version: eb('version', '+', 1) })).where('id', 'in', [...ids]).returningAll().execute(),

  /** Events of many alerts in one statement. */
  addEvents: async (x: Executor, es: { alertId: string; at: Date; actorId: string | null; actor: string; kind: string; data: Record<string, unknown> }[]) => {
    if (es.length) await x.insertInto('alertEvent').values(es.map((e) => ({ ...e, data: JSON.stringify(e.data) }))).execute();
  },

  update: (x: Executor, id: string, patch: AlertPatch) =>
    x.updateTable('alert').set((eb) => ({ ...patch, version: eb('version', '+', 1) })).where('id', '=', id).returningAll().executeTakeFirstOrThrow(),

  addEvent: (x: Executor, e: { alertId: string; at: Date; actorId: string | null; actor: string; kind: string; data: Record<string, unknown> }) =>
    x.insertInto('alertEvent').values({ ...e, data: JSON.stringify(e.data) }).execute(),

  events: (x: Executor, alertId: string) =>
    x.selectFrom('alertEvent').select(['id', 'at', 'actor', 'kind', 'data']).where('alertId', '=', alertId).orderBy('id').execute(),

  arrivals: (x: Executor, alertId: string, limit: number) =>
    x
      .selectFrom('alertArrival')
      .select(['intakeItemId', 'position', 'receivedAt'])
      .where('alertId', '=', alertId)
      .orderBy('receivedAt', 'desc')
      .limit(limit)
      .execute(),

  /** The first arrival's intake item and position: where the alert's raw content is. */
  firstArrival: (x: Executor, alertId: string) =>
    x.selectFrom('alertArrival').select(['intakeItemId', 'position']).where('alertId', '=', alertId).orderBy('receivedAt').limit(1).executeTakeFirst(),

  claimKey: async (x: Executor, sourceId: string, key: string, requestSha256: string, at: Date): Promise<boolean> =>
    !!(await x
      .insertInto('intakeIdempotency')
      .values({ sourceId, key, requestSha256, intakeItemId: null, createdAt: at })
      .onConflict((oc) => oc.columns(['sourceId', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst()),

  settleKey: (x: Executor, sourceId: string, key: string, intakeItemId: string) =>
    x.updateTable('intakeIdempotency').set({ intakeItemId }).where('sourceId', '=', sourceId).where('key', '=', key).execute(),

  keyOf: (x: Executor, sourceId: string, key: string) =>
    x.selectFrom('intakeIdempotency').selectAll().where('sourceId', '=', sourceId).where('key', '=', key).executeTakeFirst(),
};
