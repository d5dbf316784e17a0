import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UserRow } from '../db/schema.ts';
import type { Actor, ClientMeta } from './actor.ts';
import { VigilError } from './errors.ts';

/**
 * Who may call a route: 'none' (anyone), 'mfa-pending' (a session that awaits its second factor),
 * 'setup' (signed in, even while a password change or MFA enrolment is still owed), or by default
 * a fully signed-in user with nothing owed. 'source': the route checks a monitoring source's own
 * token itself (no user credentials are looked at).
 */
export type RouteAuth = 'none' | 'mfa-pending' | 'setup' | 'source';

/** What a request carries once its credentials are checked (src/modules/auth/authenticate.ts). */
export interface AuthContext {
  actor: Actor;
  user: UserRow;
  sessionId: string | null;
  mfaPending: boolean;
  mustChangePassword: boolean;
  mfaEnrolmentRequired: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null;
  }
  interface FastifyContextConfig {
    auth?: RouteAuth;
    /** false: calling this route does not count as activity (the session's idle clock keeps running). */
    touchSession?: boolean;
  }
}

export const SESSION_COOKIE = 'vigil_session';

export function clientMeta(req: FastifyRequest): ClientMeta {
  const ua = req.headers['user-agent'];
  return { ip: req.ip ?? null, userAgent: typeof ua === 'string' ? ua : null, requestId: String(req.id) };
}

/** The acting user of an authenticated route (the onRequest hook has already refused anonymous calls). */
export function actorOf(req: FastifyRequest): Actor {
  if (!req.auth) throw new VigilError('VIG_AUTH_REQUIRED');
  return req.auth.actor;
}

export function setSessionCookie(reply: FastifyReply, s: { token: string; expiresAt: Date }, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, s.token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    expires: s.expiresAt,
  });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure });
}

/**
 * Sends bytes exactly as they arrived (a report, an intake item, an alert's body) as a download:
 * never rendered by the browser; the original content type and the SHA-256 in headers.
 */
export function sendRaw(
  reply: FastifyReply,
  raw: { filename: string; contentType: string; sha256: string; content: Uint8Array },
  extra: Record<string, string> = {},
) {
  reply
    .header('content-type', 'application/octet-stream')
    .header('content-disposition', `attachment; filename="${raw.filename.replace(/[^\w.@-]/g, '_')}"`)
    .header('x-original-content-type', raw.contentType.replace(/[^\x20-\x7e]/g, '?'))
    .header('x-content-sha256', raw.sha256);
  for (const [k, v] of Object.entries(extra)) reply.header(k, v);
  return reply.send(Buffer.from(raw.content.buffer, raw.content.byteOffset, raw.content.byteLength));
}

