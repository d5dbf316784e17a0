import type { Executor } from '../../db/index.ts';
import type { IncidentRow } from '../../db/schema.ts';
import { VigilError } from '../../lib/errors.ts';
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

/** A list cursor: the sort and the sort key values of the page's last row, opaque to clients. */
export function encodeListCursor(r: IncidentRow, sort: IncidentSort): string {
  const values = SORTS[sort].map((o) => {
    const v = r[o.column];
    return v instanceof Date ? v.toISOString() : v;
  });
  return Buffer.from(JSON.stringify([sort, ...values])).toString('base64url');
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const CHECKS: Record<string, (v: unknown) => boolean> = {
  createdAt: (v) => typeof v === 'string' && ISO.test(v),
  updatedAt: (v) => typeof v === 'string' && ISO.test(v),
  priority: (v) => typeof v === 'string' && /^P[1-4]$/.test(v),
  id: (v) => typeof v === 'string' && /^[0-9a-f-]{36}$/.test(v),
};

/** The keyset values of a cursor made for this sort (a cursor from another sort is refused). */
export function decodeListCursor(c: string, sort: IncidentSort): (string | Date)[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
  } catch {
    throw new VigilError('VIG_CURSOR_INVALID');
  }
  const order = SORTS[sort];
  if (!Array.isArray(parsed) || parsed[0] !== sort || parsed.length !== order.length + 1) throw new VigilError('VIG_CURSOR_INVALID');
  return order.map((o, i) => {
    const v = parsed[i + 1];
    if (!CHECKS[o.column]!(v)) throw new VigilError('VIG_CURSOR_INVALID');
    return o.column === 'createdAt' || o.column === 'updatedAt' ? new Date(v as string) : (v as string);
  });
}
