import type { Executor } from '../../db/index.ts';
import type { IncidentRow } from '../../db/schema.ts';
import type { Actor } from '../../lib/actor.ts';
import { incidentActions } from '../../lib/authz/policy.ts';
import { decodeCursor, encodeCursor } from '../../lib/cursor.ts';
import { incidentRepo, SORTS, type IncidentSort } from './repo.ts';

/**
 * An incident as the API shows it to this actor: the row, its classifications, who holds which
 * role, and what the actor may do to it (`allowed`).
 */
export async function incidentViews(x: Executor, rows: IncidentRow[], actor: Actor) {
  const parts = new Map((await incidentRepo.viewParts(x, rows)).map((p) => [p.id, p]));
  return rows.map((r) => {
    const p = parts.get(r.id);
    return {
      id: r.id,
      reference: r.reference,
      title: r.title,
      summary: r.summary,
      status: r.status,
      resolution: r.resolution,
      duplicateOf: r.duplicateOf,
      impact: r.impact,
      urgency: r.urgency,
      priority: r.priority,
      tlp: r.tlp,
      pap: r.pap,
      constituent: r.constituent,
      exercise: r.exercise,
      keyTimes: {
        firstCompromiseAt: r.firstCompromiseAt,
        detectedAt: r.detectedAt,
        containedAt: r.containedAt,
        recoveredAt: r.recoveredAt,
      },
      classifications: p?.classifications ?? [],
      // JSON carries the time as text; the API's schema (and every other view) has it as a time.
      roles: (p?.roles ?? []).map((x) => ({ ...x, assignedAt: new Date(x.assignedAt) })),
      assignee: p?.assignee ?? null,
      version: r.version,
      createdBy: r.createdBy,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      closedAt: r.closedAt,
      allowed: incidentActions(actor, r),
    };
  });
}
export type IncidentView = Awaited<ReturnType<typeof incidentViews>>[number];

const KIND = { createdAt: 'date', updatedAt: 'date', priority: 'priority', id: 'uuid' } as const;

/** A list cursor for this sort: the sort key values of the page's last row. */
export const encodeListCursor = (r: IncidentRow, sort: IncidentSort): string => encodeCursor(sort, SORTS[sort].map((o) => r[o.column]));

/** The keyset values of a cursor made for this sort (a cursor from another sort is refused). */
export const decodeListCursor = (c: string, sort: IncidentSort): (string | Date)[] => decodeCursor(c, sort, SORTS[sort].map((o) => KIND[o.column]));
