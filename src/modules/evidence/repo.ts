import type { Executor } from '../../db/index.ts';
import type { EvidenceRow, Tlp } from '../../db/schema.ts';
import { RESTRICTED_TLP } from '../../lib/authz/incidents.ts';

type NewEvidence = Omit<EvidenceRow, 'id'>;

export const evidenceRepo = {
  insert: (x: Executor, e: NewEvidence): Promise<EvidenceRow> => x.insertInto('evidence').values(e).returningAll().executeTakeFirstOrThrow(),

  findById: (x: Executor, id: string): Promise<EvidenceRow | undefined> => x.selectFrom('evidence').selectAll().where('id', '=', id).executeTakeFirst(),

  forIncident: (x: Executor, incidentId: string, restricted: boolean): Promise<EvidenceRow[]> =>
    x
      .selectFrom('evidence')
      .selectAll()
      .where('incidentId', '=', incidentId)
      .$if(!restricted, (q) => q.where('tlp', 'not in', [...RESTRICTED_TLP] as Tlp[]))
      .orderBy('addedAt')
      .execute(),

  addCustody: (x: Executor, c: { evidenceId: string; action: 'collected' | 'uploaded' | 'downloaded' | 'handed_over'; at: Date; actorId: string | null; actorName: string; details: Record<string, unknown> }) =>
    x.insertInto('evidenceCustody').values({ ...c, details: JSON.stringify(c.details) }).returningAll().executeTakeFirstOrThrow(),

  custody: (x: Executor, evidenceId: string) =>
    x.selectFrom('evidenceCustody').selectAll().where('evidenceId', '=', evidenceId).orderBy('id').execute(),
};
