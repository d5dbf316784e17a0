import { describe, expect, it } from 'vitest';
import { systemActor, type Actor } from '../actor.ts';
import { authorize, can, incidentActions, PERMISSIONS, permissionList, permissionsOf, ROLES } from './policy.ts';

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

  it('gives the borrowed reads their own permissions, held by the same roles as before, and acknowledging to those who work incidents', () => {
    const holders = (p: Parameters<typeof can>[1]) => ROLES.filter((r) => can(as(r), p));
    // SLA and escalation policies were read with incident.read, the outgoing-mail log with settings.read.
    expect(holders('sla.read')).toEqual(holders('incident.read'));
    expect(holders('escalation.read')).toEqual(holders('incident.read'));
    expect(holders('mail.read')).toEqual(holders('settings.read'));
    // Acknowledging an escalation stops everyone's paging: a write, no longer a viewer's.
    expect(holders('escalation.acknowledge')).toEqual(['admin', 'manager', 'handler']);
  });

  it('lists an actor\'s permissions sorted, and what it may do to an incident by role and status', () => {
    const list = permissionList(as('viewer', 'handler'));
    expect(list).toEqual([...permissionsOf(['viewer', 'handler'])].sort());
    expect(list).toEqual([...list].sort());
    expect(incidentActions(as('viewer'), { status: 'analysis' })).toEqual({
      write: false, update: false, close: false, reopen: false, downloadEvidence: false, acknowledgeEscalation: false,
    });
    expect(incidentActions(as('handler'), { status: 'analysis' })).toEqual({
      write: true, update: true, close: true, reopen: false, downloadEvidence: true, acknowledgeEscalation: true,
    });
    expect(incidentActions(as('handler'), { status: 'closed' })).toEqual({
      write: true, update: false, close: false, reopen: true, downloadEvidence: true, acknowledgeEscalation: true,
    });
    expect(incidentActions(as('admin'), { status: 'new' })).toMatchObject({ write: false, close: false, downloadEvidence: false, acknowledgeEscalation: true });
  });

  it('throws 401 for nobody and 403 with the permission for the wrong role', () => {
    expect(() => authorize(null, 'audit.read')).toThrow(expect.objectContaining({ code: 'VIG_AUTH_REQUIRED' }));
    expect(() => authorize(as('handler'), 'audit.read')).toThrow(expect.objectContaining({ code: 'VIG_AUTHZ_FORBIDDEN', detail: { permission: 'audit.read' } }));
    expect(() => authorize(systemActor('cli'), 'audit.read')).not.toThrow();
  });
});
