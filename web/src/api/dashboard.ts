// Shapes of the operations dashboard (GET /api/v1/dashboard/operations), as the web app uses them.
import type { Priority, Status } from './incidents';

export type OpenStatus = Exclude<Status, 'closed'>;
export type Channel = 'api' | 'web_form' | 'portal' | 'email' | 'phone' | 'monitoring' | 'other';
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export type SlaMetric = 'acknowledge' | 'first_response' | 'containment' | 'resolution';

export const PRIORITIES: Priority[] = ['P1', 'P2', 'P3', 'P4'];
export const OPEN_STATUSES: OpenStatus[] = ['new', 'triage', 'analysis', 'containment', 'eradication', 'recovery'];
export const CHANNELS: Channel[] = ['email', 'web_form', 'portal', 'api', 'monitoring', 'phone', 'other'];
export const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export interface AtRiskClock {
  reference: string;
  title: string;
  priority: Priority;
  status: Status;
  tlp: string;
  assignee: string | null;
  metric: SlaMetric;
  deadline: string;
  warnAt: string;
  breached: boolean;
  minutesLeft: number;
}

export interface OperationsDashboard {
  at: string;
  open: {
    total: number;
    byPriority: Record<Priority, number>;
    byPriorityStatus: Record<Priority, Record<OpenStatus, number>>;
    exercise: number;
  };
  slaAtRisk: { total: number; breached: number; clocks: AtRiskClock[] };
  onDuty: {
    rotas: { id: string; name: string; onDuty: { userId: string; displayName: string; until: string; source: string; region: string | null }[]; nextCoverAt: string | null }[];
    uncovered: number;
  } | null;
  intake: {
    since: string;
    reports: { total: number; hours: { start: string; byChannel: Record<Channel, number>; total: number }[] };
    alerts: { total: number; bySeverity: Record<Severity, number> };
    unparsed: { pending: number; failed: number; oldest: string | null } | null;
  } | null;
  /** What escalation needs before it reaches anyone; shown until every item is done. */
  setup: { complete: boolean; items: SetupItem[] };
}

export interface SetupItem {
  key: 'escalation_policy' | 'manager_seat' | 'oncall_rota' | 'mail_relay';
  done: boolean;
  title: string;
  hint: string;
  href: string;
}

export const DASHBOARD_KEY = ['dashboard', 'operations'] as const;
/** How often the dashboard re-reads its figures. */
export const DASHBOARD_REFRESH_MS = 30_000;
