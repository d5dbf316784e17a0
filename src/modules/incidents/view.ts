import type { Executor } from '../../db/index.ts';
import type { IncidentRow } from '../../db/schema.ts';
import { VigilError } from '../../lib/errors.ts';
import { incidentRepo } from './repo.ts';

/** An incident as the API shows it: the row, its classifications and who holds which role. */
export async function incidentViews(x: Executor, rows: IncidentRow[]) {
  const ids = rows.map((r) => r.id);
  const [classes, roles] = await Promise.all([incidentRepo.classifications(x, ids), incidentRepo.roles(x, ids)]);
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
    version: r.version,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    closedAt: r.closedAt,
  }));
}
export type IncidentView = Awaited<ReturnType<typeof incidentViews>>[number];

export function encodeListCursor(r: { createdAt: Date; id: string }): string {
  return Buffer.from(`${r.createdAt.toISOString()}|${r.id}`).toString('base64url');
}

export function decodeListCursor(c: string): { createdAt: Date; id: string } {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\|([0-9a-f-]{36})$/.exec(Buffer.from(c, 'base64url').toString('utf8'));
  if (!m) throw new VigilError('VIG_CURSOR_INVALID');
  return { createdAt: new Date(m[1]!), id: m[2]! };
}
