// Shapes of the operations dashboard (GET /api/v1/dashboard/operations), as the web app uses them.
import type { Priority, Status } from './incidents';
import type { ItemOf, Schema } from './schema';

export type OpenStatus = Exclude<Status, 'closed'>;
type Intake = NonNullable<OperationsDashboard['intake']>;
export type Channel = keyof ItemOf<Intake['reports']['hours']>['byChannel'];
export type Severity = keyof Intake['alerts']['bySeverity'];
export type SlaMetric = AtRiskClock['metric'];

export const PRIORITIES: Priority[] = ['P1', 'P2', 'P3', 'P4'];
export const OPEN_STATUSES: OpenStatus[] = ['new', 'triage', 'analysis', 'containment', 'eradication', 'recovery'];
export const CHANNELS: Channel[] = ['email', 'web_form', 'portal', 'api', 'monitoring', 'phone', 'other'];
export const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export type AtRiskClock = ItemOf<OperationsDashboard['slaAtRisk']['clocks']>;

export type OperationsDashboard = Schema<'OperationsDashboard'>;

export type SetupItem = ItemOf<OperationsDashboard['setup']['items']>;

export const DASHBOARD_KEY = ['dashboard', 'operations'] as const;
/** How often the dashboard re-reads its figures. */
export const DASHBOARD_REFRESH_MS = 30_000;
