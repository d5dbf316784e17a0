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
  /** Whether entries marked RED or AMBER+STRICT are shown (role holders, managers, admins). */
  restricted: boolean;
  afterId?: number | undefined;
  limit: number;
}

export const incidentEventRepo = {
  append: (x: Executor, e: NewIncidentEvent) =>
    x
      .insertInto('incidentEvent')
      .values({ ...e, occurredAt: e.occurredAt ?? null, tlp: e.tlp ?? null, data: JSON.stringify(e.data) })
      .returningAll()
      .executeTakeFirstOrThrow(),

  /** Events of the incident and of the incidents merged into it, in the order they were written. */
  timeline(x: Executor, incidentIds: string[], f: TimelineFilter): Promise<IncidentEventRow[]> {
    let q = x.selectFrom('incidentEvent').selectAll().where('incidentId', 'in', incidentIds);
    if (f.kinds?.length) q = q.where('kind', 'in', f.kinds);
    if (!f.restricted) q = q.where((eb) => eb.or([eb('tlp', 'is', null), eb('tlp', 'not in', [...RESTRICTED_TLP])]));
    if (f.afterId !== undefined) q = q.where('id', '>', f.afterId);
    return q.orderBy('id').limit(f.limit).execute();
  },
};
