// Shapes of the Vigil JSON API (v1) used by the web app.

export const ROLES = ['admin', 'manager', 'handler', 'viewer', 'reporter'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  /** A reporter's constituent organisation: it follows that organisation's reports. */
  organisation: string | null;
  roles: Role[];
  mfaEnabled: boolean;
  mustChangePassword: boolean;
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export interface Meta {
  name: string;
  version: string;
  teamName: string;
}

export interface Me {
  user: User;
  /** null when the request was authenticated by an API token rather than a session. */
  csrfToken: string | null;
  mfaEnrolmentRequired: boolean;
  teamName: string;
}

export interface LoginResponse {
  status: 'ok' | 'mfa_required';
  csrfToken: string;
  user?: User;
}

export interface SessionInfo {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

export interface MfaEnrolment {
  secret: string;
  otpauthUrl: string;
  qrDataUrl: string;
}

export interface RecoveryCodes {
  recoveryCodes: string[];
}

export interface ApiToken {
  id: string;
  name: string;
  roles: Role[];
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedToken {
  token: string;
  item: ApiToken;
}

export interface Settings {
  teamName: string;
  requireMfa: boolean;
  /** IANA zone the team's months and years (KPIs, reports) are counted in. */
  timeZone: string;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
  requestId: string | null;
  hash: string;
}

export interface AuditPage {
  items: AuditEntry[];
  nextCursor: string | null;
}

export interface AuditVerify {
  ok: boolean;
  checked: number;
  firstBroken?: { seq: number; reason: string };
}

export interface Items<T> {
  items: T[];
}
