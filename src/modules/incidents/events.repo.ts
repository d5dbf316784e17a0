import { sql } from 'kysely';
import type { Executor } from '../../db/index.ts';
import type { IncidentEventRow, Tlp } from '../../db/schema.ts';
import { RESTRICTED_TLP } from '../../lib/authz/incidents.ts';

export interface NewIncidentEvent {
  incidentId: string;
  kind: string;
  at: Date;
  occurredAt?: Date | null;
  actorId: string | null;
  actorName: string;
  tlp?: Tlp | null;
  data: Record<string, unknown>;
}

export interface TimelineFilter {
  kinds?: string[] | undefined;
  /**
   * Whether entries marked RED or AMBER+STRICT, or naming an observable marked so, are shown (role
   * holders, the assignee, managers, admins); without, such entries are left out whole.
   */
  restricted: boolean;
  afterId?: number | undefined;
  limit: number;
}

const RESTRICTED_LIST = sql.join([...RESTRICTED_TLP]);

/**
 * Whether an entry shows to someone without a need to know: its own label (or, unlabelled, the
 * label of the incident it was written on: a merged-in incident's entries keep theirs) is not RED
 * or AMBER+STRICT, and it names no observable that is labelled so now. Observables are read
 * afresh: an entry written while an observable was GREEN hides once the observable is marked RED,
 * and entries written before entries carried their observables' labels hide as well.
 */
const openEntry = sql<boolean>`(
  coalesce(incident_event.tlp, (select i.tlp from incident i where i.id = incident_event.incident_id)) not in (${RESTRICTED_LIST})
  and not (incident_event.kind like 'observable.%' and exists (
    select 1 from observable o
     where o.tlp in (${RESTRICTED_LIST})
       and o.id in (select (x->>'id')::uuid from jsonb_array_elements(
         case when jsonb_typeof(incident_event.data->'items') = 'array' then incident_event.data->'items' else jsonb_build_array(incident_event.data) end) x
        where x->>'id' ~ '^[0-9a-fA-F-]{36}$'))))`;

export const incidentEventRepo = {
  append: (x: Executor, e: NewIncidentEvent) =>
    x
      .insertInto('incidentEvent')
      .values({ ...e, occurredAt: e.occurredAt ?? null, tlp: e.tlp ?? null, data: JSON.stringify(e.data) })
      .returningAll()
      .executeTakeFirstOrThrow(),

  /** Events of the incident and of the incidents merged into it, in the order they were written. */
  async timeline(x: Executor, incidentIds: string[], f: TimelineFilter): Promise<IncidentEventRow[]> {
    let q = x.selectFrom('incidentEvent').selectAll().where('incidentId', 'in', incidentIds);
    if (f.kinds?.length) q = q.where('kind', 'in', f.kinds);
    if (!f.restricted) q = q.where(openEntry);
    if (f.afterId !== undefined) q = q.where('id', '>', f.afterId);
    const rows = await q.orderBy('id').limit(f.limit).execute();
    return withDeclaredReference(x, rows);
  },
};

/**
 * An incident numbered at commit records its `incident.declared` event before it has its reference
 * (events are never changed afterwards); the timeline names it by the incident's reference, read here.
 */
async function withDeclaredReference(x: Executor, rows: IncidentEventRow[]): Promise<IncidentEventRow[]> {
  const unnamed = rows.filter((r) => r.kind === 'incident.declared' && !(r.data as { reference?: unknown } | null)?.reference);
  if (!unnamed.length) return rows;
  const refs = await x.selectFrom('incident').select(['id', 'reference']).where('id', 'in', [...new Set(unnamed.map((r) => r.incidentId))]).execute();
  const byId = new Map(refs.map((r) => [r.id, r.reference]));
  for (const r of unnamed) {
    const reference = byId.get(r.incidentId);
    if (reference && !reference.startsWith('~')) r.data = { ...(r.data as object), reference } as IncidentEventRow['data'];
  }
  return rows;
}
