import { describe, expect, it } from 'vitest';
import { systemActor, type Actor } from '../actor.ts';
import { authorize, can, PERMISSIONS, permissionsOf, ROLES } from './policy.ts';

const as = (...roles: Actor['roles']): Actor => ({ userId: 'u', username: 'u', roles, via: 'session', ip: null, requestId: null });

describe('policy', () => {
  it('denies by default: no roles, no permissions', () => {
    expect(permissionsOf([]).size).toBe(0);
    for (const p of PERMISSIONS) expect(can(as(), p)).toBe(false);
  });

  it('grants the union of a user\'s roles', () => {
    expect(can(as('viewer'), 'user.read')).toBe(false);
    expect(can(as('viewer', 'manager'), 'user.read')).toBe(true);
    expect(can(as('manager'), 'user.create')).toBe(false);
  });

  it('gives admins every permission but working incidents, and reporters only their account and reports', () => {
    // Admins administer; they read incidents and reports (TLP rule) but working them takes a handler or manager role.
    const handling = ['incident.create', 'incident.update', 'incident.close', 'evidence.download', 'report.triage'];
    // The reporter's own-organisation view and portal submission are a constituent's, not the team's.
    const constituent = ['report.read_own', 'report.submit'];
    expect([...permissionsOf(['admin'])].sort()).toEqual(PERMISSIONS.filter((p) => !handling.includes(p) && !constituent.includes(p)).sort());
    expect([...permissionsOf(['reporter'])].sort()).toEqual(['account.manage', ...constituent].sort());
    expect(ROLES).toEqual(['admin', 'manager', 'handler', 'viewer', 'reporter']);
  });

  it('throws 401 for nobody and 403 with the permission for the wrong role', () => {
    expect(() => authorize(null, 'audit.read')).toThrow(expect.objectContaining({ code: 'VIG_AUTH_REQUIRED' }));
    expect(() => authorize(as('handler'), 'audit.read')).toThrow(expect.objectContaining({ code: 'VIG_AUTHZ_FORBIDDEN', detail: { permission: 'audit.read' } }));
    expect(() => authorize(systemActor('cli'), 'audit.read')).not.toThrow();
  });
});
