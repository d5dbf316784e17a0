import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf, clearSessionCookie, clientMeta, setSessionCookie } from '../../lib/http.ts';
import { Password, UserViewSchema } from '../../lib/schemas.ts';
import { VigilError } from '../../lib/errors.ts';
import { PERMISSIONS, permissionList } from '../../lib/authz/policy.ts';
import { toUserView } from '../users/index.ts';
import type { SettingsService } from '../settings/index.ts';
import type { AuthService } from './service.ts';

const LoginBody = z.object({ username: z.string().min(1).max(200), password: Password });
const LoginReply = z.object({
  status: z.enum(['ok', 'mfa_required']),
  csrfToken: z.string(),
  user: UserViewSchema.optional(),
});
const MeReply = z.object({
  user: UserViewSchema,
  csrfToken: z.string().nullable(),
  mfaEnrolmentRequired: z.boolean(),
  teamName: z.string(),
  via: z.enum(['session', 'token', 'cli', 'system']),
  permissions: z
    .array(z.enum(PERMISSIONS))
    .describe("what the caller's roles allow (for a token: the token's roles), sorted; the web app shows and hides actions by these"),
});

export const authRoutes: FastifyPluginAsyncZod<{ auth: AuthService; settings: SettingsService; cookieSecure: boolean }> = async (
  app,
  { auth, settings, cookieSecure },
) => {
  app.post('/auth/login', {
    config: { auth: 'none' },
    schema: { operationId: 'auth.login', security: [], tags: ['auth'], summary: 'Sign in with username and password', body: LoginBody, response: { 200: LoginReply } },
  }, async (req, reply) => {
    const r = await auth.login(req.body.username, req.body.password, clientMeta(req));
    setSessionCookie(reply, r.issued, cookieSecure);
    return { status: r.status, csrfToken: r.issued.csrfToken, ...(r.status === 'ok' ? { user: toUserView(r.user) } : {}) };
  });

  app.post('/auth/login/mfa', {
    config: { auth: 'mfa-pending' },
    schema: {
      operationId: 'auth.login_mfa', tags: ['auth'], summary: 'Complete sign-in with a TOTP or recovery code',
      body: z.object({ code: z.string().trim().min(6).max(32) }), response: { 200: LoginReply },
    },
  }, async (req, reply) => {
    const a = req.auth!;
    const r = await auth.loginMfa(a.user.id, a.sessionId!, req.body.code, clientMeta(req));
    setSessionCookie(reply, r.issued, cookieSecure);
    return { status: 'ok' as const, csrfToken: r.issued.csrfToken, user: toUserView(r.user) };
  });

  app.get('/auth/me', {
    config: { auth: 'setup' },
    schema: { operationId: 'auth.me', tags: ['auth'], summary: 'The signed-in user and what they still owe', response: { 200: MeReply } },
  }, async (req) => {
    const a = req.auth!;
    return {
      user: toUserView(a.user),
      csrfToken: a.sessionId ? auth.csrfFor(a.sessionId) : null,
      mfaEnrolmentRequired: a.mfaEnrolmentRequired,
      teamName: (await settings.current()).teamName,
      via: a.actor.via,
      permissions: permissionList(a.actor),
    };
  });

  app.post('/auth/logout', {
    config: { auth: 'setup' },
    schema: { operationId: 'auth.logout', tags: ['auth'], summary: 'End this session', response: { 204: z.null() } },
  }, async (req, reply) => {
    await auth.logout(actorOf(req));
    clearSessionCookie(reply, cookieSecure);
    return reply.code(204).send(null);
  });

  app.post('/auth/logout-all', {
    config: { auth: 'setup' },
    schema: { operationId: 'auth.logout_all', tags: ['auth'], summary: 'End every session of the signed-in user', response: { 204: z.null() } },
  }, async (req, reply) => {
    await auth.logoutEverywhere(actorOf(req));
    clearSessionCookie(reply, cookieSecure);
    return reply.code(204).send(null);
  });

  app.post('/auth/password', {
    config: { auth: 'setup' },
    schema: {
      operationId: 'auth.change_password', tags: ['auth'], summary: 'Change your own password (ends your other sessions)',
      body: z.object({ currentPassword: Password, newPassword: Password }), response: { 204: z.null() },
    },
  }, async (req, reply) => {
    if (req.auth?.actor.via !== 'session') throw new VigilError('VIG_AUTHZ_FORBIDDEN', { reason: 'passwords change from a signed-in session' });
    await auth.changePassword(actorOf(req), req.body.currentPassword, req.body.newPassword);
    return reply.code(204).send(null);
  });
};
