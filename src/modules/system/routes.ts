import { z } from 'zod';
import { sql } from 'kysely';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../../db/index.ts';
import { pendingMigrations } from '../../db/migrate.ts';
import type { SettingsService } from '../settings/index.ts';
import { VERSION } from '../../version.ts';

/** How long /readyz waits for the database before answering 503. */
export const READY_DEADLINE_MS = 1500;

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
    // A database that accepts connections but never answers must not hang the check: it answers
    // within READY_DEADLINE_MS whatever happens.
    const check = (async () => {
      await sql`select 1`.execute(db);
      return pendingMigrations(db);
    })().then((pending) => ({ pending }), () => 'database unreachable' as const);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'database not answering'>((r) => (timer = setTimeout(() => r('database not answering'), READY_DEADLINE_MS)));
    const r = await Promise.race([check, late]).finally(() => clearTimeout(timer));
    if (typeof r === 'string') return reply.code(503).header('retry-after', '5').send({ status: 'not_ready' as const, reason: r });
    if (r.pending.length) return reply.code(503).send({ status: 'not_ready' as const, reason: `pending migrations: ${r.pending.join(', ')}` });
    return { status: 'ready' as const };
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
