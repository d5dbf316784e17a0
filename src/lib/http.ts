import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthContext } from '../modules/auth/authenticate.ts';
import type { ClientMeta, IssuedSession } from '../modules/auth/service.ts';
import type { Actor } from './actor.ts';
import { VigilError } from './errors.ts';

/**
 * Who may call a route: 'none' (anyone), 'mfa-pending' (a session that awaits its second factor),
 * 'setup' (signed in, even while a password change or MFA enrolment is still owed), or by default
 * a fully signed-in user with nothing owed. 'source': the route checks a monitoring source's own
 * token itself (no user credentials are looked at).
 */
export type RouteAuth = 'none' | 'mfa-pending' | 'setup' | 'source';

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

export function setSessionCookie(reply: FastifyReply, s: IssuedSession, secure: boolean): void {
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
