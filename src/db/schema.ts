import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Row types of Vigil's tables, camelCase (CamelCasePlugin maps them to snake_case columns). */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export type Role = 'admin' | 'manager' | 'handler' | 'viewer' | 'reporter';

export interface TeamTable {
  id: ColumnType<number, number | undefined, never>;
  name: string;
  requireMfa: ColumnType<boolean, boolean | undefined, boolean>;
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
}

export interface Database {
  team: TeamTable;
  appUser: AppUserTable;
  recoveryCode: RecoveryCodeTable;
  userSession: UserSessionTable;
  apiToken: ApiTokenTable;
  loginThrottle: LoginThrottleTable;
  auditLog: AuditLogTable;
}

export type UserRow = Selectable<AppUserTable>;
export type NewUser = Insertable<AppUserTable>;
export type UserPatch = Updateable<AppUserTable>;
export type SessionRow = Selectable<UserSessionTable>;
export type ApiTokenRow = Selectable<ApiTokenTable>;
export type AuditRow = Selectable<AuditLogTable>;
export type TeamRow = Selectable<TeamTable>;
