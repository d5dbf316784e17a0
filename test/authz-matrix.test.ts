import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../src/db/schema.ts';
import { systemActor, type Actor } from '../src/lib/actor.ts';
import { auditCount, makeApp, userWith, type Session, type TestApp } from './app.ts';
import { stores } from './db.ts';

/**
 * Every endpoint under /api/v1 against every role: who is let through and who is refused.
 * The expectations are written out here by hand from the role descriptions, not derived
 * from the policy module, so a change to the policy that widens access fails this test.
 */
type Who = Role | 'anonymous';
const ALL: Role[] = ['admin', 'manager', 'handler', 'viewer', 'reporter'];
const SELF = ALL; // every signed-in account manages its own password, MFA, sessions and tokens
const READERS: Role[] = ['admin', 'manager', 'handler', 'viewer']; // read incidents (TLP permitting)
const WORKERS: Role[] = ['manager', 'handler']; // work incidents

interface Case {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  allowed: Role[] | 'public' | 'mfa-pending' | 'source-token';
  /** Builds the request for one caller; `target` is a fresh user the call may act upon. */
  req?: (ctx: { target: string; password: string; incident: string; task: string; observable: string; evidence: string; other: string; report: string; alert: string; source: string; item: string }) => {
    url?: string;
    payload?: unknown;
    headers?: Record<string, string>;
  };
}

const PASSWORD = 'Correct-Horse-Battery-9';
const FORM_BOUNDARY = 'matrix-form-boundary';
const FORM_BODY = [['name', 'Matrix'], ['email', 'matrix@example.org'], ['organisation', 'Matrix Org'], ['what', 'Matrix report']]
  .map(([k, v]) => `--${FORM_BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('') + `--${FORM_BOUNDARY}--\r\n`;
const CASES: Case[] = [
  { method: 'GET', path: '/api/v1/meta', allowed: 'public' },
  // The public web form and the reporter's status link need no account (an unknown link is a 404, not a refusal).
  { method: 'POST', path: '/api/v1/public/reports', allowed: 'public', req: () => ({ payload: FORM_BODY, headers: { 'content-type': `multipart/form-data; boundary=${FORM_BOUNDARY}` } }) },
  { method: 'GET', path: '/api/v1/public/form', allowed: 'public' },
  { method: 'GET', path: '/api/v1/public/status/:token', allowed: 'public', req: () => ({ url: `/api/v1/public/status/${'t'.repeat(43)}` }) },
  {
    method: 'POST', path: '/api/v1/public/status/:token/messages', allowed: 'public',
    req: () => ({ url: `/api/v1/public/status/${'t'.repeat(43)}/messages`, payload: FORM_BODY, headers: { 'content-type': `multipart/form-data; boundary=${FORM_BOUNDARY}` } }),
  },
  { method: 'POST', path: '/api/v1/auth/login', allowed: 'public', req: () => ({ payload: { username: 'nobody', password: 'irrelevant-pass' } }) },
  { method: 'POST', path: '/api/v1/auth/login/mfa', allowed: 'mfa-pending', req: () => ({ payload: { code: '123456' } }) },
  { method: 'GET', path: '/api/v1/auth/me', allowed: SELF },
  { method: 'POST', path: '/api/v1/auth/logout', allowed: SELF },
  { method: 'POST', path: '/api/v1/auth/logout-all', allowed: SELF },
  { method: 'POST', path: '/api/v1/auth/password', allowed: SELF, req: ({ password }) => ({ payload: { currentPassword: password, newPassword: 'short' } }) },
  { method: 'GET', path: '/api/v1/account/sessions', allowed: SELF },
  { method: 'DELETE', path: '/api/v1/account/sessions/:id', allowed: SELF, req: () => ({ url: `/api/v1/account/sessions/${randomUUID()}` }) },
  { method: 'POST', path: '/api/v1/account/mfa/enrol', allowed: SELF },
  { method: 'POST', path: '/api/v1/account/mfa/verify', allowed: SELF, req: () => ({ payload: { code: '000000' } }) },
  { method: 'POST', path: '/api/v1/account/mfa/disable', allowed: SELF, req: ({ password }) => ({ payload: { password } }) },
  { method: 'POST', path: '/api/v1/account/mfa/recovery-codes', allowed: SELF, req: ({ password }) => ({ payload: { password } }) },
  { method: 'GET', path: '/api/v1/account/tokens', allowed: SELF },
  { method: 'POST', path: '/api/v1/account/tokens', allowed: SELF, req: () => ({ payload: { name: 'matrix', expiresInDays: 1 } }) },
  { method: 'DELETE', path: '/api/v1/account/tokens/:id', allowed: SELF, req: () => ({ url: `/api/v1/account/tokens/${randomUUID()}` }) },
  { method: 'GET', path: '/api/v1/users', allowed: ['admin', 'manager'] },
  // The team, for choosing a colleague (names and roles only): every team role, never a reporter.
  { method: 'GET', path: '/api/v1/team-members', allowed: READERS },
  { method: 'GET', path: '/api/v1/users/:id', allowed: ['admin', 'manager'], req: ({ target }) => ({ url: `/api/v1/users/${target}` }) },
  { method: 'POST', path: '/api/v1/users', allowed: ['admin'], req: () => ({ payload: { username: `m-${randomUUID().slice(0, 8)}`, displayName: 'M', roles: ['viewer'] } }) },
  { method: 'PATCH', path: '/api/v1/users/:id', allowed: ['admin'], req: ({ target }) => ({ url: `/api/v1/users/${target}`, payload: { displayName: 'Renamed' } }) },
  { method: 'POST', path: '/api/v1/users/:id/disable', allowed: ['admin'], req: ({ target }) => ({ url: `/api/v1/users/${target}/disable` }) },
  { method: 'POST', path: '/api/v1/users/:id/enable', allowed: ['admin'], req: ({ target }) => ({ url: `/api/v1/users/${target}/enable` }) },
  { method: 'POST', path: '/api/v1/users/:id/reset-password', allowed: ['admin'], req: ({ target }) => ({ url: `/api/v1/users/${target}/reset-password` }) },
  { method: 'POST', path: '/api/v1/users/:id/reset-mfa', allowed: ['admin'], req: ({ target }) => ({ url: `/api/v1/users/${target}/reset-mfa` }) },
  { method: 'GET', path: '/api/v1/settings', allowed: ['admin'] },
  { method: 'PATCH', path: '/api/v1/settings', allowed: ['admin'], req: () => ({ payload: { teamName: 'CSIRT' } }) },
  { method: 'GET', path: '/api/v1/audit', allowed: ['admin'] },
  { method: 'GET', path: '/api/v1/audit/verify', allowed: ['admin'] },
  { method: 'GET', path: '/api/v1/taxonomy/rsit', allowed: READERS },
  { method: 'GET', path: '/api/v1/incidents', allowed: READERS },
  { method: 'POST', path: '/api/v1/incidents', allowed: WORKERS, req: () => ({ payload: { title: 'm', impact: 'low', urgency: 'low', classifications: [{ class: 'test', type: 'test' }] } }) },
  { method: 'GET', path: '/api/v1/incidents/:id', allowed: READERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}` }) },
  { method: 'PATCH', path: '/api/v1/incidents/:id', allowed: WORKERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}`, payload: { version: 1, title: 'Renamed' } }) },
  { method: 'POST', path: '/api/v1/incidents/:id/status', allowed: WORKERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/status`, payload: { version: 1, status: 'triage' } }) },
  { method: 'POST', path: '/api/v1/incidents/:id/close', allowed: WORKERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/close`, payload: { version: 1, resolution: 'false_positive' } }) },
  { method: 'POST', path: '/api/v1/incidents/:id/reopen', allowed: WORKERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/reopen`, payload: { version: 1, reason: 'r' } }) },
  { method: 'POST', path: '/api/v1/incidents/:id/notes', allowed: WORKERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/notes`, payload: { body: 'n' } }) },
  { method: 'POST', path: '/api/v1/incidents/:id/communications', allowed: WORKERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/communications`, payload: { direction: 'outbound', channel: 'phone', party: 'p', body: 'b' } }) },
  { method: 'GET', path: '/api/v1/incidents/:id/timeline', allowed: READERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/timeline` }) },
  { method: 'POST', path: '/api/v1/incidents/:id/roles', allowed: WORKERS, req: ({ incident, target }) => ({ url: `/api/v1/incidents/${incident}/roles`, payload: { role: 'analyst', userId: target } }) },
  { method: 'DELETE', path: '/api/v1/incidents/:id/roles/:role/:userId', allowed: WORKERS, req: ({ incident, target }) => ({ url: `/api/v1/incidents/${incident}/roles/analyst/${target}` }) },
  { method: 'PATCH', path: '/api/v1/incidents/:id/key-times', allowed: WORKERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/key-times`, payload: { version: 1, detectedAt: '2026-11-01T00:00:00Z' } }) },
  { method: 'GET', path: '/api/v1/incidents/:id/lessons', allowed: READERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/lessons` }) },
  { method: 'PUT', path: '/api/v1/incidents/:id/lessons', allowed: WORKERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/lessons`, payload: { whatHappened: 'a', wentWell: 'b', toImprove: 'c', actions: [] } }) },
  { method: 'GET', path: '/api/v1/incidents/:id/tasks', allowed: READERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/tasks` }) },
  { method: 'POST', path: '/api/v1/incidents/:id/tasks', allowed: WORKERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/tasks`, payload: { phase: 'analysis', title: 't' } }) },
  { method: 'PATCH', path: '/api/v1/tasks/:taskId', allowed: WORKERS, req: ({ task }) => ({ url: `/api/v1/tasks/${task}`, payload: { version: 1, status: 'done' } }) },
  { method: 'POST', path: '/api/v1/tasks/:taskId/notes', allowed: WORKERS, req: ({ task }) => ({ url: `/api/v1/tasks/${task}/notes`, payload: { body: 'n' } }) },
  { method: 'GET', path: '/api/v1/playbooks', allowed: READERS },
  { method: 'GET', path: '/api/v1/playbooks/:key', allowed: READERS, req: () => ({ url: '/api/v1/playbooks/phishing' }) },
  { method: 'PUT', path: '/api/v1/playbooks/:key', allowed: ['admin'], req: () => ({ url: `/api/v1/playbooks/m-${randomUUID().slice(0, 8)}`, payload: { name: 'M', matchRsit: [], tasks: [{ key: 'a', phase: 'triage', title: 'A' }] } }) },
  { method: 'GET', path: '/api/v1/incidents/:id/playbooks', allowed: READERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/playbooks` }) },
  { method: 'POST', path: '/api/v1/incidents/:id/playbooks/:key/apply', allowed: WORKERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/playbooks/phishing/apply` }) },
  { method: 'GET', path: '/api/v1/incidents/:id/observables', allowed: READERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/observables` }) },
  { method: 'POST', path: '/api/v1/incidents/:id/observables', allowed: WORKERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/observables`, payload: { items: [{ type: 'ipv4', value: '192.0.2.1' }] } }) },
  { method: 'PATCH', path: '/api/v1/incidents/:id/observables/:observableId', allowed: WORKERS, req: ({ incident, observable }) => ({ url: `/api/v1/incidents/${incident}/observables/${observable}`, payload: { ioc: true } }) },
  { method: 'DELETE', path: '/api/v1/incidents/:id/observables/:observableId', allowed: WORKERS, req: ({ incident, observable }) => ({ url: `/api/v1/incidents/${incident}/observables/${observable}` }) },
  { method: 'POST', path: '/api/v1/observables/extract', allowed: READERS, req: () => ({ payload: { text: '192.0.2[.]1' } }) },
  { method: 'GET', path: '/api/v1/incidents/:id/similar', allowed: READERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/similar` }) },
  { method: 'GET', path: '/api/v1/observables', allowed: READERS, req: () => ({ url: '/api/v1/observables?value=192.0.2.1' }) },
  {
    method: 'POST', path: '/api/v1/incidents/:id/evidence', allowed: WORKERS,
    req: ({ incident }) => ({
      url: `/api/v1/incidents/${incident}/evidence?filename=a.bin&collectedBy=x&collectedAt=2026-11-01T00:00:00Z&collectedFrom=y`,
      payload: Buffer.from('evidence'), headers: { 'content-type': 'application/octet-stream' },
    }),
  },
  { method: 'GET', path: '/api/v1/incidents/:id/evidence', allowed: READERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/evidence` }) },
  { method: 'GET', path: '/api/v1/evidence/:evidenceId/download', allowed: WORKERS, req: ({ evidence }) => ({ url: `/api/v1/evidence/${evidence}/download` }) },
  { method: 'POST', path: '/api/v1/evidence/:evidenceId/handover', allowed: WORKERS, req: ({ evidence }) => ({ url: `/api/v1/evidence/${evidence}/handover`, payload: { to: 'a', reason: 'b' } }) },
  { method: 'GET', path: '/api/v1/evidence/:evidenceId/custody', allowed: READERS, req: ({ evidence }) => ({ url: `/api/v1/evidence/${evidence}/custody` }) },
  { method: 'GET', path: '/api/v1/incidents/:id/export', allowed: READERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/export` }) },
  { method: 'GET', path: '/api/v1/incidents/:id/export.html', allowed: READERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/export.html` }) },
  { method: 'GET', path: '/api/v1/incidents/:id/export.pdf', allowed: READERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/export.pdf` }) },
  { method: 'GET', path: '/api/v1/incidents/:id/links', allowed: READERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/links` }) },
  { method: 'POST', path: '/api/v1/incidents/:id/links', allowed: WORKERS, req: ({ incident, other }) => ({ url: `/api/v1/incidents/${incident}/links`, payload: { kind: 'related', incidentId: other } }) },
  { method: 'DELETE', path: '/api/v1/incidents/:id/links/:kind/:otherId', allowed: WORKERS, req: ({ incident, other }) => ({ url: `/api/v1/incidents/${incident}/links/related/${other}` }) },
  { method: 'GET', path: '/api/v1/live', allowed: SELF, req: () => ({ url: '/api/v1/live?timeout=0' }) },
  { method: 'GET', path: '/api/v1/incidents/count', allowed: READERS, req: () => ({ url: '/api/v1/incidents/count?open=true' }) },
  { method: 'POST', path: '/api/v1/incidents/assign', allowed: WORKERS, req: ({ incident }) => ({ payload: { incidents: [incident], assigneeId: null } }) },
  // Reporters list, read and submit reports too, but only their own organisation's (a 404 for others; see the reports tests).
  { method: 'GET', path: '/api/v1/reports', allowed: ALL },
  { method: 'POST', path: '/api/v1/reports', allowed: [...WORKERS, 'reporter'], req: () => ({ payload: { title: 'Matrix report' } }) },
  { method: 'GET', path: '/api/v1/reports/:reportId', allowed: ALL, req: ({ report }) => ({ url: `/api/v1/reports/${report}` }) },
  { method: 'GET', path: '/api/v1/reports/:reportId/raw', allowed: READERS, req: ({ report }) => ({ url: `/api/v1/reports/${report}/raw` }) },
  // A report's files: the team reads them (as the raw message); workers keep one as evidence of the report's incident.
  { method: 'GET', path: '/api/v1/reports/:reportId/attachments', allowed: READERS, req: ({ report }) => ({ url: `/api/v1/reports/${report}/attachments` }) },
  { method: 'GET', path: '/api/v1/reports/:reportId/attachments/:attachmentId', allowed: READERS, req: ({ report }) => ({ url: `/api/v1/reports/${report}/attachments/${randomUUID()}` }) },
  {
    method: 'POST', path: '/api/v1/reports/:reportId/attachments/:attachmentId/evidence', allowed: WORKERS,
    req: ({ report }) => ({ url: `/api/v1/reports/${report}/attachments/${randomUUID()}/evidence`, payload: {} }),
  },
  { method: 'POST', path: '/api/v1/reports/:reportId/link', allowed: WORKERS, req: ({ report, incident }) => ({ url: `/api/v1/reports/${report}/link`, payload: { incident } }) },
  { method: 'POST', path: '/api/v1/reports/:reportId/merge', allowed: WORKERS, req: ({ report }) => ({ url: `/api/v1/reports/${report}/merge`, payload: { into: randomUUID() } }) },
  { method: 'POST', path: '/api/v1/reports/:reportId/reject', allowed: WORKERS, req: ({ report }) => ({ url: `/api/v1/reports/${report}/reject`, payload: { reason: 'spam' } }) },
  // Monitoring intake: a source posts with its own token, never with a user's credentials.
  { method: 'POST', path: '/api/v1/intake/alerts', allowed: 'source-token', req: () => ({ payload: { title: 'x' } }) },
  { method: 'GET', path: '/api/v1/intake/sources', allowed: ['admin', 'manager'] },
  { method: 'POST', path: '/api/v1/intake/sources', allowed: ['admin', 'manager'], req: () => ({ payload: { name: `m${randomUUID().slice(0, 8)}`, mapping: { title: '$.t' } } }) },
  { method: 'GET', path: '/api/v1/intake/sources/:sourceId', allowed: ['admin', 'manager'], req: ({ source }) => ({ url: `/api/v1/intake/sources/${source}` }) },
  { method: 'PATCH', path: '/api/v1/intake/sources/:sourceId', allowed: ['admin', 'manager'], req: ({ source }) => ({ url: `/api/v1/intake/sources/${source}`, payload: { description: 'd', version: 1 } }) },
  { method: 'POST', path: '/api/v1/intake/sources/:sourceId/token', allowed: ['admin', 'manager'], req: ({ source }) => ({ url: `/api/v1/intake/sources/${source}/token` }) },
  { method: 'POST', path: '/api/v1/intake/sources/:sourceId/preview', allowed: ['admin', 'manager'], req: ({ source }) => ({ url: `/api/v1/intake/sources/${source}/preview`, payload: { sample: { t: 'x' } } }) },
  { method: 'GET', path: '/api/v1/alerts', allowed: READERS },
  { method: 'GET', path: '/api/v1/alerts/:alertId', allowed: READERS, req: ({ alert }) => ({ url: `/api/v1/alerts/${alert}` }) },
  { method: 'GET', path: '/api/v1/alerts/:alertId/raw', allowed: WORKERS, req: ({ alert }) => ({ url: `/api/v1/alerts/${alert}/raw` }) },
  { method: 'POST', path: '/api/v1/alerts/acknowledge', allowed: WORKERS, req: ({ alert }) => ({ payload: { alerts: [alert] } }) },
  { method: 'POST', path: '/api/v1/alerts/dismiss', allowed: WORKERS, req: ({ alert }) => ({ payload: { alerts: [alert], reason: 'test' } }) },
  { method: 'POST', path: '/api/v1/alerts/link', allowed: WORKERS, req: ({ alert, incident }) => ({ payload: { alerts: [alert], incident } }) },
  { method: 'POST', path: '/api/v1/alerts/:alertId/reopen', allowed: WORKERS, req: ({ alert }) => ({ url: `/api/v1/alerts/${alert}/reopen`, payload: { reason: 'r' } }) },
  {
    method: 'POST', path: '/api/v1/incidents/from-items', allowed: WORKERS,
    req: ({ alert }) => ({ payload: { alerts: [alert], title: 'm', impact: 'low', urgency: 'low', classifications: [{ class: 'test', type: 'test' }] } }),
  },
  { method: 'GET', path: '/api/v1/reports/:reportId/triage', allowed: READERS, req: ({ report }) => ({ url: `/api/v1/reports/${report}/triage` }) },
  { method: 'GET', path: '/api/v1/intake/items', allowed: WORKERS },
  { method: 'GET', path: '/api/v1/intake/items/:itemId', allowed: WORKERS, req: ({ item }) => ({ url: `/api/v1/intake/items/${item}` }) },
  { method: 'GET', path: '/api/v1/intake/items/:itemId/raw', allowed: WORKERS, req: ({ item }) => ({ url: `/api/v1/intake/items/${item}/raw` }) },
  { method: 'POST', path: '/api/v1/intake/items/:itemId/rerun', allowed: WORKERS, req: ({ item }) => ({ url: `/api/v1/intake/items/${item}/rerun` }) },
  { method: 'POST', path: '/api/v1/intake/items/:itemId/report', allowed: WORKERS, req: ({ item }) => ({ url: `/api/v1/intake/items/${item}/report`, payload: { title: 'By hand' } }) },
  { method: 'POST', path: '/api/v1/reports/:reportId/reopen', allowed: WORKERS, req: ({ report }) => ({ url: `/api/v1/reports/${report}/reopen`, payload: { reason: 'r' } }) },
  {
    method: 'POST', path: '/api/v1/incidents/from-reports', allowed: WORKERS,
    req: ({ report }) => ({ payload: { reports: [report], title: 'm', impact: 'low', urgency: 'low', classifications: [{ class: 'test', type: 'test' }] } }),
  },
  { method: 'POST', path: '/api/v1/incidents/:id/merge', allowed: WORKERS, req: ({ incident, other }) => ({ url: `/api/v1/incidents/${incident}/merge`, payload: { sourceId: other, sourceVersion: 1 } }) },
  // Outgoing mail to reporters: templates and the delivery log are the admins'.
  { method: 'GET', path: '/api/v1/settings/mail-templates', allowed: ['admin'] },
  { method: 'PUT', path: '/api/v1/settings/mail-templates', allowed: ['admin'], req: () => ({ payload: { update: null } }) },
  { method: 'GET', path: '/api/v1/mail/deliveries', allowed: ['admin'] },
  { method: 'GET', path: '/api/v1/mail/deliveries/:id', allowed: ['admin'], req: () => ({ url: `/api/v1/mail/deliveries/${randomUUID()}` }) },
  { method: 'POST', path: '/api/v1/mail/deliveries/:id/retry', allowed: ['admin'], req: () => ({ url: `/api/v1/mail/deliveries/${randomUUID()}/retry` }) },
  // The failed-deliveries view of every kind (delivery.manage): admins only.
  { method: 'GET', path: '/api/v1/deliveries', allowed: ['admin'] },
  { method: 'GET', path: '/api/v1/deliveries/:id', allowed: ['admin'], req: () => ({ url: `/api/v1/deliveries/${randomUUID()}` }) },
  { method: 'POST', path: '/api/v1/deliveries/:id/retry', allowed: ['admin'], req: () => ({ url: `/api/v1/deliveries/${randomUUID()}/retry` }) },
  // The team's seats and skills, and the external contact directory: every team role reads, admins and managers change.
  { method: 'GET', path: '/api/v1/team/members', allowed: READERS },
  { method: 'GET', path: '/api/v1/team/members/:userId', allowed: READERS, req: ({ target }) => ({ url: `/api/v1/team/members/${target}` }) },
  { method: 'PATCH', path: '/api/v1/team/members/:userId', allowed: ['admin', 'manager'], req: ({ target }) => ({ url: `/api/v1/team/members/${target}`, payload: { version: 0, skills: ['matrix'] } }) },
  { method: 'GET', path: '/api/v1/contacts', allowed: READERS },
  { method: 'POST', path: '/api/v1/contacts', allowed: ['admin', 'manager'], req: () => ({ payload: { kind: 'vendor', name: 'Matrix vendor', email: 'm@example.org' } }) },
  { method: 'GET', path: '/api/v1/contacts/:id', allowed: READERS, req: () => ({ url: `/api/v1/contacts/${randomUUID()}` }) },
  { method: 'PATCH', path: '/api/v1/contacts/:id', allowed: ['admin', 'manager'], req: () => ({ url: `/api/v1/contacts/${randomUUID()}`, payload: { version: 1, notes: 'm' } }) },
  { method: 'DELETE', path: '/api/v1/contacts/:id', allowed: ['admin', 'manager'], req: () => ({ url: `/api/v1/contacts/${randomUUID()}` }) },
  { method: 'GET', path: '/api/v1/incidents/:id/contacts', allowed: READERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/contacts` }) },
  { method: 'POST', path: '/api/v1/incidents/:id/contacts', allowed: WORKERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/contacts`, payload: { role: 'legal', contactId: randomUUID() } }) },
  {
    method: 'DELETE', path: '/api/v1/incidents/:id/contacts/:role/:contactId', allowed: WORKERS,
    req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/contacts/legal/${randomUUID()}` }),
  },
  // On-call: the whole team reads rotas; managers change them; members ask for and answer swaps of their own shifts
  // (with a random rota or swap id a reader gets 404, which is not a refusal; the member rules are in src/modules/oncall/routes.test.ts).
  { method: 'GET', path: '/api/v1/oncall/now', allowed: READERS },
  { method: 'GET', path: '/api/v1/dashboard/operations', allowed: READERS },
  { method: 'GET', path: '/api/v1/oncall/rotas', allowed: READERS },
  { method: 'POST', path: '/api/v1/oncall/rotas', allowed: ['admin', 'manager'], req: ({ target }) => ({ payload: { name: `r${randomUUID()}`, timeZone: 'Europe/Berlin', pattern: { kind: 'duty_officer', handover: 'weekly', handoverTime: '09:00' }, members: [target], anchorDate: '2026-01-05' } }) },
  { method: 'GET', path: '/api/v1/oncall/rotas/:id', allowed: READERS, req: () => ({ url: `/api/v1/oncall/rotas/${randomUUID()}` }) },
  { method: 'PUT', path: '/api/v1/oncall/rotas/:id', allowed: ['admin', 'manager'], req: ({ target }) => ({ url: `/api/v1/oncall/rotas/${randomUUID()}`, payload: { name: 'x', timeZone: 'Europe/Berlin', pattern: { kind: 'duty_officer', handover: 'daily', handoverTime: '09:00' }, members: [target], anchorDate: '2026-01-05', version: 1 } }) },
  { method: 'DELETE', path: '/api/v1/oncall/rotas/:id', allowed: ['admin', 'manager'], req: () => ({ url: `/api/v1/oncall/rotas/${randomUUID()}?version=1` }) },
  { method: 'GET', path: '/api/v1/oncall/rotas/:id/shifts', allowed: READERS, req: () => ({ url: `/api/v1/oncall/rotas/${randomUUID()}/shifts?from=2026-01-05T00:00:00Z&to=2026-01-12T00:00:00Z` }) },
  { method: 'GET', path: '/api/v1/oncall/rotas/:id/overrides', allowed: READERS, req: () => ({ url: `/api/v1/oncall/rotas/${randomUUID()}/overrides` }) },
  { method: 'POST', path: '/api/v1/oncall/rotas/:id/overrides', allowed: ['admin', 'manager'], req: ({ target }) => ({ url: `/api/v1/oncall/rotas/${randomUUID()}/overrides`, payload: { userId: target, startsAt: '2026-01-05T00:00:00Z', endsAt: '2026-01-06T00:00:00Z' } }) },
  { method: 'DELETE', path: '/api/v1/oncall/overrides/:id', allowed: ['admin', 'manager'], req: () => ({ url: `/api/v1/oncall/overrides/${randomUUID()}` }) },
  { method: 'GET', path: '/api/v1/oncall/rotas/:id/swaps', allowed: READERS, req: () => ({ url: `/api/v1/oncall/rotas/${randomUUID()}/swaps` }) },
  { method: 'POST', path: '/api/v1/oncall/rotas/:id/swaps', allowed: READERS, req: ({ target }) => ({ url: `/api/v1/oncall/rotas/${randomUUID()}/swaps`, payload: { shiftStart: '2026-01-05T08:00:00Z', toUserId: target } }) },
  { method: 'POST', path: '/api/v1/oncall/swaps/:id/accept', allowed: READERS, req: () => ({ url: `/api/v1/oncall/swaps/${randomUUID()}/accept` }) },
  { method: 'POST', path: '/api/v1/oncall/swaps/:id/decline', allowed: READERS, req: () => ({ url: `/api/v1/oncall/swaps/${randomUUID()}/decline` }) },
  // Constituents and routing: every team role reads and routes, admins and managers change and import.
  { method: 'GET', path: '/api/v1/constituents', allowed: READERS },
  { method: 'POST', path: '/api/v1/constituents', allowed: ['admin', 'manager'], req: () => ({ payload: { name: `Matrix ${randomUUID().slice(0, 8)}` } }) },
  { method: 'GET', path: '/api/v1/constituents/route', allowed: READERS, req: () => ({ url: '/api/v1/constituents/route?address=192.0.2.1' }) },
  { method: 'GET', path: '/api/v1/constituents/export', allowed: READERS },
  { method: 'POST', path: '/api/v1/constituents/import', allowed: ['admin', 'manager'], req: () => ({ payload: { csv: `name\nMatrix ${randomUUID().slice(0, 8)}\n` } }) },
  { method: 'GET', path: '/api/v1/constituents/:id', allowed: READERS, req: () => ({ url: `/api/v1/constituents/${randomUUID()}` }) },
  { method: 'PUT', path: '/api/v1/constituents/:id', allowed: ['admin', 'manager'], req: () => ({ url: `/api/v1/constituents/${randomUUID()}`, payload: { name: 'Matrix', version: 1 } }) },
  { method: 'DELETE', path: '/api/v1/constituents/:id', allowed: ['admin', 'manager'], req: () => ({ url: `/api/v1/constituents/${randomUUID()}?version=1` }) },
  // Notifications: everyone's own inbox and preferences; the log for admins and managers; channels, templates and retries for admins.
  { method: 'GET', path: '/api/v1/notifications', allowed: SELF },
  { method: 'GET', path: '/api/v1/notifications/unread-count', allowed: SELF },
  { method: 'POST', path: '/api/v1/notifications/read', allowed: SELF, req: () => ({ payload: { all: true } }) },
  { method: 'GET', path: '/api/v1/account/notification-preferences', allowed: SELF },
  { method: 'PUT', path: '/api/v1/account/notification-preferences', allowed: SELF, req: () => ({ payload: { items: [{ event: 'incident.assigned', email: false, inApp: true }] } }) },
  { method: 'GET', path: '/api/v1/notification-channels', allowed: ['admin'] },
  { method: 'POST', path: '/api/v1/notification-channels', allowed: ['admin'], req: () => ({ payload: { name: `Matrix ${randomUUID().slice(0, 8)}`, kind: 'webhook', url: 'https://hooks.example.org/x' } }) },
  { method: 'GET', path: '/api/v1/notification-channels/:id', allowed: ['admin'], req: () => ({ url: `/api/v1/notification-channels/${randomUUID()}` }) },
  { method: 'PATCH', path: '/api/v1/notification-channels/:id', allowed: ['admin'], req: () => ({ url: `/api/v1/notification-channels/${randomUUID()}`, payload: { version: 1, enabled: false } }) },
  { method: 'DELETE', path: '/api/v1/notification-channels/:id', allowed: ['admin'], req: () => ({ url: `/api/v1/notification-channels/${randomUUID()}` }) },
  { method: 'POST', path: '/api/v1/notification-channels/:id/test', allowed: ['admin'], req: () => ({ url: `/api/v1/notification-channels/${randomUUID()}/test` }) },
  { method: 'GET', path: '/api/v1/notification-templates', allowed: ['admin'] },
  { method: 'PUT', path: '/api/v1/notification-templates/:event', allowed: ['admin'], req: () => ({ url: '/api/v1/notification-templates/test', payload: { version: 0, template: null } }) },
  { method: 'GET', path: '/api/v1/notification-deliveries', allowed: ['admin', 'manager'] },
  { method: 'GET', path: '/api/v1/notification-deliveries/:id', allowed: ['admin', 'manager'], req: () => ({ url: `/api/v1/notification-deliveries/${randomUUID()}` }) },
  { method: 'POST', path: '/api/v1/notification-deliveries/:id/retry', allowed: ['admin'], req: () => ({ url: `/api/v1/notification-deliveries/${randomUUID()}/retry` }) },
  // Escalation: every team role reads the policies and an incident's escalations; acknowledging one stops everyone's
  // paging, a write for those who work incidents (escalation.acknowledge: not viewers); admins and managers change policies.
  { method: 'GET', path: '/api/v1/escalation/policies', allowed: READERS },
  { method: 'GET', path: '/api/v1/escalation/policies/:id', allowed: READERS, req: () => ({ url: `/api/v1/escalation/policies/${randomUUID()}` }) },
  { method: 'POST', path: '/api/v1/escalation/policies', allowed: ['admin', 'manager'], req: () => ({ payload: { name: `Matrix ${randomUUID().slice(0, 8)}`, priorities: ['P4'], levels: [{ delayMinutes: 5, recipients: [{ kind: 'on_duty' }] }] } }) },
  { method: 'PUT', path: '/api/v1/escalation/policies/:id', allowed: ['admin', 'manager'], req: () => ({ url: `/api/v1/escalation/policies/${randomUUID()}`, payload: { name: 'Matrix', priorities: ['P4'], levels: [{ delayMinutes: 5, recipients: [{ kind: 'on_duty' }] }], version: 1 } }) },
  { method: 'DELETE', path: '/api/v1/escalation/policies/:id', allowed: ['admin', 'manager'], req: () => ({ url: `/api/v1/escalation/policies/${randomUUID()}` }) },
  { method: 'GET', path: '/api/v1/incidents/:id/escalations', allowed: READERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/escalations` }) },
  { method: 'POST', path: '/api/v1/incidents/:id/escalation/acknowledge', allowed: ['admin', 'manager', 'handler'], req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/escalation/acknowledge` }) },
  // SLA: every team role reads policies and an incident's clocks; admins and managers change policies; workers pause and resume.
  { method: 'GET', path: '/api/v1/sla/policies', allowed: READERS },
  { method: 'POST', path: '/api/v1/sla/policies', allowed: ['admin', 'manager'], req: () => ({ payload: { priority: 'P4', constituentId: randomUUID(), calendar: { kind: '24x7', timeZone: 'UTC' }, acknowledgeMinutes: 60 } }) },
  { method: 'PUT', path: '/api/v1/sla/policies/:id', allowed: ['admin', 'manager'], req: () => ({ url: `/api/v1/sla/policies/${randomUUID()}`, payload: { priority: 'P4', calendar: { kind: '24x7', timeZone: 'UTC' }, acknowledgeMinutes: 60, version: 1 } }) },
  { method: 'DELETE', path: '/api/v1/sla/policies/:id', allowed: ['admin', 'manager'], req: () => ({ url: `/api/v1/sla/policies/${randomUUID()}` }) },
  { method: 'GET', path: '/api/v1/incidents/:id/sla', allowed: READERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/sla` }) },
  { method: 'POST', path: '/api/v1/incidents/:id/sla/pause', allowed: WORKERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/sla/pause`, payload: { reason: 'matrix' } }) },
  { method: 'POST', path: '/api/v1/incidents/:id/sla/resume', allowed: WORKERS, req: ({ incident }) => ({ url: `/api/v1/incidents/${incident}/sla/resume` }) },
  // KPIs and activities: the team reads them; managers and admins define KPIs; the working team records activities.
  { method: 'GET', path: '/api/v1/kpi/monthly', allowed: READERS, req: () => ({ url: '/api/v1/kpi/monthly?month=2026-10' }) },
  { method: 'GET', path: '/api/v1/kpi/annual', allowed: READERS, req: () => ({ url: '/api/v1/kpi/annual?year=2026' }) },
  { method: 'GET', path: '/api/v1/kpi/monthly/export', allowed: READERS, req: () => ({ url: '/api/v1/kpi/monthly/export?month=2026-10&format=csv' }) },
  { method: 'GET', path: '/api/v1/kpi/annual/export', allowed: READERS, req: () => ({ url: '/api/v1/kpi/annual/export?year=2026&format=json' }) },
  { method: 'GET', path: '/api/v1/kpi/definitions', allowed: READERS },
  { method: 'POST', path: '/api/v1/kpi/definitions', allowed: ['admin', 'manager'], req: () => ({ payload: { key: `k_${randomUUID().slice(0, 8)}`, name: 'Matrix', measure: 'incident_count' } }) },
  { method: 'PUT', path: '/api/v1/kpi/definitions/:id', allowed: ['admin', 'manager'], req: () => ({ url: `/api/v1/kpi/definitions/${randomUUID()}`, payload: { key: 'matrix', name: 'Matrix', measure: 'incident_count', version: 1 } }) },
  { method: 'DELETE', path: '/api/v1/kpi/definitions/:id', allowed: ['admin', 'manager'], req: () => ({ url: `/api/v1/kpi/definitions/${randomUUID()}` }) },
  { method: 'GET', path: '/api/v1/activities', allowed: READERS, req: () => ({ url: '/api/v1/activities?from=2026-01-01T00:00:00Z&to=2026-12-31T00:00:00Z' }) },
  { method: 'GET', path: '/api/v1/activities/:id', allowed: READERS, req: () => ({ url: `/api/v1/activities/${randomUUID()}` }) },
  { method: 'POST', path: '/api/v1/activities', allowed: ['admin', 'manager', 'handler'], req: () => ({ payload: { kind: 'training', title: 'Matrix', startsAt: '2026-10-01T09:00:00Z' } }) },
  { method: 'PUT', path: '/api/v1/activities/:id', allowed: ['admin', 'manager', 'handler'], req: () => ({ url: `/api/v1/activities/${randomUUID()}`, payload: { kind: 'training', title: 'Matrix', startsAt: '2026-10-01T09:00:00Z', version: 1 } }) },
  { method: 'DELETE', path: '/api/v1/activities/:id', allowed: ['admin', 'manager', 'handler'], req: () => ({ url: `/api/v1/activities/${randomUUID()}` }) },
  // KPI reports: read like the KPIs; their schedules (recipients) are managed by managers and admins.
  { method: 'GET', path: '/api/v1/kpi/reports/monthly', allowed: READERS, req: () => ({ url: '/api/v1/kpi/reports/monthly?month=2026-10&format=html' }) },
  { method: 'GET', path: '/api/v1/kpi/reports/annual', allowed: READERS, req: () => ({ url: '/api/v1/kpi/reports/annual?year=2026&tlp=GREEN&format=pdf' }) },
  { method: 'GET', path: '/api/v1/kpi/report-schedules', allowed: ['admin', 'manager'] },
  { method: 'GET', path: '/api/v1/kpi/report-schedules/:id', allowed: ['admin', 'manager'], req: () => ({ url: `/api/v1/kpi/report-schedules/${randomUUID()}` }) },
  { method: 'POST', path: '/api/v1/kpi/report-schedules', allowed: ['admin', 'manager'], req: () => ({ payload: { kind: 'monthly', recipients: ['matrix@example.org'] } }) },
  { method: 'PUT', path: '/api/v1/kpi/report-schedules/:id', allowed: ['admin', 'manager'], req: () => ({ url: `/api/v1/kpi/report-schedules/${randomUUID()}`, payload: { kind: 'monthly', recipients: ['matrix@example.org'], version: 1 } }) },
  { method: 'DELETE', path: '/api/v1/kpi/report-schedules/:id', allowed: ['admin', 'manager'], req: () => ({ url: `/api/v1/kpi/report-schedules/${randomUUID()}` }) },
  // Feeds: the team reads them, handlers hand them reports, managers and admins configure them.
  { method: 'GET', path: '/api/v1/feeds', allowed: READERS },
  { method: 'POST', path: '/api/v1/feeds', allowed: ['admin', 'manager'], req: () => ({ payload: { name: `Matrix ${randomUUID().slice(0, 8)}`, parser: 'intelmq' } }) },
  { method: 'GET', path: '/api/v1/feeds/:feed', allowed: READERS, req: () => ({ url: '/api/v1/feeds/no-such-feed' }) },
  { method: 'PUT', path: '/api/v1/feeds/:feed', allowed: ['admin', 'manager'], req: () => ({ url: '/api/v1/feeds/no-such-feed', payload: { name: 'Matrix', parser: 'intelmq', version: 1 } }) },
  { method: 'GET', path: '/api/v1/feeds/:feed/reports', allowed: READERS, req: () => ({ url: '/api/v1/feeds/no-such-feed/reports' }) },
  {
    method: 'POST', path: '/api/v1/feeds/:feed/reports', allowed: ['admin', 'manager', 'handler'],
    req: () => ({ url: '/api/v1/feeds/no-such-feed/reports', payload: '192.0.2.1\n', headers: { 'content-type': 'application/octet-stream' } }),
  },
  { method: 'GET', path: '/api/v1/feed-reports/:reportId', allowed: READERS, req: () => ({ url: `/api/v1/feed-reports/${randomUUID()}` }) },
  { method: 'GET', path: '/api/v1/feed-events', allowed: READERS },
];

const DENIED_CODES = ['VIG_AUTHZ_FORBIDDEN', 'VIG_AUTH_REQUIRED', 'VIG_SOURCE_TOKEN_INVALID'];

describe.each(stores())('role x endpoint matrix on %s', (store) => {
  let t: TestApp;
  let worker: Actor;
  beforeAll(async () => {
    t = await makeApp(store);
    const h = await userWith(t, ['handler']);
    worker = { userId: h.id, username: h.username, roles: ['handler'], via: 'session', ip: null, requestId: null };
  });
  afterAll(() => t?.close());

  it('covers every /api/v1 operation the server has', async () => {
    await t.app.ready();
    const spec = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const ops = Object.entries(spec.paths)
      .filter(([p]) => p.startsWith('/api/v1/'))
      .flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`));
    const covered = CASES.map((c) => `${c.method} ${c.path}`);
    expect(ops.sort()).toEqual([...covered].sort());
  });

  for (const who of [...ALL, 'anonymous'] as Who[]) {
    it(`lets ${who} do exactly what the role allows`, async () => {
      const results: string[] = [];
      // Fresh fixtures and a fresh session whenever the call before may have changed them (a write it
      // was let through: it may have ended the session, closed the incident or disabled the target).
      // A refused call wrote nothing (checked below) and a read changes nothing, so the next case
      // meets the same untouched state without paying for a new one.
      const build = async () => {
        const target = (await userWith(t, ['viewer'])).id;
        const s: Session | null = who === 'anonymous' ? null : await userWith(t, [who], PASSWORD);
        const incident = (await t.services.incidents.declare(worker, { title: 'Matrix', impact: 'low', urgency: 'low', classifications: [{ class: 'test', type: 'test' }] })).id;
        const task = (await t.services.tasks.create(worker, incident, { phase: 'analysis', title: 'Matrix task' })).id;
        await t.services.observables.add(worker, incident, [{ type: 'ipv4', value: '192.0.2.1' }]);
        const observable = (await t.services.observables.list(worker, incident))[0]!.id;
        const evidence = (await t.services.evidence.upload(worker, incident, Readable.from([Buffer.from('sample')]), {
          filename: 's.bin', collectedBy: 'x', collectedAt: new Date(), collectedFrom: 'y',
        })).id;
        const other = (await t.services.incidents.declare(worker, { title: 'Other', impact: 'low', urgency: 'low', classifications: [{ class: 'test', type: 'test' }] })).id;
        const report = (await t.services.reports.submit(worker, { title: 'Matrix report' }, { contentType: 'text/plain', content: Buffer.from('r') })).report.id;
        return { target, s, incident, task, observable, evidence, other, report };
      };
      let fixtures = await build();
      let stale = false;
      for (const c of CASES) {
        if (stale) fixtures = await build();
        const { target, s, incident, task, observable, evidence, other, report } = fixtures;
        // Intake fixtures only for the cases that use them (each costs a source and two posts).
        let alert: string = randomUUID();
        let item: string = randomUUID();
        let sourceId: string = randomUUID();
        if (/alerts|intake|from-items/.test(c.path)) {
          const { source, token } = await t.services.sources.create(systemActor('cli'), { name: `s${randomUUID().slice(0, 8)}`, mapping: { title: '$.t' } });
          const posted = await t.services.alerts.receive(token, { content: Buffer.from('{"t":"Matrix alert"}'), contentType: 'application/json', ip: null });
          const failed = await t.services.alerts.receive(token, { content: Buffer.from('{"x":1}'), contentType: 'application/json', ip: null });
          alert = posted.alerts[0]!.id;
          item = failed.item;
          sourceId = source.id;
        }
        const built = c.req?.({ target, password: PASSWORD, incident, task, observable, evidence, other, report, alert, source: sourceId, item }) ?? {};
        const before = await auditCount(t);
        const r = await t.app.inject({
          method: c.method,
          url: built.url ?? c.path,
          headers: { ...(s?.headers ?? {}), ...(built.headers ?? {}) },
          ...(built.payload !== undefined ? { payload: built.payload as object } : {}),
        });
        const code = r.statusCode >= 400 ? (r.json().code as string) : 'ok';
        const expectAllowed =
          c.allowed === 'public' ? true : c.allowed === 'mfa-pending' || c.allowed === 'source-token' ? false : who !== 'anonymous' && c.allowed.includes(who);
        const allowed = !DENIED_CODES.includes(code);
        if (allowed !== expectAllowed) results.push(`${c.method} ${c.path}: got ${r.statusCode} ${code}`);
        stale = c.method !== 'GET' && r.statusCode < 400;
        expect(r.statusCode, `${c.method} ${c.path}`).toBeLessThan(500);
        if (!expectAllowed) {
          expect(r.statusCode, `${c.method} ${c.path}`).toBe(who === 'anonymous' || c.allowed === 'mfa-pending' || c.allowed === 'source-token' ? 401 : 403);
          expect(await auditCount(t), `${c.method} ${c.path} wrote nothing`).toBe(before);
        }
      }
      expect(results).toEqual([]);
      // Over a hundred endpoints: more than the default minute on a busy machine.
    }, 300_000);
  }

  it('lets a session that awaits its second factor reach only the MFA step', async () => {
    const u = await userWith(t, ['admin'], PASSWORD);
    await t.db.db.updateTable('appUser').set({ mfaSecret: 'v1.x.y.z', mfaEnabledAt: new Date() }).where('id', '=', u.id).execute();
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: u.username, password: PASSWORD } });
    const pending = { cookie: `vigil_session=${r.cookies[0]!.value}`, 'x-csrf-token': r.json().csrfToken };
    for (const c of CASES.filter((x) => Array.isArray(x.allowed))) {
      const res = await t.app.inject({ method: c.method, url: c.path.replace(/:(id|taskId|userId|observableId|evidenceId|reportId|alertId|sourceId|itemId)/g, randomUUID()).replace(':role', 'analyst').replace(':key', 'phishing').replace(':kind', 'related').replace(':otherId', randomUUID()), headers: pending });
      expect(res.statusCode, `${c.method} ${c.path}`).toBe(401);
    }
  });

  /**
   * An API token works the API with its roles, but never changes the account it belongs to: a
   * leaked read-only token must not log its owner out everywhere, end sessions, touch MFA or
   * revoke the owner's other tokens. Reading the account stays allowed, and a token may retire itself.
   */
  it('lets an API token of every role read its account but change none of its sessions or credentials', async () => {
    const results: string[] = [];
    for (const role of ALL) {
      const s = await userWith(t, [role], PASSWORD);
      const mint = async (name: string) =>
        (await t.app.inject({ method: 'POST', url: '/api/v1/account/tokens', headers: s.headers, payload: { name, expiresInDays: 1 } })).json() as { token: string; item: { id: string } };
      const other = await mint('other');
      const own = await mint('matrix');
      const bearer = { authorization: `Bearer ${own.token}` };
      const session = (await t.app.inject({ method: 'GET', url: '/api/v1/account/sessions', headers: s.headers })).json().items[0].id as string;
      const table: [method: 'GET' | 'POST' | 'DELETE', url: string, payload: object | undefined, want: 'ok' | 'refused'][] = [
        ['GET', '/api/v1/auth/me', undefined, 'ok'],
        ['GET', '/api/v1/account/sessions', undefined, 'ok'],
        ['GET', '/api/v1/account/tokens', undefined, 'ok'],
        ['POST', '/api/v1/auth/logout-all', undefined, 'refused'],
        ['POST', '/api/v1/auth/password', { currentPassword: PASSWORD, newPassword: 'A-Brand-New-Passphrase-1' }, 'refused'],
        ['DELETE', `/api/v1/account/sessions/${session}`, undefined, 'refused'],
        ['POST', '/api/v1/account/mfa/enrol', undefined, 'refused'],
        ['POST', '/api/v1/account/mfa/verify', { code: '000000' }, 'refused'],
        ['POST', '/api/v1/account/mfa/disable', { password: PASSWORD }, 'refused'],
        ['POST', '/api/v1/account/mfa/recovery-codes', { password: PASSWORD }, 'refused'],
        ['POST', '/api/v1/account/tokens', { name: 'child', expiresInDays: 1 }, 'refused'],
        ['DELETE', `/api/v1/account/tokens/${other.item.id}`, undefined, 'refused'],
        ['DELETE', `/api/v1/account/tokens/${own.item.id}`, undefined, 'ok'],
      ];
      for (const [method, url, payload, want] of table) {
        const before = await auditCount(t);
        const r = await t.app.inject({ method, url, headers: bearer, ...(payload ? { payload } : {}) });
        const got = r.statusCode < 300 ? 'ok' : r.statusCode === 403 && r.json().code === 'VIG_AUTHZ_FORBIDDEN' ? 'refused' : `${r.statusCode} ${r.json().code}`;
        if (got !== want) results.push(`${role} token: ${method} ${url}: got ${got}, want ${want}`);
        if (want === 'refused') expect(await auditCount(t), `${role} token: ${method} ${url} wrote nothing`).toBe(before);
      }
      // The owner's session and other token lived through all of it.
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: s.headers })).statusCode, role).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${other.token}` } })).statusCode, role).toBe(200);
    }
    expect(results).toEqual([]);
  });
});

/**
 * The constituent dimension: role × TLP × constituent-scoped or unscoped × every read path (list,
 * get, search, count, similar, export, timeline, live, and the reports, alerts, observables,
 * dashboard and KPI reads that hang off incidents). Fixtures are built once per store: two
 * constituents, an incident of each at every TLP and one of none, all sharing an observable and a
 * search word; a member of each team role unscoped and one limited to Alpha. What each may see is
 * written out from the rule (docs/access.md), not read from the access module.
 */
describe.each(stores())('constituent scope × role × TLP on %s', (store) => {
  const TLP_LIST = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
  const WORD = 'quokkascope';
  type Inc = { id: string; reference: string; tlp: (typeof TLP_LIST)[number]; constituent: 'Alpha' | 'Beta' | null };
  let t: TestApp;
  const incidents: Inc[] = [];
  const reports: { id: string; constituent: 'Alpha' | 'Beta'; incident: Inc | null }[] = [];
  const alerts: { id: string; incident: Inc | null }[] = [];
  let author: Actor;
  let anchor: Inc;
  const users: { role: Role; scoped: boolean; s: Session & { id: string } }[] = [];
  let registry: { alpha: string; beta: string };

  const privileged = (r: Role) => r === 'admin' || r === 'manager';
  const sees = (u: { role: Role; scoped: boolean }, i: Inc) =>
    (!u.scoped || i.constituent === 'Alpha') && (privileged(u.role) || (i.tlp !== 'RED' && i.tlp !== 'AMBER+STRICT'));

  beforeAll(async () => {
    t = await makeApp(store);
    const admin = await userWith(t, ['admin']);
    const m = await userWith(t, ['manager']);
    author = { userId: m.id, username: m.username, roles: ['manager'], via: 'session', ip: null, requestId: null };
    const cli = systemActor('cli');
    const alpha = await t.services.constituents.create(cli, { name: 'Alpha' });
    const beta = await t.services.constituents.create(cli, { name: 'Beta' });
    registry = { alpha: alpha.id, beta: beta.id };
    const declare = async (tlp: Inc['tlp'], constituent: Inc['constituent']) => {
      const r = await t.services.incidents.declare(author, {
        title: `${constituent ?? 'None'} ${tlp} ${WORD}`, tlp, impact: 'low', urgency: 'low', classifications: [{ class: 'test', type: 'test' }],
        ...(constituent ? { constituent: constituent.toLowerCase() } : {}),
      });
      const inc: Inc = { id: r.id, reference: r.reference, tlp, constituent };
      incidents.push(inc);
      await t.services.observables.add(author, r.id, [{ type: 'domain', value: `${WORD}.example` }]);
      return inc;
    };
    for (const c of ['Alpha', 'Beta'] as const) for (const tlp of TLP_LIST) await declare(tlp, c);
    await declare('GREEN', null);
    anchor = incidents.find((i) => i.constituent === 'Alpha' && i.tlp === 'CLEAR')!;
    // Reports: one for each constituent on no incident, and one of each on a GREEN incident of the other.
    for (const c of ['Alpha', 'Beta'] as const) {
      const r = await t.services.reports.submit(author, { title: `Report ${c} ${WORD}`, organisation: c }, { contentType: 'text/plain', content: Buffer.from('r') });
      reports.push({ id: r.report.id, constituent: c, incident: null });
      const other = incidents.find((i) => i.constituent === (c === 'Alpha' ? 'Beta' : 'Alpha') && i.tlp === 'GREEN')!;
      const l = await t.services.reports.submit(author, { title: `Linked ${c} ${WORD}`, organisation: c }, { contentType: 'text/plain', content: Buffer.from('r') });
      await t.services.reportTriage.link(author, l.report.id, other.id);
      reports.push({ id: l.report.id, constituent: c, incident: other });
    }
    // Alerts: one on no incident, one on Alpha's GREEN incident, one on Beta's.
    const { token } = await t.services.sources.create(cli, { name: 'scope-source', mapping: { items: '$.a', title: '$.t' } });
    const posted = await t.services.alerts.receive(token, { content: Buffer.from(JSON.stringify({ a: [{ t: 'one' }, { t: 'two' }, { t: 'three' }] })), contentType: 'application/json', ip: null });
    const [loose, onAlpha, onBeta] = posted.alerts.map((a) => a.id);
    const greenOf = (c: 'Alpha' | 'Beta') => incidents.find((i) => i.constituent === c && i.tlp === 'GREEN')!;
    await t.services.alertTriage.link(author, [onAlpha!], greenOf('Alpha').id);
    await t.services.alertTriage.link(author, [onBeta!], greenOf('Beta').id);
    alerts.push({ id: loose!, incident: null }, { id: onAlpha!, incident: greenOf('Alpha') }, { id: onBeta!, incident: greenOf('Beta') });

    // A member of each team role, unscoped and limited to Alpha (set through the admin API).
    for (const role of ['admin', 'manager', 'handler', 'viewer'] as Role[]) {
      for (const scoped of [false, true]) {
        const s = await userWith(t, [role], PASSWORD);
        if (scoped) {
          const r = await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${s.id}`, headers: admin.headers, payload: { constituentIds: [alpha.id] } });
          expect(r.statusCode, r.body).toBe(200);
          expect(r.json().user.constituentIds).toEqual([alpha.id]);
        }
        users.push({ role, scoped, s });
      }
    }
  }, 300_000);
  afterAll(() => t?.close());

  const get = (s: Session, url: string) => t.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: s.headers });

  it('shows each member exactly the incidents, reports and alerts of its scope, on every read path', async () => {
    const leaks: string[] = [];
    for (const u of users) {
      const label = `${u.role}${u.scoped ? ' (Alpha)' : ''}`;
      const visible = incidents.filter((i) => sees(u, i));
      const hidden = incidents.filter((i) => !sees(u, i));
      const want = visible.map((i) => i.id).sort();
      const check = (what: string, got: string[], expected: string[]) => {
        if (JSON.stringify([...got].sort()) !== JSON.stringify([...expected].sort())) leaks.push(`${label} ${what}: got ${got.length}, want ${expected.length}`);
      };
      const noHidden = (what: string, body: string) => {
        for (const h of hidden) if (body.includes(h.id) || body.includes(h.reference)) leaks.push(`${label} ${what} names ${h.constituent} ${h.tlp}`);
      };
      // Lists, search and counts.
      const list = await get(u.s, '/incidents?limit=100');
      check('list', list.json().items.map((i: { id: string }) => i.id), want);
      const search = await get(u.s, `/incidents?q=${WORD}&limit=100`);
      check('search', search.json().items.map((i: { id: string }) => i.id), want);
      const count = await get(u.s, '/incidents/count');
      if (count.json().count !== want.length) leaks.push(`${label} count: got ${count.json().count}, want ${want.length}`);
      // Similar incidents (from Alpha's CLEAR incident, visible to all) and the observable search.
      const similar = await get(u.s, `/incidents/${anchor.id}/similar`);
      check('similar', similar.json().items.map((i: { id: string }) => i.id), want.filter((id) => id !== anchor.id));
      const observables = await get(u.s, `/observables?value=${WORD}.example`);
      noHidden('observable search', observables.body);
      // Every incident: get, timeline and export answer exactly where the rule allows.
      for (const i of incidents) {
        for (const path of [`/incidents/${i.id}`, `/incidents/${i.id}/timeline`, `/incidents/${i.id}/export`]) {
          const r = await get(u.s, path);
          const ok = r.statusCode === 200;
          if (ok !== sees(u, i)) leaks.push(`${label} ${path} (${i.constituent} ${i.tlp}): ${r.statusCode}`);
          if (!ok && r.statusCode !== 404) leaks.push(`${label} ${path}: ${r.statusCode}, want 404`);
        }
      }
      // Reports: on an incident as the incident; on none, unscoped or of the member's constituent.
      const wantReports = reports.filter((r) => (r.incident ? sees(u, r.incident) : !u.scoped || r.constituent === 'Alpha')).map((r) => r.id);
      check('reports', (await get(u.s, '/reports?limit=100')).json().items.map((r: { id: string }) => r.id), wantReports);
      for (const r of reports) {
        const got = (await get(u.s, `/reports/${r.id}`)).statusCode === 200;
        if (got !== wantReports.includes(r.id)) leaks.push(`${label} report ${r.constituent}${r.incident ? ' linked' : ''}: ${got}`);
      }
      // Alerts: on an incident as the incident; on none, unscoped members only.
      const wantAlerts = alerts.filter((a) => (a.incident ? sees(u, a.incident) : !u.scoped)).map((a) => a.id);
      if (u.role === 'manager' || u.role === 'handler') {
        check('alerts', (await get(u.s, '/alerts?limit=100')).json().items.map((a: { id: string }) => a.id), wantAlerts);
      }
      // The constituent registry (contacts, networks, agreements): a scoped member's own only.
      const listed = (await get(u.s, '/constituents')).json() as { id: string }[];
      check('constituents', listed.map((c) => c.id), u.scoped ? [registry.alpha] : [registry.alpha, registry.beta]);
      if ((await get(u.s, `/constituents/${registry.beta}`)).statusCode !== (u.scoped ? 404 : 200)) leaks.push(`${label} constituent Beta`);
      // Figures: the dashboard and the KPIs count and name only what the member may see.
      noHidden('dashboard', (await get(u.s, '/dashboard/operations')).body);
      const month = new Date().toISOString().slice(0, 7);
      const kpi = await get(u.s, `/kpi/monthly?month=${month}`);
      expect(kpi.statusCode, kpi.body).toBe(200);
      noHidden('kpi', kpi.body);
      // Live updates: a change to every incident is told only where the member may see it.
      // The actor as a request's credentials make it (the stream's own authentication).
      const current = async () => (await t.services.authenticator.fromSession(u.s.cookie.split('=')[1]!, { ip: null, userAgent: null, requestId: null }, { touch: false }))?.actor ?? null;
      const told: string[] = [];
      const stop = await t.services.live.subscribe((await current())!, { current, send: (c) => told.push(...c.incidents), end: () => undefined });
      expect(stop).not.toBeNull();
      for (const i of incidents) await t.services.incidentDetails.addNote(author, i.id, { body: `live ${label}` });
      await t.services.live.poll();
      stop!();
      check('live', [...new Set(told)], want);
    }
    expect(leaks).toEqual([]);
  }, 600_000);
});
