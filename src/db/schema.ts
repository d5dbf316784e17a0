import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type {
  IntakeSourceTable, IntakeItemTable, ReportMessageTable, ReportAttachmentTable, ReportStatusLinkTable, IntakeRateTable, AlertTable, AlertArrivalTable, AlertEventTable, IntakeIdempotencyTable, MailDeliveryTable, MailTemplateTable,
} from './schema-intake.ts';
import type { ReportTables } from './schema-reports.ts';
import type { ConstituencyTables } from './schema-constituency.ts';
import type { DirectoryTables } from './schema-directory.ts';
import type { OncallTables } from './schema-oncall.ts';
import type { NotificationTables } from './schema-notifications.ts';
import type { EscalationTables } from './schema-escalation.ts';
import type { SlaTables } from './schema-sla.ts';
import type { KpiTables } from './schema-kpi.ts';
import type { KpiReportTables } from './schema-kpi-documents.ts';
import type { DeliveryTables } from './schema-delivery.ts';
import type { FeedTables } from './schema-feeds.ts';

export type * from './schema-intake.ts';
export type * from './schema-reports.ts';
export type * from './schema-constituency.ts';
export type * from './schema-directory.ts';
export type * from './schema-oncall.ts';
export type * from './schema-notifications.ts';
export type * from './schema-escalation.ts';
export type * from './schema-sla.ts';
export type * from './schema-kpi.ts';
export type * from './schema-kpi-documents.ts';
export type * from './schema-delivery.ts';

/** Row types of Vigil's tables, camelCase (CamelCasePlugin maps them to snake_case columns). */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export type Role = 'admin' | 'manager' | 'handler' | 'viewer' | 'reporter';

export interface TeamTable {
  id: ColumnType<number, number | undefined, never>;
  name: string;
  requireMfa: ColumnType<boolean, boolean | undefined, boolean>;
  incidentPrefix: ColumnType<string, string | undefined, string>;
  priorityMatrix: ColumnType<PriorityMatrix | null, string | null | undefined, string | null>;
  /** IANA zone the team's months and years (KPIs, reports) are counted in. */
  timeZone: ColumnType<string, string | undefined, string>;
  createdAt: CreatedAt;
  updatedAt: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface AppUserTable {
  id: Generated<string>;
  username: string;
  displayName: string;
  email: string | null;
  passwordHash: string;
  mustChangePassword: ColumnType<boolean, boolean | undefined, boolean>;
  roles: ColumnType<Role[], Role[], Role[]>;
  disabledAt: Timestamp | null;
  mfaSecret: string | null;
  mfaPendingSecret: string | null;
  mfaEnabledAt: Timestamp | null;
  mfaLastStep: ColumnType<number | null, number | null | undefined, number | null>;
  createdAt: CreatedAt;
  updatedAt: ColumnType<Date, Date | string | undefined, Date | string>;
  lastLoginAt: Timestamp | null;
  passwordChangedAt: Timestamp | null;
  organisation: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface RecoveryCodeTable {
  id: Generated<string>;
  userId: string;
  codeHash: string;
  usedAt: Timestamp | null;
  createdAt: CreatedAt;
}

export interface UserSessionTable {
  id: Generated<string>;
  userId: string;
  tokenHash: string;
  mfaPending: boolean;
  createdAt: CreatedAt;
  lastSeenAt: Timestamp;
  expiresAt: Timestamp;
  ip: string | null;
  userAgent: string | null;
  revokedAt: Timestamp | null;
}

export interface ApiTokenTable {
  id: Generated<string>;
  userId: string;
  name: string;
  tokenHash: string;
  roles: ColumnType<Role[], Role[], Role[]>;
  createdAt: CreatedAt;
  expiresAt: Timestamp;
  lastUsedAt: Timestamp | null;
  revokedAt: Timestamp | null;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  lockCount: number;
  windowStartedAt: Timestamp;
  lockedUntil: Timestamp | null;
}

export interface AuditLogTable {
  seq: ColumnType<number, number, never>;
  at: Timestamp;
  actorId: string | null;
  actorName: string;
  action: string;
  entity: string;
  entityId: string | null;
  before: ColumnType<unknown, string | null, never>;
  after: ColumnType<unknown, string | null, never>;
  ip: string | null;
  requestId: string | null;
  prevHash: string;
  hash: string;
  hashForm: ColumnType<1 | 2, 1 | 2 | undefined, never>;
}

export type Level = 'low' | 'medium' | 'high' | 'critical';
export type Priority = 'P1' | 'P2' | 'P3' | 'P4';
export type PriorityMatrix = Record<Level, Record<Level, Priority>>;
export type Tlp = 'CLEAR' | 'GREEN' | 'AMBER' | 'AMBER+STRICT' | 'RED';
export type Pap = 'CLEAR' | 'GREEN' | 'AMBER' | 'RED';
export type IncidentStatus = 'new' | 'triage' | 'analysis' | 'containment' | 'eradication' | 'recovery' | 'closed';
export type Resolution = 'resolved' | 'false_positive' | 'duplicate' | 'outside_mandate' | 'no_action_possible';
export type IncidentRoleName =
  | 'commander' | 'coordinator' | 'technical_lead' | 'analyst' | 'scribe' | 'communications' | 'legal' | 'management_liaison';

export interface IncidentCounterTable {
  year: number;
  last: number;
}

export interface IncidentTable {
  id: Generated<string>;
  reference: string;
  title: string;
  summary: string;
  status: IncidentStatus;
  resolution: Resolution | null;
  duplicateOf: string | null;
  impact: Level;
  urgency: Level;
  priority: Priority;
  tlp: Tlp;
  pap: Pap;
  constituent: string | null;
  exercise: boolean;
  firstCompromiseAt: Timestamp | null;
  detectedAt: Timestamp | null;
  containedAt: Timestamp | null;
  recoveredAt: Timestamp | null;
  version: ColumnType<number, number | undefined, number>;
  createdBy: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  closedAt: Timestamp | null;
  assigneeId: ColumnType<string | null, string | null | undefined, string | null>;
}

/**
 * The incident columns the application reads: never `*`, which would also fetch the search
 * documents (up to a tsvector's megabyte each) with every row.
 */
export const INCIDENT_COLUMNS = [
  'id', 'reference', 'title', 'summary', 'status', 'resolution', 'duplicateOf', 'impact', 'urgency', 'priority', 'tlp', 'pap',
  'constituent', 'exercise', 'firstCompromiseAt', 'detectedAt', 'containedAt', 'recoveredAt', 'version', 'createdBy', 'createdAt',
  'updatedAt', 'closedAt', 'assigneeId',
] as const satisfies readonly (keyof IncidentTable)[];

export interface IncidentClassificationTable {
  incidentId: string;
  class: string;
  type: string;
  isPrimary: boolean;
}

export interface IncidentRoleTable {
  incidentId: string;
  role: IncidentRoleName;
  userId: string;
  assignedAt: Timestamp;
}

export interface LessonAction {
  action: string;
  ownerId: string;
  dueAt?: string | undefined;
}

export interface IncidentLessonsTable {
  incidentId: string;
  whatHappened: string;
  wentWell: string;
  toImprove: string;
  actions: ColumnType<LessonAction[], string, string>;
  recordedBy: string | null;
  recordedAt: Timestamp;
}

export interface IncidentEventTable {
  id: ColumnType<number, never, never>;
  incidentId: string;
  kind: string;
  at: Timestamp;
  occurredAt: Timestamp | null;
  actorId: string | null;
  actorName: string;
  tlp: Tlp | null;
  data: ColumnType<Record<string, unknown>, string, never>;
}

export type TaskPhase = 'triage' | 'analysis' | 'containment' | 'eradication' | 'recovery' | 'post_incident';
export type TaskStatus = 'open' | 'in_progress' | 'blocked' | 'done' | 'cancelled';
export interface ChecklistItem {
  text: string;
  done: boolean;
}

export interface IncidentTaskTable {
  id: Generated<string>;
  incidentId: string;
  phase: TaskPhase;
  title: string;
  description: string;
  assigneeId: string | null;
  dueAt: Timestamp | null;
  status: ColumnType<TaskStatus, TaskStatus | undefined, TaskStatus>;
  checklist: ColumnType<ChecklistItem[], string, string>;
  templateKey: string | null;
  version: ColumnType<number, number | undefined, number>;
  createdBy: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface PlaybookTask {
  key: string;
  phase: TaskPhase;
  title: string;
  description: string;
  checklist: string[];
}

export interface PlaybookTable {
  key: string;
  name: string;
  description: string;
  /** `class/type` or `class/*` values of RSIT the playbook is suggested for. */
  matchRsit: string[];
  /** Priorities it is suggested for; empty means any. */
  priorities: Priority[];
  tasks: ColumnType<PlaybookTask[], string, string>;
  builtin: ColumnType<boolean, boolean | undefined, boolean>;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  version: ColumnType<number, number | undefined, number>;
  updatedBy: string | null;
  updatedAt: Timestamp;
}

export interface ObservableTable {
  id: Generated<string>;
  type: string;
  value: string;
  net: string | null;
  ioc: ColumnType<boolean, boolean | undefined, boolean>;
  tlp: Tlp;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  firstSeen: Timestamp;
  lastSeen: Timestamp;
}

export interface IncidentObservableTable {
  incidentId: string;
  observableId: string;
  addedBy: string | null;
  addedAt: Timestamp;
}

export interface EvidenceTable {
  id: Generated<string>;
  incidentId: string;
  filename: string;
  contentType: string;
  size: number;
  md5: string;
  sha1: string;
  sha256: string;
  description: string;
  tlp: Tlp;
  collectedBy: string;
  collectedAt: Timestamp;
  collectedFrom: string;
  addedBy: string | null;
  addedAt: Timestamp;
}

export interface EvidenceCustodyTable {
  id: ColumnType<number, never, never>;
  evidenceId: string;
  action: 'collected' | 'uploaded' | 'downloaded' | 'handed_over';
  at: Timestamp;
  actorId: string | null;
  actorName: string;
  details: ColumnType<Record<string, unknown>, string, never>;
}

export type LinkKind = 'related' | 'parent_of' | 'duplicate_of' | 'merged_into';

export interface IncidentLinkTable {
  fromId: string;
  toId: string;
  kind: LinkKind;
  createdBy: string | null;
  createdAt: Timestamp;
}

export interface Database extends ReportTables, ConstituencyTables, DirectoryTables, OncallTables, NotificationTables, EscalationTables, SlaTables, KpiTables, KpiReportTables, DeliveryTables, FeedTables {
  team: TeamTable;
  appUser: AppUserTable;
  recoveryCode: RecoveryCodeTable;
  userSession: UserSessionTable;
  apiToken: ApiTokenTable;
  loginThrottle: LoginThrottleTable;
  auditLog: AuditLogTable;
  incidentCounter: IncidentCounterTable;
  incident: IncidentTable;
  incidentClassification: IncidentClassificationTable;
  incidentRole: IncidentRoleTable;
  incidentLessons: IncidentLessonsTable;
  incidentEvent: IncidentEventTable;
  incidentTask: IncidentTaskTable;
  playbook: PlaybookTable;
  observable: ObservableTable;
  incidentObservable: IncidentObservableTable;
  evidence: EvidenceTable;
  evidenceCustody: EvidenceCustodyTable;
  incidentLink: IncidentLinkTable;
  intakeSource: IntakeSourceTable;
  intakeItem: IntakeItemTable;
  reportMessage: ReportMessageTable;
  reportAttachment: ReportAttachmentTable;
  reportStatusLink: ReportStatusLinkTable;
  intakeRate: IntakeRateTable;
  alert: AlertTable;
  alertArrival: AlertArrivalTable;
  alertEvent: AlertEventTable;
  intakeIdempotency: IntakeIdempotencyTable;
  mailDelivery: MailDeliveryTable;
  mailTemplate: MailTemplateTable;
}

export type UserRow = Selectable<AppUserTable>;
export type NewUser = Insertable<AppUserTable>;
export type UserPatch = Updateable<AppUserTable>;
export type SessionRow = Selectable<UserSessionTable>;
export type ApiTokenRow = Selectable<ApiTokenTable>;
export type AuditRow = Selectable<AuditLogTable>;
export type TeamRow = Selectable<TeamTable>;
export type IncidentRow = Selectable<IncidentTable>;
export type IncidentEventRow = Selectable<IncidentEventTable>;
export type IncidentTaskRow = Selectable<IncidentTaskTable>;
export type PlaybookRow = Selectable<PlaybookTable>;
export type ObservableRow = Selectable<ObservableTable>;
export type EvidenceRow = Selectable<EvidenceTable>;
