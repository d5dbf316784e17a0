// The live operations dashboard: open incidents by priority and status, SLA clocks at risk, who is
// on duty, intake of the last 24 hours. Computed at request time from the stored rows; each part
// only for those whose permissions let them read the list it summarises.
import type { Db } from '../../db/index.ts';
import type { AlertSeverity, IncidentStatus, Priority, ReportChannel } from '../../db/schema.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { incidentScope } from '../../lib/authz/incidents.ts';
import { authorize, can } from '../../lib/authz/policy.ts';
import { displayNames, listRotas, onDuty, shiftsOf } from '../oncall/index.ts';
import { dashboardRepo, type OperationsRows } from './repo.ts';

export const PRIORITIES: Priority[] = ['P1', 'P2', 'P3', 'P4'];
export const OPEN_STATUSES: Exclude<IncidentStatus, 'closed'>[] = ['new', 'triage', 'analysis', 'containment', 'eradication', 'recovery'];
export const REPORT_CHANNELS: ReportChannel[] = ['api', 'web_form', 'portal', 'email', 'phone', 'monitoring', 'other'];
export const SEVERITIES: AlertSeverity[] = ['critical', 'high', 'medium', 'low', 'info'];
/** The most at-risk clocks listed. */
export const AT_RISK_LIMIT = 20;
const HOUR = 3_600_000;
const MINUTE = 60_000;
const DAY = 86_400_000;

type Grid = Record<Priority, Record<Exclude<IncidentStatus, 'closed'>, number>>;
const emptyGrid = (): Grid =>
  Object.fromEntries(PRIORITIES.map((p) => [p, Object.fromEntries(OPEN_STATUSES.map((s) => [s, 0]))])) as Grid;

/** What escalation needs before it reaches anyone, in the order the checklist shows it. */
const SETUP = [
  {
    key: 'escalation_policy', href: '/escalation',
    title: 'An escalation policy is enabled for declared incidents',
    hint: 'Declaring an incident starts the escalation policy that fits its priority. With none enabled, nobody is told.',
  },
  {
    key: 'manager_seat', href: '/team',
    title: 'Someone holds the CSIRT manager seat',
    hint: 'The default policy tells the CSIRT manager first. Give the seat to a team member on the Team page.',
  },
  {
    key: 'oncall_rota', href: '/oncall',
    title: 'An on-call rota has members',
    hint: 'Escalation also reaches whoever is on duty. Without a rota, nobody is on duty.',
  },
  {
    key: 'mail_relay', href: '/admin/mail',
    title: 'Outgoing mail has a relay',
    hint: 'Without a relay (VIGIL_SMTP_RELAY_URL), escalation mail waits in the queue and people are told only in the app.',
  },
] as const;
export type SetupKey = (typeof SETUP)[number]['key'];

export function createDashboardService(d: { db: Db; clock: Clock; relayConfigured: boolean }) {
  /** The set-up checklist: each thing escalation needs, and whether it is there now. */
  async function setup() {
    const s = await dashboardRepo.setup(d.db);
    const done: Record<SetupKey, boolean> = { escalation_policy: s.policy, manager_seat: s.managerSeat, oncall_rota: s.rota, mail_relay: d.relayConfigured };
    const items = SETUP.map((i) => ({ ...i, done: done[i.key] }));
    return { complete: items.every((i) => i.done), items };
  }

  /**
   * Who is on duty now in each rota, from the on-call schedule (shiftsOf/onDuty, as the on-call
   * page computes it) but over the next day only: the on-call page's week of look-ahead, which
   * only says when cover resumes, is read just for a rota nobody covers now.
   */
  async function duty(actor: Actor, at: Date) {
    if (!can(actor, 'oncall.read')) return null;
    const t = at.getTime();
    const rotas = await Promise.all((await listRotas(d.db)).map(async (r) => {
      const now = onDuty(await shiftsOf(d.db, r, at, new Date(t + DAY)), t);
      const next = now.length ? undefined : (await shiftsOf(d.db, r, at, new Date(t + 8 * DAY))).find((s) => s.start > t);
      return { r, now, nextCoverAt: next ? new Date(next.start) : null };
    }));
    const names = new Map((await displayNames(d.db, [...new Set(rotas.flatMap((x) => x.now.map((s) => s.userId)))])).map((u) => [u.id, u.displayName]));
    return {
      rotas: rotas.map(({ r, now, nextCoverAt }) => ({
        id: r.id,
        name: r.name,
        onDuty: now.map((p) => ({ userId: p.userId, displayName: names.get(p.userId) ?? p.userId, until: new Date(p.end), source: p.source, region: p.region })),
        nextCoverAt,
      })),
      uncovered: rotas.filter((x) => x.now.length === 0).length,
    };
  }

  /** The intake section from the rows read: 24 hour buckets per channel, alerts per severity. */
  function intake(rows: OperationsRows, firstHour: number) {
    if (!rows.reports || !rows.alerts) return null;
    const hours = Array.from({ length: 24 }, (_, i) => ({
      start: new Date((firstHour + i) * HOUR),
      byChannel: Object.fromEntries(REPORT_CHANNELS.map((c) => [c, 0])) as Record<ReportChannel, number>,
      total: 0,
    }));
    for (const r of rows.reports) {
      const h = hours[r.hour - firstHour];
      if (!h) continue;
      h.byChannel[r.channel] += r.n;
      h.total += r.n;
    }
    const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<AlertSeverity, number>;
    for (const a of rows.alerts) bySeverity[a.severity] += a.n;
    const u = rows.unparsed;
    return {
      since: new Date(firstHour * HOUR),
      reports: { total: hours.reduce((a, h) => a + h.total, 0), hours },
      alerts: { total: rows.alerts.reduce((a, x) => a + x.n, 0), bySeverity },
      unparsed: u && { pending: u.pending, failed: u.failed, oldest: u.oldest ? new Date(u.oldest) : null },
    };
  }

  return {
    /** The operations dashboard for the caller: only what its scope and permissions let it read. */
    async operations(actor: Actor) {
      authorize(actor, 'incident.read');
      const scope = incidentScope(actor);
      const now = d.clock.now();
      // 24 clock hours: the current (partial) UTC hour and the 23 before it.
      const firstHour = Math.floor(now.getTime() / HOUR) - 23;
      const [rows, onDutySection, setupSection] = await Promise.all([
        dashboardRepo.operations(d.db, scope, {
          now, since: new Date(firstHour * HOUR), limit: AT_RISK_LIMIT, intake: can(actor, 'report.read'), unparsed: can(actor, 'report.triage'),
        }),
        duty(actor, now),
        setup(),
      ]);
      const grid = emptyGrid();
      const byPriority = Object.fromEntries(PRIORITIES.map((p) => [p, 0])) as Record<Priority, number>;
      let total = 0;
      let exercise = 0;
      for (const c of rows.open) {
        if (c.exercise) {
          exercise += c.n;
          continue;
        }
        if (c.status === 'closed') continue;
        grid[c.priority][c.status] += c.n;
        byPriority[c.priority] += c.n;
        total += c.n;
      }
      return {
        at: now,
        open: { total, byPriority, byPriorityStatus: grid, exercise },
        slaAtRisk: {
          total: rows.risk.total,
          breached: rows.risk.breached,
          clocks: rows.clocks.map((r) => {
            const deadline = new Date(r.deadline);
            return {
              reference: r.reference,
              title: r.title,
              priority: r.priority,
              status: r.status,
              tlp: r.tlp,
              assignee: r.assigneeName,
              metric: r.metric,
              deadline,
              warnAt: new Date(r.warnAt),
              breached: deadline.getTime() <= now.getTime(),
              // Whole minutes left, rounded down; negative once breached (minutes overdue).
              minutesLeft: Math.floor((deadline.getTime() - now.getTime()) / MINUTE),
            };
          }),
        },
        onDuty: onDutySection,
        intake: intake(rows, firstHour),
        setup: setupSection,
      };
    },
  };
}
export type DashboardService = ReturnType<typeof createDashboardService>;
