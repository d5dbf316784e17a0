import type { Db, Executor } from '../../db/index.ts';
import type { AlertSeverity, EscalationRecipient, EscalationTrigger, IncidentEventRow, IncidentRow, Priority } from '../../db/schema.ts';
import { systemActor, type Actor, type Clock } from '../../lib/actor.ts';
import { incidentScope } from '../../lib/authz/incidents.ts';
import { accessRepo, lockVisible } from '../../lib/authz/access.repo.ts';
import { authorize } from '../../lib/authz/policy.ts';
import { VigilError } from '../../lib/errors.ts';
import type { AuditService } from '../audit/index.ts';
import { classificationsOf, findVisibleIncident, type IncidentDeps, lockIncident, recorder, RSIT } from '../incidents/index.ts';
import { choosePolicy, cycleThrough, nextAfter, recipientLabel, SEATS, type PolicyShape } from './policy.ts';
import { escalationRepo, type PolicyRow, type PolicyWrite, type RunRow } from './repo.ts';

/** How escalation finds people: seats, rotas and external contacts live in other modules. */
export interface EscalationDirectory {
  /** Active users holding a seat. */
  membersInSeat(x: Executor, seat: string): Promise<string[]>;
  /** Users on duty in a rota at an instant. */
  onDutyAt(x: Executor, rotaId: string, at: Date): Promise<string[]>;
  /** Users on duty in any rota at an instant. */
  onDutyAnyAt(x: Executor, at: Date): Promise<string[]>;
  /** An external contact (null when unknown). */
  contact(x: Executor, id: string): Promise<{ name: string; email: string | null; active: boolean } | null>;
  rotaExists(x: Executor, id: string): Promise<boolean>;
  channelExists(x: Executor, id: string): Promise<boolean>;
}

/**
 * One batch of notifications, queued in the caller's transaction as facts (who, which incident,
 * the level's variables) and rendered by the delivery worker after the commit, each exactly once
 * per dedupe key and recipient. A template that does not render fails that delivery, never the
 * change that escalated.
 */
export interface EscalationNotice {
  event: 'escalation.level' | 'alert.unacknowledged';
  dedupeKey: string;
  users: string[];
  emails: { address: string; name: string }[];
  channels: string[];
  vars: Record<string, string>;
  /** Default: the incident's page, by its reference when rendered. */
  link?: string | undefined;
  /**
   * The incident whose reference, title, priority and TLP the page names, read when it is
   * rendered; `title` says who reads its title (`hidden`: the reference only, for recipients
   * without a need to know; `by_tlp`: hidden when the incident is TLP:RED or AMBER+STRICT).
   */
  incident?: { id: string; title: 'shown' | 'hidden' | 'by_tlp' } | undefined;
}
export interface EscalationNotifier {
  enqueue(tx: Executor, notice: EscalationNotice): Promise<void>;
}

export interface EscalationDeps {
  db: Db;
  audit: AuditService;
  clock: Clock;
  /** For incident events (escalation started, level notified, acknowledged). */
  incidents: IncidentDeps;
  directory: EscalationDirectory;
  notifier: EscalationNotifier;
  /** Unacknowledged high and critical alerts page whoever is on duty after this long. */
  alertPageAfterMinutes: number;
  /** The least severe alert that pages (VIGIL_ALERT_PAGE_SEVERITY). */
  alertPageSeverity: AlertSeverity;
}

const INCIDENT_ROLES = ['commander', 'coordinator', 'technical_lead', 'analyst', 'scribe', 'communications', 'legal', 'management_liaison'];
const SEVERITY: Record<Priority, number> = { P1: 1, P2: 2, P3: 3, P4: 4 };
const SEVERITIES: AlertSeverity[] = ['info', 'low', 'medium', 'high', 'critical'];
const ESCALATION = systemActor('system');

export function createEscalationService(d: EscalationDeps) {
  const record = recorder(d.incidents);
  const minutes = (n: number) => n * 60_000;

  /** Refuses a policy whose references are unknown or whose follow-on would close a cycle. */
  async function validate(x: Executor, p: PolicyWrite, selfId: string | null): Promise<void> {
    const problems: string[] = [];
    const classes = new Set(RSIT.map((c) => c.value));
    for (const c of p.rsitClasses) if (!classes.has(c)) problems.push(`unknown RSIT class "${c}"`);
    for (const [i, level] of p.levels.entries()) {
      for (const r of level.recipients) {
        const at = `level ${i + 1}`;
        if (r.kind === 'seat' && !(SEATS as readonly string[]).includes(r.seat)) problems.push(`${at}: unknown seat "${r.seat}"`);
        if (r.kind === 'incident_role' && !INCIDENT_ROLES.includes(r.role)) problems.push(`${at}: unknown incident role "${r.role}"`);
        if (r.kind === 'user' && (await escalationRepo.activeUsers(x, [r.userId])).length === 0) problems.push(`${at}: no active user ${r.userId}`);
        if (r.kind === 'rota' && !(await d.directory.rotaExists(x, r.rotaId))) problems.push(`${at}: no rota ${r.rotaId}`);
        if (r.kind === 'channel' && !(await d.directory.channelExists(x, r.channelId))) problems.push(`${at}: no notification channel ${r.channelId}`);
        if (r.kind === 'contact' && !(await d.directory.contact(x, r.contactId))) problems.push(`${at}: no external contact ${r.contactId}`);
      }
    }
    if (problems.length) throw new VigilError('VIG_ESCALATION_POLICY_INVALID', { problems });
    if (p.thenPolicyId) {
      const all = await escalationRepo.policies(x);
      if (!all.some((q) => q.id === p.thenPolicyId)) throw new VigilError('VIG_ESCALATION_POLICY_INVALID', { problems: [`no policy ${p.thenPolicyId} to continue with`] });
      const self = selfId ?? 'new';
      const cycle = cycleThrough(self, p.thenPolicyId, [...all.filter((q) => q.id !== selfId), { id: self, name: p.name, thenPolicyId: p.thenPolicyId }]);
      if (cycle) throw new VigilError('VIG_ESCALATION_CYCLE', { cycle });
    }
  }

  /** Everyone a level reaches, and the recipients that reached nobody. */
  async function resolve(x: Executor, incidentId: string, recipients: EscalationRecipient[], now: Date) {
    const users = new Set<string>();
    const emails: { address: string; name: string }[] = [];
    const channels: string[] = [];
    const unresolved: string[] = [];
    for (const r of recipients) {
      let found: string[] = [];
      if (r.kind === 'seat') found = await d.directory.membersInSeat(x, r.seat);
      else if (r.kind === 'rota') found = await d.directory.onDutyAt(x, r.rotaId, now);
      else if (r.kind === 'on_duty') found = await d.directory.onDutyAnyAt(x, now);
      else if (r.kind === 'user') found = await escalationRepo.activeUsers(x, [r.userId]);
      else if (r.kind === 'incident_role') found = await escalationRepo.roleHolders(x, incidentId, r.role);
      else if (r.kind === 'contact') {
        const c = await d.directory.contact(x, r.contactId);
        if (c?.active && c.email) emails.push({ address: c.email, name: c.name });
        else unresolved.push(recipientLabel(r));
        continue;
      } else if (r.kind === 'channel') {
        if (await d.directory.channelExists(x, r.channelId)) channels.push(r.channelId);
        else unresolved.push(recipientLabel(r));
        continue;
      }
      if (found.length === 0) unresolved.push(recipientLabel(r));
      for (const u of found) users.add(u);
    }
    return { users: [...users], emails, channels, unresolved };
  }

  /** Notifies the run's current level and moves it on; all in the caller's transaction. */
  async function fire(tx: Executor, run: RunRow, incident: IncidentRow, now: Date): Promise<RunRow> {
    const all = await escalationRepo.policies(tx);
    const byId = new Map(all.map((p) => [p.id, p]));
    const policy = byId.get(run.policyId)!;
    const level = policy.levels.find((l) => l.position === run.level);
    if (!level) return escalationRepo.updateRun(tx, run.id, { state: 'exhausted', nextAt: null, endedAt: now });
    const who = await resolve(tx, incident.id, level.recipients, now);
    // The page names the incident by its reference, title, priority and TLP as they are when the
    // delivery worker renders it, after this transaction (a declaration's reference is given at
    // its commit): here only who is told what.
    const vars = { actor: 'Vigil', policy: policy.name, level: String(level.position), round: String(run.round + 1) };
    const key = `escalation:${run.id}:${policy.id}:${level.position}:${run.round}`;
    const page = (title: 'shown' | 'hidden' | 'by_tlp') => ({ event: 'escalation.level' as const, vars, incident: { id: incident.id, title } });
    // Those who may read the incident in full (constituent scope; for RED and AMBER+STRICT a need
    // to know) get its title; the others its reference only.
    const knowing = new Set(await accessRepo.usersWhoSee(tx, incident.id, who.users));
    const told = who.users.filter((u) => knowing.has(u));
    const untold = who.users.filter((u) => !knowing.has(u));
    if (told.length) await d.notifier.enqueue(tx, { ...page('shown'), dedupeKey: `${key}:team`, users: told, emails: [], channels: [] });
    if (untold.length) await d.notifier.enqueue(tx, { ...page('hidden'), dedupeKey: `${key}:team-restricted`, users: untold, emails: [], channels: [] });
    if (who.emails.length || who.channels.length) {
      // Contacts and channels have no need to know a restricted incident (TLP:RED, AMBER+STRICT).
      await d.notifier.enqueue(tx, { ...page('by_tlp'), dedupeKey: `${key}:outside`, users: [], emails: who.emails, channels: who.channels });
    }
    await record(tx, ESCALATION, incident.id, 'escalation.level', {
      policy: policy.name, level: level.position, round: run.round + 1,
      recipients: level.recipients.map(recipientLabel), notified: { users: who.users.length, contacts: who.emails.length, channels: who.channels.length },
      unresolved: who.unresolved,
    });
    const next = nextAfter(policy, { policyId: run.policyId, level: run.level, round: run.round, hops: run.hops }, (id) => byId.get(id));
    if (next.kind === 'exhausted') {
      await record(tx, ESCALATION, incident.id, 'escalation.exhausted', { policy: policy.name, rounds: run.round + 1 });
      return escalationRepo.updateRun(tx, run.id, { state: 'exhausted', nextAt: null, endedAt: now, lastNotifiedAt: now });
    }
    return escalationRepo.updateRun(tx, run.id, {
      ...next.position, nextAt: new Date(now.getTime() + minutes(next.afterMinutes)), lastNotifiedAt: now,
    });
  }

  /**
   * Starts the escalation an incident's priority calls for, unless one is running. `declared`: the
   * classes of an incident declared in this transaction (it has no run yet: nothing to look up).
   */
  async function start(tx: Executor, incident: IncidentRow, trigger: string, now: Date, kind: EscalationTrigger = 'declared', declared?: string[]): Promise<void> {
    if (incident.status === 'closed' || (!declared && (await escalationRepo.activeRun(tx, incident.id)))) return;
    const classes = declared ?? (await classificationsOf(tx, [incident.id])).map((c) => c.class);
    const policy = choosePolicy(await escalationRepo.policies(tx), incident.priority, classes, kind);
    const first = policy?.levels[0];
    if (!policy || !first) return;
    const run = await escalationRepo.insertRun(tx, {
      incidentId: incident.id, policyId: policy.id, state: 'active', level: first.position, round: 0,
      nextAt: new Date(now.getTime() + minutes(first.delayMinutes)), startedAt: now,
    });
    await record(tx, ESCALATION, incident.id, 'escalation.started', { policy: policy.name, trigger, priority: incident.priority });
    // A first level without delay is queued in this very transaction: for a declared P1/P2 the
    // management level's pages exist the moment the declaration commits (a crash cannot separate
    // them), and the delivery worker renders them right after, with the incident's final reference.
    if (first.delayMinutes === 0) await fire(tx, run, incident, now);
  }

  async function end(tx: Executor, incidentId: string, reason: string, now: Date): Promise<void> {
    const run = await escalationRepo.activeRun(tx, incidentId);
    if (!run) return;
    await escalationRepo.updateRun(tx, run.id, { state: 'cancelled', nextAt: null, endedAt: now });
    await record(tx, ESCALATION, incidentId, 'escalation.ended', { reason });
  }

  const service = {
    async listPolicies(actor: Actor): Promise<PolicyRow[]> {
      authorize(actor, 'escalation.read');
      return escalationRepo.policies(d.db);
    },

    async getPolicy(actor: Actor, id: string): Promise<PolicyRow> {
      authorize(actor, 'escalation.read');
      const p = await escalationRepo.policy(d.db, id);
      if (!p) throw new VigilError('VIG_ESCALATION_POLICY_NOT_FOUND', { id });
      return p;
    },

    async createPolicy(actor: Actor, input: PolicyWrite): Promise<PolicyRow> {
      authorize(actor, 'escalation.manage');
      return d.db.transaction().execute(async (tx) => {
        await validate(tx, input, null);
        if ((await escalationRepo.policies(tx)).some((p) => p.name.toLowerCase() === input.name.toLowerCase())) {
          throw new VigilError('VIG_ESCALATION_POLICY_NAME_TAKEN', { name: input.name });
        }
        const id = await escalationRepo.insertPolicy(tx, input, actor.userId, d.clock.now());
        const row = (await escalationRepo.policy(tx, id))!;
        await d.audit.record(tx, actor, { action: 'escalation.policy_created', entity: 'escalation_policy', entityId: id, after: row });
        return row;
      });
    },

    async updatePolicy(actor: Actor, id: string, input: PolicyWrite & { version: number }): Promise<PolicyRow> {
      authorize(actor, 'escalation.manage');
      return d.db.transaction().execute(async (tx) => {
        const before = await escalationRepo.policy(tx, id, true);
        if (!before) throw new VigilError('VIG_ESCALATION_POLICY_NOT_FOUND', { id });
        if (before.version !== input.version) {
          throw new VigilError('VIG_ESCALATION_POLICY_VERSION_CONFLICT', { id, yourVersion: input.version, currentVersion: before.version, current: before });
        }
        if ((await escalationRepo.policies(tx)).some((p) => p.id !== id && p.name.toLowerCase() === input.name.toLowerCase())) {
          throw new VigilError('VIG_ESCALATION_POLICY_NAME_TAKEN', { name: input.name });
        }
        const { version: _v, ...write } = input;
        await validate(tx, write, id);
        await escalationRepo.updatePolicy(tx, id, write, actor.userId, d.clock.now());
        const after = (await escalationRepo.policy(tx, id))!;
        await d.audit.record(tx, actor, { action: 'escalation.policy_updated', entity: 'escalation_policy', entityId: id, before, after });
        return after;
      });
    },

    async deletePolicy(actor: Actor, id: string): Promise<void> {
      authorize(actor, 'escalation.manage');
      await d.db.transaction().execute(async (tx) => {
        const before = await escalationRepo.policy(tx, id, true);
        if (!before) throw new VigilError('VIG_ESCALATION_POLICY_NOT_FOUND', { id });
        const use = await escalationRepo.inUse(tx, id);
        if (use.runs || use.followedBy.length) throw new VigilError('VIG_ESCALATION_POLICY_IN_USE', { id, hasRuns: use.runs, followedBy: use.followedBy });
        await escalationRepo.deletePolicy(tx, id);
        await d.audit.record(tx, actor, { action: 'escalation.policy_deleted', entity: 'escalation_policy', entityId: id, before });
      });
    },

    /** The escalations of an incident the actor may see, newest first. */
    async runs(actor: Actor, incidentIdOrRef: string) {
      const scope = incidentScope(actor);
      const inc = await findVisibleIncident(d.db, scope, incidentIdOrRef);
      if (!inc) throw new VigilError('VIG_INCIDENT_NOT_FOUND', { id: incidentIdOrRef });
      const policies = new Map((await escalationRepo.policies(d.db)).map((p) => [p.id, p]));
      return (await escalationRepo.runs(d.db, inc.id)).map((r) => ({
        ...r, policyName: policies.get(r.policyId)?.name ?? null, levels: policies.get(r.policyId)?.levels.length ?? 0,
      }));
    },

    /**
     * Stops the repeats: a write, so `escalation.acknowledge` (those who work incidents: handlers,
     * managers, admins), on an incident the actor may see (404 first, then 403).
     */
    async acknowledge(actor: Actor, incidentIdOrRef: string) {
      return d.db.transaction().execute(async (tx) => {
        const inc = await lockVisible(tx, actor, incidentScope(actor), incidentIdOrRef, 'escalation.acknowledge');
        const run = await escalationRepo.activeRun(tx, inc.id);
        if (!run) throw new VigilError('VIG_ESCALATION_NOT_ACTIVE', { incident: inc.reference });
        const now = d.clock.now();
        const after = await escalationRepo.updateRun(tx, run.id, { state: 'acknowledged', nextAt: null, endedAt: now, acknowledgedAt: now, acknowledgedBy: actor.userId });
        await record(tx, actor, inc.id, 'escalation.acknowledged', { level: run.level, round: run.round + 1 });
        return after;
      });
    },

    /**
     * Called in the transaction of every incident event: a declared incident, or one raised to a
     * more severe priority, starts its 'declared' escalation; an SLA clock at risk (a warning, or a
     * breach of a clock still running; not one met late) its 'sla_at_risk' escalation, unless an
     * escalation is running; closing it ends the escalation.
     */
    async incidentEvent(tx: Executor, event: IncidentEventRow): Promise<void> {
      const now = d.clock.now();
      if (event.kind === 'incident.closed') return end(tx, event.incidentId, 'incident closed', now);
      if (event.kind === 'sla.warning' || event.kind === 'sla.breached') {
        if ((event.data as { metAt?: unknown } | null)?.metAt) return;
        const incident = await lockIncident(tx, event.incidentId);
        if (incident) await start(tx, incident, event.kind, now, 'sla_at_risk');
        return;
      }
      const data = event.data as { from?: Priority; to?: Priority } | null;
      const raised = event.kind === 'incident.priority_changed' && data?.from && data.to && SEVERITY[data.to] < SEVERITY[data.from];
      if (event.kind !== 'incident.declared' && event.kind !== 'incident.reopened' && !raised) return;
      const incident = await lockIncident(tx, event.incidentId);
      const declared = event.kind === 'incident.declared' ? (event.data as { classifications?: { class: string }[] } | null)?.classifications?.map((c) => c.class) : undefined;
      if (incident) await start(tx, incident, event.kind.slice('incident.'.length), now, 'declared', declared);
    },

    /** Notifies every level that is due; each in its own transaction, so a crash repeats none. */
    async tick(limit = 20): Promise<number> {
      const now = d.clock.now();
      const due = await escalationRepo.dueIds(d.db, now, limit);
      let fired = 0;
      for (const { id, incidentId } of due) {
        fired += await d.db.transaction().execute(async (tx) => {
          // The incident first, then the run: the order acknowledging takes them in.
          const incident = await lockIncident(tx, incidentId);
          const run = await escalationRepo.activeRun(tx, incidentId);
          if (!incident || !run || run.id !== id || !run.nextAt || run.nextAt.getTime() > now.getTime()) return 0;
          // Closed some way that told no one (an older server, a merge): nothing more to escalate.
          if (incident.status === 'closed') {
            await end(tx, incident.id, 'incident closed', now);
            return 0;
          }
          await fire(tx, run, incident, now);
          return 1;
        });
      }
      return fired + (await service.pageAlerts());
    },

    /** Alerts (high and critical by default) nobody acknowledged in time page whoever is on duty, once each. */
    async pageAlerts(limit = 50): Promise<number> {
      const now = d.clock.now();
      const before = new Date(now.getTime() - minutes(d.alertPageAfterMinutes));
      return d.db.transaction().execute(async (tx) => {
        const alerts = await escalationRepo.unpagedAlerts(tx, SEVERITIES.slice(SEVERITIES.indexOf(d.alertPageSeverity)), before, limit);
        if (alerts.length === 0) return 0;
        let users = await d.directory.onDutyAnyAt(tx, now);
        let fallback = false;
        if (users.length === 0) {
          users = await d.directory.membersInSeat(tx, 'csirt_manager');
          fallback = true;
        }
        for (const a of alerts) {
          if (users.length) {
            await d.notifier.enqueue(tx, {
              event: 'alert.unacknowledged', dedupeKey: `alert-unacknowledged:${a.id}`, users, emails: [], channels: [],
              vars: { alertTitle: `${a.reference}: ${a.title}`, alertSeverity: a.severity, source: a.sourceName, waitingMinutes: String(d.alertPageAfterMinutes) },
              link: `/triage/alert/${a.reference}`,
            });
          }
          await escalationRepo.markPaged(tx, a.id, now, { users: users.length, fallback });
        }
        return alerts.length;
      });
    },
  };
  return service;
}
export type EscalationService = ReturnType<typeof createEscalationService>;
export type { PolicyShape };
