import type { Executor } from '../../db/index.ts';
import type { IncidentRow } from '../../db/schema.ts';
import { decodeCursor, encodeCursor } from '../../lib/cursor.ts';
import { incidentRepo, SORTS, type IncidentSort } from './repo.ts';

/** An incident as the API shows it: the row, its classifications and who holds which role. */
export async function incidentViews(x: Executor, rows: IncidentRow[]) {
  const ids = rows.map((r) => r.id);
  const assigneeIds = [...new Set(rows.map((r) => r.assigneeId).filter((v): v is string => !!v))];
  const [classes, roles, assignees] = await Promise.all([
    incidentRepo.classifications(x, ids), incidentRepo.roles(x, ids), incidentRepo.users(x, assigneeIds),
  ]);
  return rows.map((r) => ({
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
    classifications: classes.filter((c) => c.incidentId === r.id).map((c) => ({ class: c.class, type: c.type, primary: c.isPrimary })),
    roles: roles
      .filter((x) => x.incidentId === r.id)
      .map((x) => ({ role: x.role, userId: x.userId, username: x.username, displayName: x.displayName, assignedAt: x.assignedAt })),
    assignee: (() => {
      const a = r.assigneeId ? assignees.find((u) => u.id === r.assigneeId) : undefined;
      return a ? { userId: a.id, username: a.username, displayName: a.displayName } : null;
    })(),
    version: r.version,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    closedAt: r.closedAt,
  }));
}
export type IncidentView = Awaited<ReturnType<typeof incidentViews>>[number];

const KIND = { createdAt: 'date', updatedAt: 'date', priority: 'priority', id: 'uuid' } as const;

/** A list cursor for this sort: the sort key values of the page's last row. */
export const encodeListCursor = (r: IncidentRow, sort: IncidentSort): string => encodeCursor(sort, SORTS[sort].map((o) => r[o.column]));

/** The keyset values of a cursor made for this sort (a cursor from another sort is refused). */
export const decodeListCursor = (c: string, sort: IncidentSort): (string | Date)[] => decodeCursor(c, sort, SORTS[sort].map((o) => KIND[o.column]));
