import type { Executor } from '../../db/index.ts';
import type { EvidenceRow, Tlp } from '../../db/schema.ts';
import { RESTRICTED_TLP } from '../../lib/authz/incidents.ts';

type NewEvidence = Omit<EvidenceRow, 'id'>;

export const evidenceRepo = {
  insert: (x: Executor, e: NewEvidence): Promise<EvidenceRow> => x.insertInto('evidence').values(e).returningAll().executeTakeFirstOrThrow(),

  findById: (x: Executor, id: string): Promise<EvidenceRow | undefined> => x.selectFrom('evidence').selectAll().where('id', '=', id).executeTakeFirst(),

  /** The incident's evidence with these bytes, if it already holds them. */
  findByContent: (x: Executor, incidentId: string, sha256: string): Promise<EvidenceRow | undefined> =>
    x.selectFrom('evidence').selectAll().where('incidentId', '=', incidentId).where('sha256', '=', sha256).orderBy('addedAt').limit(1).executeTakeFirst(),

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

  /**
   * Which of these SHA-256s a row still refers to. The blob store's files belong to evidence and
   * to stored report attachments (e-mail and web form); a file neither refers to may be swept.
   */
  async blobsInUse(x: Executor, sha256s: string[]): Promise<Set<string>> {
    if (!sha256s.length) return new Set();
    // Evidence, report attachments and the reports feeds delivered share the store.
    const [ev, att, feed] = await Promise.all([
      x.selectFrom('evidence').select('sha256').distinct().where('sha256', 'in', sha256s).execute(),
      x.selectFrom('reportAttachment').select('sha256').distinct().where('sha256', 'in', sha256s).execute(),
      x.selectFrom('feedReport').select('sha256').distinct().where('sha256', 'in', sha256s).execute(),
    ]);
    return new Set([...ev, ...att, ...feed].map((r) => r.sha256).filter((v): v is string => v !== null));
  },

  custody: (x: Executor, evidenceId: string) =>
    x.selectFrom('evidenceCustody').selectAll().where('evidenceId', '=', evidenceId).orderBy('id').execute(),
};
