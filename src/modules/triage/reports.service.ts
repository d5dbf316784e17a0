import type { Executor } from '../../db/index.ts';
import type { Rejection, Tlp } from '../../db/schema.ts';
import type { Actor } from '../../lib/actor.ts';
import { requireAccess } from '../../lib/authz/access.repo.ts';
import { incidentScope } from '../../lib/authz/incidents.ts';
import { authorize } from '../../lib/authz/policy.ts';
import { VigilError } from '../../lib/errors.ts';
import { type DeclareInput, type IncidentDeps, type IncidentService, lockIncident, type IncidentRecord as IncidentView, recorder } from '../incidents/index.ts';
import { lockVisible } from '../../lib/authz/access.repo.ts';
import { reportDecisions, type ReportRow, type ReportService } from '../reports/index.ts';

/**
 * Called in the transaction that puts reports on an incident (link, declare, merge into a linked
 * report): their observables carry onto the incident.
 */
export type ReportsLinkedHook = (tx: Executor, actor: Actor, reports: ReportRow[], incident: { id: string; tlp: Tlp }) => Promise<unknown>;

/**
 * Deciding what becomes of a report: linking it to an incident, merging it into another report,
 * rejecting it with a reason, declaring an incident from it, or undoing the decision. The reports
 * module keeps receiving and showing them.
 */
export function createReportTriageService(d: IncidentDeps & { incidents: IncidentService; reports: ReportService; onLinked?: ReportsLinkedHook | undefined }) {
  const record = recorder(d);
  const teamView = (x: Executor, actor: Actor, row: ReportRow) => d.reports.teamView(x, actor, row);

  /** Loads a report the actor may see and triage, locked, at the version the caller read. */
  async function lockForTriage(tx: Executor, actor: Actor, id: string, version: number | undefined) {
    const [seen] = await requireAccess(tx, actor, 'report.triage', [id], 'report');
    const row = (await reportDecisions.lockById(tx, seen!))!;
    if (version !== undefined && row.version !== version) {
      throw new VigilError('VIG_REPORT_VERSION_CONFLICT', { id: row.id, yourVersion: version, currentVersion: row.version, current: await teamView(tx, actor, row) });
    }
    return row;
  }

  /** Reports for a decision on several at once: all visible (one query), locked (one query), in the order given. */
  async function lockManyForTriage(tx: Executor, actor: Actor, ids: string[]): Promise<ReportRow[]> {
    const wanted = await requireAccess(tx, actor, 'report.triage', ids, 'report');
    const rows = new Map((await reportDecisions.lockMany(tx, wanted)).map((r) => [r.id, r]));
    return wanted.map((id) => rows.get(id)!);
  }

  async function mustBeNew(tx: Executor, actor: Actor, row: ReportRow) {
    if (row.status !== 'new') throw new VigilError('VIG_REPORT_DECIDED', { id: row.id, status: row.status, current: await teamView(tx, actor, row) });
  }

  /** Puts a report (and the reports merged into it) on an incident, recorded on the incident. */
  async function attach(tx: Executor, actor: Actor, row: ReportRow, incident: { id: string; tlp: Tlp }, how: 'linked' | 'declared') {
    const now = d.clock.now();
    const after = await reportDecisions.update(tx, row.id, { status: 'linked', incidentId: incident.id, decidedBy: actor.userId, decidedAt: now, updatedAt: now });
    const followers = await reportDecisions.followers(tx, row.id);
    for (const f of followers) await reportDecisions.update(tx, f.id, { incidentId: incident.id, updatedAt: now });
    await record(tx, actor, incident.id, 'report.linked', {
      report: { id: row.id, reference: row.reference, title: row.title, channel: row.channel }, how,
      ...(followers.length ? { withMerged: followers.map((f) => f.reference) } : {}),
    }, { tlp: row.tlp });
    await d.onLinked?.(tx, actor, [row, ...followers], incident);
    return after;
  }

  async function recordReport(tx: Executor, actor: Actor, row: ReportRow, action: string, data: Record<string, unknown>) {
    await d.audit.record(tx, actor, { action, entity: 'report', entityId: row.id, after: { reference: row.reference, ...data } });
  }

  return {
    async link(actor: Actor, id: string, incident: string, version?: number) {
      return d.db.transaction().execute(async (tx) => {
        const row = await lockForTriage(tx, actor, id, version);
        await mustBeNew(tx, actor, row);
        const target = await lockVisible(tx, actor, incidentScope(actor), incident, 'incident.update');
        if (target.status === 'closed') throw new VigilError('VIG_INCIDENT_CLOSED', { id: target.id });
        const after = await attach(tx, actor, row, target, 'linked');
        await recordReport(tx, actor, after, 'report.linked', { incident: target.reference });
        return teamView(tx, actor, after);
      });
    },

    /** Merges a report into another (a repeat of the same report): it follows that report's incident. */
    async merge(actor: Actor, id: string, into: string, version?: number) {
      return d.db.transaction().execute(async (tx) => {
        const row = await lockForTriage(tx, actor, id, version);
        await mustBeNew(tx, actor, row);
        // A triager is a team member: it sees reports as the team does.
        const seen = await reportDecisions.findVisible(tx, { kind: 'team', incidents: incidentScope(actor) }, into);
        if (!seen) throw new VigilError('VIG_REPORT_MERGE_INVALID', { reason: 'no such report', into });
        if (seen.id === row.id) throw new VigilError('VIG_REPORT_MERGE_INVALID', { reason: 'a report cannot merge into itself' });
        const target = (await reportDecisions.lockById(tx, seen.id))!;
        if (target.status === 'merged') throw new VigilError('VIG_REPORT_MERGE_INVALID', { reason: 'the target is itself merged; merge into the report it was merged into', into: target.reference });
        if (await reportDecisions.hasFollowers(tx, row.id)) {
          throw new VigilError('VIG_REPORT_MERGE_INVALID', { reason: 'other reports are merged into this one; merge the other way round' });
        }
        const now = d.clock.now();
        const after = await reportDecisions.update(tx, row.id, { status: 'merged', mergedInto: target.id, incidentId: target.incidentId, decidedBy: actor.userId, decidedAt: now, updatedAt: now });
        if (target.incidentId) {
          await record(tx, actor, target.incidentId, 'report.linked', {
            report: { id: row.id, reference: row.reference, title: row.title, channel: row.channel }, how: 'merged', into: target.reference,
          }, { tlp: row.tlp });
          const inc = await lockIncident(tx, target.incidentId);
          if (inc) await d.onLinked?.(tx, actor, [row], inc);
        }
        await recordReport(tx, actor, after, 'report.merged', { into: target.reference });
        return teamView(tx, actor, after);
      });
    },

    async reject(actor: Actor, id: string, reason: Rejection, note: string | undefined, version?: number) {
      return d.db.transaction().execute(async (tx) => {
        const row = await lockForTriage(tx, actor, id, version);
        await mustBeNew(tx, actor, row);
        const now = d.clock.now();
        const after = await reportDecisions.update(tx, row.id, { status: 'rejected', rejection: reason, rejectionNote: note?.trim() || null, decidedBy: actor.userId, decidedAt: now, updatedAt: now });
        await recordReport(tx, actor, after, 'report.rejected', { reason, note: after.rejectionNote });
        return teamView(tx, actor, after);
      });
    },

    /** Undoes a decision: back to the queue as new (unlinked from its incident, which records it). */
    async reopen(actor: Actor, id: string, reason: string, version?: number) {
      return d.db.transaction().execute(async (tx) => {
        const row = await lockForTriage(tx, actor, id, version);
        if (row.status === 'new') throw new VigilError('VIG_REPORT_DECIDED', { id: row.id, status: row.status, current: await teamView(tx, actor, row) });
        const now = d.clock.now();
        if (row.status === 'linked' && row.incidentId) {
          const inc = await lockVisible(tx, actor, incidentScope(actor), row.incidentId, 'incident.update');
          if (inc.status === 'closed') throw new VigilError('VIG_INCIDENT_CLOSED', { id: inc.id });
          for (const f of await reportDecisions.followers(tx, row.id)) await reportDecisions.update(tx, f.id, { incidentId: null, updatedAt: now });
          await record(tx, actor, inc.id, 'report.unlinked', { report: { id: row.id, reference: row.reference, title: row.title }, reason }, { tlp: row.tlp });
        }
        const after = await reportDecisions.update(tx, row.id, {
          status: 'new', incidentId: null, mergedInto: null, rejection: null, rejectionNote: null, decidedBy: null, decidedAt: null, updatedAt: now,
        });
        await recordReport(tx, actor, after, 'report.reopened', { from: row.status, reason });
        return teamView(tx, actor, after);
      });
    },

    /**
     * Declares an incident from one or more new reports and links them to it, in one transaction.
     * The reports are checked and locked together (two statements however many).
     */
    async declareFrom(actor: Actor, reportIds: string[], input: DeclareInput, also?: (tx: Executor, incident: IncidentView) => Promise<unknown>): Promise<IncidentView> {
      authorize(actor, 'incident.create');
      authorize(actor, 'report.triage');
      return d.db.transaction().execute(async (tx) => {
        const rows = await lockManyForTriage(tx, actor, reportIds);
        for (const row of rows) await mustBeNew(tx, actor, row);
        const incident = await d.incidents.declareIn(tx, actor, input);
        for (const row of rows) {
          const after = await attach(tx, actor, row, incident, 'declared');
          await recordReport(tx, actor, after, 'report.linked', { incident: incident.reference });
        }
        if (also) await also(tx, incident);
        return incident;
      });
    },
  };
}
export type ReportTriageService = ReturnType<typeof createReportTriageService>;
