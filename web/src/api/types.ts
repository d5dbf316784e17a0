// Shapes of the Vigil JSON API (v1) used by the web app: aliases of the types generated from the
// server's OpenAPI document (schema.gen.ts, `npm run gen:api`), never restated by hand.
import type { Answer, ItemOf, Schema } from './schema';

export type Role = Schema<'Role'>;
/** Every role, in the order the app lists them (checked against the server's list). */
export const ROLES = ['admin', 'manager', 'handler', 'viewer', 'reporter'] as const satisfies readonly Role[];

export type User = Schema<'User'>;

export type Meta = Answer<'system.meta'>;

export type Me = Answer<'auth.me'>;

export type LoginResponse = Answer<'auth.login'>;

export type SessionInfo = ItemOf<Answer<'account.sessions.list'>['items']>;

export type MfaEnrolment = Answer<'account.mfa.enrol'>;

export type RecoveryCodes = Answer<'account.mfa.recovery_codes'>;

export type ApiToken = Schema<'ApiToken'>;

export type CreatedToken = Answer<'account.tokens.create'>;

export type Settings = Schema<'Settings'>;

export type AuditEntry = Schema<'AuditRecord'>;

export type AuditPage = Answer<'audit.list'>;

export type AuditVerify = Answer<'audit.verify'>;
