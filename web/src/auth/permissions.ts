// What the signed-in user may do, as the server says (`/auth/me` → `permissions`). Pages show or
// hide actions by these and by a record's `allowed` flags; they never decide from role names.
import type { Me } from '../api/types';
import { useMe } from './session';

/** The server's permission names (src/lib/authz/policy.ts); the API's generated types will carry them. */
export type Permission =
  | 'account.manage' | 'team.read'
  | 'user.read' | 'user.create' | 'user.update' | 'user.disable' | 'user.reset_credentials'
  | 'settings.read' | 'settings.update' | 'mail.read' | 'audit.read' | 'audit.verify'
  | 'incident.read' | 'incident.create' | 'incident.update' | 'incident.close'
  | 'playbook.manage' | 'evidence.download'
  | 'report.read' | 'report.read_own' | 'report.submit' | 'report.triage' | 'intake.manage'
  | 'constituent.read' | 'constituent.manage' | 'directory.read' | 'directory.manage'
  | 'oncall.read' | 'oncall.manage'
  | 'escalation.read' | 'escalation.acknowledge' | 'escalation.manage'
  | 'notification.read' | 'notification.manage' | 'delivery.manage'
  | 'sla.read' | 'sla.manage' | 'kpi.read' | 'kpi.manage' | 'activity.record';

/** Whether the user holds the permission (undefined: nothing is needed, every signed-in user). */
export function hasPermission(me: Pick<Me, 'permissions'>, permission: Permission | undefined): boolean {
  return !permission || (me.permissions as readonly string[]).includes(permission);
}

/** `hasPermission` for the signed-in user; only inside the authenticated app. */
export function usePermission(permission: Permission | undefined): boolean {
  return hasPermission(useMe(), permission);
}
