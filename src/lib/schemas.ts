import { z } from 'zod';
import { ROLES } from './authz/policy.ts';

/** Schemas shared by several modules' routes. */
export const RoleSchema = z.enum(ROLES).meta({ id: 'Role', description: 'Permission role' });
export const IdParam = z.object({ id: z.uuid() });

/** A query parameter holding a comma-separated list (at most 20 items). */
export const csv = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(item).max(20)).optional();
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

/**
 * The one rule for every web address a user gives (a contact's web page, a webhook): an absolute
 * http:// or https:// URL, never javascript:, data: or another scheme a browser would act on.
 */
export const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// address' }).max(2000);
export const isHttpUrl = (v: string): boolean => HttpUrl.safeParse(v).success;

/**
 * Text as PostgreSQL can store it: no NUL character (U+0000) and no unpaired UTF-16 surrogate
 * (U+D800–U+DFFF alone, which JSON can carry as "\ud800"). The one rule for text that comes in:
 * `Text` for a schema, `storableText` for a value, and `textIssues` (which app.ts runs over every
 * request's body, query and path parameters, keys included) to name each field that breaks it.
 */
export const TEXT_INVALID_MESSAGE = 'must not contain a NUL character (U+0000) or an unpaired surrogate (U+D800-U+DFFF)';
export const storableText = (v: string): boolean => !v.includes('\u0000') && v.isWellFormed();
export const Text = z.string().refine(storableText, { message: TEXT_INVALID_MESSAGE, params: { text: 'invalid' } });
/** Whether a zod issue is `Text`'s: such a refusal is VIG_REQUEST_TEXT_INVALID when nothing else is wrong. */
export const isTextIssue = (i: z.core.$ZodIssue): boolean => i.code === 'custom' && (i.params as { text?: string } | undefined)?.text === 'invalid';

/** Each string (value or key) inside a parsed JSON value that breaks the rule, by path (`body.items.0.title`). */
export function textIssues(value: unknown, path: string): { path: string; message: string }[] {
  if (typeof value === 'string') return storableText(value) ? [] : [{ path, message: TEXT_INVALID_MESSAGE }];
  if (Array.isArray(value)) return value.flatMap((v, i) => textIssues(v, `${path}.${i}`));
  if (value === null || typeof value !== 'object') return [];
  // Only what JSON, a query string or a path can make; a raw body (a Buffer or a stream) is kept as it came.
  // (Query strings are parsed into objects whose prototype has no prototype.)
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null && Object.getPrototypeOf(proto) !== null) return [];
  return Object.entries(value).flatMap(([k, v]) =>
    storableText(k) ? textIssues(v, `${path}.${k}`) : [{ path: `${path}.${k}`, message: `the field name ${TEXT_INVALID_MESSAGE}` }],
  );
}
