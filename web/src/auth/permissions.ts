// What the signed-in user may do, as the server says (`/auth/me` → `permissions`). Pages show or
// hide actions by these and by a record's `allowed` flags; they never decide from role names.
import type { ItemOf } from '../api/schema';
import type { Me } from '../api/types';
import { useMe } from './session';

/** The server's permission names (src/lib/authz/policy.ts), as `/auth/me` lists them. */
export type Permission = ItemOf<Me['permissions']>;

/** Whether the user holds the permission (undefined: nothing is needed, every signed-in user). */
export function hasPermission(me: Pick<Me, 'permissions'>, permission: Permission | undefined): boolean {
  return !permission || me.permissions.includes(permission);
}

/** `hasPermission` for the signed-in user; only inside the authenticated app. */
export function usePermission(permission: Permission | undefined): boolean {
  return hasPermission(useMe(), permission);
}
