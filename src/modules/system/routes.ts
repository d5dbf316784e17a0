import { z } from 'zod';
import { sql } from 'kysely';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../../db/index.ts';
import { pendingMigrations } from '../../db/migrate.ts';
import type { SettingsService } from '../settings/service.ts';
import { VERSION } from '../../version.ts';

/** Liveness and readiness at the root (for load balancers), and public metadata under /api/v1. */
export const healthRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get('/healthz', {
    config: { auth: 'none' },
    schema: { operationId: 'system.health', security: [], tags: ['system'], summary: 'The process is alive', response: { 200: z.object({ status: z.literal('ok') }) } },
  }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', {
    config: { auth: 'none' },
    schema: {
      operationId: 'system.ready', security: [], tags: ['system'], summary: 'The database answers and migrations are current',
      response: { 200: z.object({ status: z.literal('ready') }), 503: z.object({ status: z.literal('not_ready'), reason: z.string() }) },
    },
  }, async (_req, reply) => {
    try {
      await sql`select 1`.execute(db);
      const pending = await pendingMigrations(db);
      if (pending.length) return reply.code(503).send({ status: 'not_ready' as const, reason: `pending migrations: ${pending.join(', ')}` });
      return { status: 'ready' as const };
    } catch {
      return reply.code(503).send({ status: 'not_ready' as const, reason: 'database unreachable' });
    }
  });
};

export const metaRoutes: FastifyPluginAsyncZod<{ settings: SettingsService }> = async (app, { settings }) => {
  app.get('/meta', {
    config: { auth: 'none' },
    schema: {
      operationId: 'system.meta', security: [], tags: ['system'], summary: 'Product name, version and team name (public)',
      response: { 200: z.object({ name: z.literal('Vigil'), version: z.string(), teamName: z.string() }) },
    },
  }, async () => ({ name: 'Vigil' as const, version: VERSION, teamName: (await settings.current()).teamName }));
};
