// The operations dashboard's reads: counts and the clocks at risk, computed from the stored rows
// at request time, in one statement (one round trip, one snapshot) of scalar subqueries, each
// index-bound (migration 0028). Every read of incidents goes through the TLP / need-to-know rule
// (visibleSql); reports and alerts on an incident follow that incident, as their own lists do.
import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/index.ts';
import type { AlertSeverity, IncidentStatus, Priority, ReportChannel } from '../../db/schema.ts';
import type { SlaClockTable } from '../../db/schema-sla.ts';
import { TEAM_ROLES, type IncidentScope } from '../../lib/authz/incidents.ts';
import { alertVisibleSql, reportVisibleSql, visibleSql } from '../../lib/authz/access.repo.ts';

export type SlaMetric = SlaClockTable['metric'];

/** Whether a report or alert row `alias` is visible, as in their lists (the access module's rule). */
function onVisibleIncident(scope: IncidentScope, alias: 'report' | 'alert'): RawBuilder<boolean> {
  return alias === 'report' ? reportVisibleSql(scope, 'report', 'set') : alertVisibleSql(scope, 'alert', 'set');
}

export interface AtRiskClockRow {
  reference: string;
  title: string;
  priority: Priority;
  status: IncidentStatus;
  tlp: string;
  assigneeName: string | null;
  metric: SlaMetric;
  deadline: string;
  warnAt: string;
}

export interface OperationsRows {
  /** Open incidents by priority, status and exercise flag. */
  open: { priority: Priority; status: IncidentStatus; exercise: boolean; n: number }[];
  /** Running clocks past their warning time (open, non-exercise incidents), and of those past their deadline. */
  risk: { total: number; breached: number };
  /** The first `limit` of those by deadline. */
  clocks: AtRiskClockRow[];
  /** Reports per UTC hour (epoch hour number) and channel; null when not asked. */
  reports: { hour: number; channel: ReportChannel; n: number }[] | null;
  alerts: { severity: AlertSeverity; n: number }[] | null;
  /** Intake items not parsed: pending, failed, the oldest arrival; null when not asked. */
  unparsed: { pending: number; failed: number; oldest: string | null } | null;
}

const runningClocks = (now: Date) => sql`sla_clock c join incident on incident.id = c.incident_id
  where c.met_at is null and not c.paused and c.warn_at <= ${now} and c.deadline is not null
    and incident.status <> 'closed' and not incident.exercise`;

export const dashboardRepo = {
  /**
   * Everything the dashboard counts, for the scope, at `now`; the intake parts (reports and alerts
   * received in [since, now], unparsed items) only when asked (the caller's permissions).
   */
  async operations(x: Executor, scope: IncidentScope, o: { now: Date; since: Date; limit: number; intake: boolean; unparsed: boolean }): Promise<OperationsRows> {
    const { now, since } = o;
    const r = await sql<{ open: unknown; risk: unknown; clocks: unknown; reports: unknown; alerts: unknown; unparsed: unknown }>`
      select
        (select coalesce(json_agg(g), '[]') from (
           select incident.priority, incident.status, incident.exercise, count(*) as n
             from incident
            where incident.status <> 'closed' and ${visibleSql(scope, 'incident', 'set')}
            group by incident.priority, incident.status, incident.exercise) g) as open,
        (select json_build_object('total', count(*), 'breached', count(*) filter (where c.deadline <= ${now}))
           from ${runningClocks(now)} and ${visibleSql(scope, 'incident', 'set')}) as risk,
        (select coalesce(json_agg(k order by k.deadline, k.incident_id, k.metric), '[]') from (
           select incident.reference, incident.title, incident.priority, incident.status, incident.tlp,
                  (select u.display_name from app_user u where u.id = incident.assignee_id) as "assigneeName",
                  c.incident_id, c.metric, c.deadline, c.warn_at as "warnAt"
             from ${runningClocks(now)} and ${visibleSql(scope, 'incident', 'row')}
            order by c.deadline, c.incident_id, c.metric
            limit ${o.limit}) k) as clocks,
        ${o.intake ? sql`(select coalesce(json_agg(h), '[]') from (
           select floor(extract(epoch from report.received_at) / 3600) as hour, report.channel, count(*) as n
             from report
            where report.received_at >= ${since} and report.received_at <= ${now} and ${onVisibleIncident(scope, 'report')}
            group by 1, 2) h)` : sql`null`} as reports,
        ${o.intake ? sql`(select coalesce(json_agg(s), '[]') from (
           select alert.severity, count(*) as n
             from alert
            where alert.created_at >= ${since} and alert.created_at <= ${now} and ${onVisibleIncident(scope, 'alert')}
            group by alert.severity) s)` : sql`null`} as alerts,
        ${o.unparsed ? sql`(select json_build_object('pending', count(*) filter (where state = 'pending'),
             'failed', count(*) filter (where state = 'failed'), 'oldest', min(received_at))
           from intake_item where state <> 'parsed')` : sql`null`} as unparsed`.execute(x);
    const row = r.rows[0]!;
    // json from PostgreSQL arrives parsed with pg, as text with PGlite's json of a scalar subquery on some versions.
    const j = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
    const num = <T extends { n: unknown }>(xs: T[]) => xs.map((e) => ({ ...e, n: Number(e.n) }));
    const risk = j<{ total: number | string; breached: number | string }>(row.risk);
    const unparsed = j<{ pending: number | string; failed: number | string; oldest: string | null } | null>(row.unparsed);
    return {
      open: num(j<OperationsRows['open']>(row.open)),
      risk: { total: Number(risk.total), breached: Number(risk.breached) },
      clocks: j<AtRiskClockRow[]>(row.clocks),
      reports: row.reports === null ? null : num(j<{ hour: number | string; channel: ReportChannel; n: number }[]>(row.reports)).map((e) => ({ ...e, hour: Number(e.hour) })),
      alerts: row.alerts === null ? null : num(j<OperationsRows['alerts'] & object>(row.alerts)),
      unparsed: unparsed && { pending: Number(unparsed.pending), failed: Number(unparsed.failed), oldest: unparsed.oldest },
    };
  },

  /**
   * What escalation needs to reach anyone, in one statement: an enabled policy for declared
   * incidents, an active team member in the CSIRT manager seat (the default policy's first
   * recipient), and an on-call rota naming at least one active member ("whoever is on duty").
   */
  async setup(x: Executor): Promise<{ policy: boolean; managerSeat: boolean; rota: boolean }> {
    const { rows } = await sql<{ policy: boolean; managerSeat: boolean; rota: boolean }>`select
      exists (select 1 from escalation_policy p where p.enabled and p.trigger = 'declared') as policy,
      exists (select 1 from team_member m join app_user u on u.id = m.user_id
               where 'csirt_manager' = any(m.seats) and u.disabled_at is null
                 and u.roles && ${[...TEAM_ROLES]}::text[]) as manager_seat,
      exists (select 1 from oncall_rota r cross join lateral jsonb_array_elements_text(r.members) as rm (user_id)
                join app_user u on u.id::text = rm.user_id
               where u.disabled_at is null) as rota`.execute(x);
    const row = rows[0]!;
    return { policy: !!row.policy, managerSeat: !!row.managerSeat, rota: !!row.rota };
  },
};
