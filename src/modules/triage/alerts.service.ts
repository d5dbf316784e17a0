import type { Executor } from '../../db/index.ts';
import type { AlertDismissal, Tlp } from '../../db/schema.ts';
import type { Actor } from '../../lib/actor.ts';
import { requireAccess } from '../../lib/authz/access.repo.ts';
import { incidentScope } from '../../lib/authz/incidents.ts';
import { alertActions } from '../../lib/authz/policy.ts';
import { VigilError } from '../../lib/errors.ts';
import { lockVisible } from '../../lib/authz/access.repo.ts';
import { type IncidentDeps, recorder } from '../incidents/index.ts';
import { alertDecisions, type AlertRow } from '../intake/index.ts';
import type { ObservableService } from '../observables/index.ts';

type IncidentRef = { id: string; reference: string; tlp: Tlp };

/**
 * Deciding what becomes of monitoring alerts: acknowledge, dismiss, put on an incident (link, or
 * escalate while declaring one), or back to the queue. Every action checks and locks its alerts
 * as a set (`requireAccess`, then one locking read), whatever their number; the intake module
 * keeps receiving and showing them.
 */
export function createAlertTriageService(d: IncidentDeps & { observables: Pick<ObservableService, 'linkIn'> }) {
  const record = recorder(d);

  /** An alert as the triage actions answer it: with what the actor may now do to it. */
  const shown = (actor: Actor, row: AlertRow) => ({ ...row, allowed: alertActions(actor, row) });

  /** Alerts the actor may see and triage, checked together (one query) and locked (one query), in the order given. */
  async function lockManyForTriage(tx: Executor, actor: Actor, ids: string[]): Promise<AlertRow[]> {
    const wanted = await requireAccess(tx, actor, 'report.triage', ids, 'alert');
    const rows = new Map((await alertDecisions.lockMany(tx, wanted)).map((r) => [r.id, r]));
    return wanted.map((id) => rows.get(id)!);
  }

  /** One alert the actor may see and triage, locked, at the version the caller read. */
  async function lockForTriage(tx: Executor, actor: Actor, id: string, version?: number): Promise<AlertRow> {
    const [row] = await lockManyForTriage(tx, actor, [id]);
    if (version !== undefined && row!.version !== version) {
      throw new VigilError('VIG_ALERT_VERSION_CONFLICT', { id: row!.id, yourVersion: version, currentVersion: row!.version, current: await alertDecisions.findVisible(tx, incidentScope(actor), row!.id) });
    }
    return row!;
  }

  async function change(tx: Executor, actor: Actor, row: AlertRow, kind: string, patch: Parameters<typeof alertDecisions.update>[2], data: Record<string, unknown> = {}) {
    const now = d.clock.now();
    const after = await alertDecisions.update(tx, row.id, { ...patch, updatedAt: now });
    await alertDecisions.addEvent(tx, { alertId: row.id, at: now, actorId: actor.userId, actor: actor.username, kind, data: { from: row.status, to: after.status, ...data } });
    await d.audit.record(tx, actor, { action: `alert.${kind}`, entity: 'alert', entityId: row.id, before: { status: row.status }, after: { reference: row.reference, status: after.status, ...data } });
    return after;
  }

  /**
   * The same change to many alerts, at a constant number of statements: one update, one insert of
   * their events; the audit records are appended together at the commit.
   */
  async function changeMany(tx: Executor, actor: Actor, rows: AlertRow[], kind: string, patch: Parameters<typeof alertDecisions.update>[2], data: Record<string, unknown> = {}) {
    if (rows.length === 0) return new Map<string, AlertRow>();
    const now = d.clock.now();
    const after = new Map((await alertDecisions.updateMany(tx, rows.map((r) => r.id), { ...patch, updatedAt: now })).map((a) => [a.id, a]));
    await alertDecisions.addEvents(tx, rows.map((row) => ({
      alertId: row.id, at: now, actorId: actor.userId, actor: actor.username, kind, data: { from: row.status, to: after.get(row.id)!.status, ...data },
    })));
    for (const row of rows) {
      await d.audit.record(tx, actor, { action: `alert.${kind}`, entity: 'alert', entityId: row.id, before: { status: row.status }, after: { reference: row.reference, status: after.get(row.id)!.status, ...data } });
    }
    return after;
  }

  async function attach(tx: Executor, actor: Actor, row: AlertRow, incident: IncidentRef, how: 'declared' | 'linked') {
    const after = await change(tx, actor, row, 'escalated', { status: 'escalated', incidentId: incident.id, decidedBy: actor.userId, decidedAt: d.clock.now(), dismissal: null, dismissalNote: null }, { incident: incident.reference, how });
    await record(tx, actor, incident.id, 'alert.linked', {
      alert: { id: row.id, reference: row.reference, title: row.title, severity: row.severity }, how,
    }, { tlp: row.tlp });
    if (row.observables.length) {
      await d.observables.linkIn(tx, actor, incident, row.observables.map((o) => ({ type: o.type as never, value: o.value, tlp: row.tlp })));
    }
    return after;
  }

  const service = {
    /** Acknowledges new alerts (in bulk): someone is looking at them. Already acknowledged ones are skipped. */
    async acknowledge(actor: Actor, ids: string[]) {
      return d.db.transaction().execute(async (tx) => {
        const rows = await lockManyForTriage(tx, actor, ids);
        const decided = rows.find((r) => r.status !== 'new' && r.status !== 'acknowledged');
        if (decided) throw new VigilError('VIG_ALERT_DECIDED', { id: decided.id, reference: decided.reference, status: decided.status });
        const changed = await changeMany(tx, actor, rows.filter((r) => r.status === 'new'), 'acknowledged', { status: 'acknowledged' });
        return rows.map((r) => shown(actor, changed.get(r.id) ?? r));
      });
    },

    async dismiss(actor: Actor, ids: string[], reason: AlertDismissal, note: string | undefined) {
      return d.db.transaction().execute(async (tx) => {
        const rows = await lockManyForTriage(tx, actor, ids);
        const decided = rows.find((r) => r.status === 'escalated' || r.status === 'dismissed');
        if (decided) throw new VigilError('VIG_ALERT_DECIDED', { id: decided.id, reference: decided.reference, status: decided.status });
        const changed = await changeMany(tx, actor, rows, 'dismissed',
          { status: 'dismissed', dismissal: reason, dismissalNote: note?.trim() || null, decidedBy: actor.userId, decidedAt: d.clock.now() }, { reason, note: note?.trim() || null });
        return rows.map((r) => shown(actor, changed.get(r.id)!));
      });
    },

    /** Back to the queue: a dismissal was wrong, or an acknowledged alert needs someone else. */
    async reopen(actor: Actor, id: string, reason: string, version?: number) {
      return d.db.transaction().execute(async (tx) => {
        const row = await lockForTriage(tx, actor, id, version);
        if (row.status === 'new') throw new VigilError('VIG_ALERT_DECIDED', { id: row.id, reference: row.reference, status: row.status });
        if (row.status === 'escalated') throw new VigilError('VIG_ALERT_DECIDED', { id: row.id, reference: row.reference, status: row.status, reason: 'an escalated alert stays with its incident' });
        return shown(actor, await change(tx, actor, row, 'reopened', { status: 'new', dismissal: null, dismissalNote: null, decidedBy: null, decidedAt: null }, { reason }));
      });
    },

    /** Puts alerts on an existing incident (recorded there; their observables are linked to it). */
    async link(actor: Actor, ids: string[], incident: string) {
      return d.db.transaction().execute(async (tx) => {
        const target = await lockVisible(tx, actor, incidentScope(actor), incident, 'incident.update');
        if (target.status === 'closed') throw new VigilError('VIG_INCIDENT_CLOSED', { id: target.id });
        return service.escalateIn(tx, actor, ids, target, 'linked');
      });
    },

    /**
     * Escalates alerts onto an incident inside the caller's transaction (declaring an incident from
     * items): all checked and locked first, as a set; then each one's own change, events and audit
     * records, in the order given.
     */
    async escalateIn(tx: Executor, actor: Actor, ids: string[], incident: IncidentRef, how: 'declared' | 'linked' = 'declared') {
      if (ids.length === 0) return [];
      const rows = await lockManyForTriage(tx, actor, ids);
      const decided = rows.find((r) => r.status === 'escalated' || r.status === 'dismissed');
      if (decided) throw new VigilError('VIG_ALERT_DECIDED', { id: decided.id, reference: decided.reference, status: decided.status });
      const out: ReturnType<typeof shown>[] = [];
      for (const row of rows) out.push(shown(actor, await attach(tx, actor, row, incident, how)));
      return out;
    },
  };
  return service;
}
export type AlertTriageService = ReturnType<typeof createAlertTriageService>;
