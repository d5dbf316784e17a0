import { z } from 'zod';
import { ROLES } from './authz/policy.ts';

/** Schemas shared by several modules' routes. */
export const RoleSchema = z.enum(ROLES).meta({ id: 'Role', description: 'Permission role' });
export const IdParam = z.object({ id: z.uuid() });
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    instance: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export const UserViewSchema = z
  .object({
    id: z.uuid(),
    username: z.string(),
    displayName: z.string(),
    email: z.string().nullable(),
    organisation: z.string().nullable(),
    roles: z.array(RoleSchema),
    mfaEnabled: z.boolean(),
    mustChangePassword: z.boolean(),
    disabled: z.boolean(),
    createdAt: z.date(),
    lastLoginAt: z.date().nullable(),
  })
  .meta({ id: 'User' });

export const Username = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._@-]{1,62}$/, '2-63 characters: letters, digits, . _ @ -');
export const Password = z.string().min(1).max(256);
export const NoContent = z.null().describe('No content');
