import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../../lib/http.ts';
import { IdParam, Password, RoleSchema } from '../../lib/schemas.ts';
import type { AccountService } from './service.ts';

const SessionView = z.object({
  id: z.uuid(), createdAt: z.date(), lastSeenAt: z.date(), expiresAt: z.date(),
  ip: z.string().nullable(), userAgent: z.string().nullable(), current: z.boolean(),
});
const TokenView = z
  .object({
    id: z.uuid(), name: z.string(), roles: z.array(RoleSchema), createdAt: z.date(), expiresAt: z.date(),
    lastUsedAt: z.date().nullable(), revokedAt: z.date().nullable(),
  })
  .meta({ id: 'ApiToken' });
const RecoveryCodes = z.object({ recoveryCodes: z.array(z.string()) });
const tags = ['account'];

export const accountRoutes: FastifyPluginAsyncZod<{ account: AccountService }> = async (app, { account }) => {
  app.get('/account/sessions', {
    schema: { operationId: 'account.sessions.list', tags, summary: 'Your live sessions', response: { 200: z.object({ items: z.array(SessionView) }) } },
  }, async (req) => ({ items: await account.listSessions(actorOf(req)) }));

  app.delete('/account/sessions/:id', {
    schema: { operationId: 'account.sessions.revoke', tags, summary: 'End one of your sessions', params: IdParam, response: { 204: z.null() } },
  }, async (req, reply) => {
    await account.revokeSession(actorOf(req), req.params.id);
    return reply.code(204).send(null);
  });

  app.post('/account/mfa/enrol', {
    config: { auth: 'setup' },
    schema: {
      operationId: 'account.mfa.enrol', tags, summary: 'Start TOTP enrolment (secret and QR code)',
      response: { 200: z.object({ secret: z.string(), otpauthUrl: z.string(), qrDataUrl: z.string() }) },
    },
  }, async (req) => account.startMfa(actorOf(req)));

  app.post('/account/mfa/verify', {
    config: { auth: 'setup' },
    schema: {
      operationId: 'account.mfa.verify', tags, summary: 'Finish enrolment with a code; returns recovery codes once',
      body: z.object({ code: z.string().trim().regex(/^\d{6}$/, 'must be 6 digits') }), response: { 200: RecoveryCodes },
    },
  }, async (req) => account.verifyMfa(actorOf(req), req.body.code));

  app.post('/account/mfa/disable', {
    schema: { operationId: 'account.mfa.disable', tags, summary: 'Turn two-factor authentication off', body: z.object({ password: Password }), response: { 204: z.null() } },
  }, async (req, reply) => {
    await account.disableMfa(actorOf(req), req.body.password);
    return reply.code(204).send(null);
  });

  app.post('/account/mfa/recovery-codes', {
    schema: { operationId: 'account.mfa.recovery_codes', tags, summary: 'Replace your recovery codes', body: z.object({ password: Password }), response: { 200: RecoveryCodes } },
  }, async (req) => account.regenerateRecoveryCodes(actorOf(req), req.body.password));

  app.get('/account/tokens', {
    schema: { operationId: 'account.tokens.list', tags, summary: 'Your API tokens', response: { 200: z.object({ items: z.array(TokenView) }) } },
  }, async (req) => ({ items: await account.listTokens(actorOf(req)) }));

  app.post('/account/tokens', {
    schema: {
      operationId: 'account.tokens.create', tags, summary: 'Create an API token (shown once)',
      body: z.object({
        name: z.string().trim().min(1).max(100),
        expiresInDays: z.number().int().min(1).max(365).default(90),
        roles: z.array(RoleSchema).min(1).optional(),
      }),
      response: { 201: z.object({ token: z.string(), item: TokenView }) },
    },
  }, async (req, reply) => reply.code(201).send(await account.createToken(actorOf(req), req.body)));

  app.delete('/account/tokens/:id', {
    schema: { operationId: 'account.tokens.revoke', tags, summary: 'Revoke one of your API tokens', params: IdParam, response: { 204: z.null() } },
  }, async (req, reply) => {
    await account.revokeToken(actorOf(req), req.params.id);
    return reply.code(204).send(null);
  });
};
