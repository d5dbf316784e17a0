import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../../lib/http.ts';
import { decodeCursor, type AuditService } from './service.ts';

const tags = ['audit'];
const AuditRecord = z
  .object({
    seq: z.number().int(), at: z.date(), actorId: z.string().nullable(), actorName: z.string(), action: z.string(),
    entity: z.string(), entityId: z.string().nullable(), before: z.unknown(), after: z.unknown(),
    ip: z.string().nullable(), requestId: z.string().nullable(), prevHash: z.string(), hash: z.string(),
  })
  .meta({ id: 'AuditRecord' });
const ListQuery = z.object({
  actor: z.string().trim().min(1).max(100).optional().describe('user id or username'),
  action: z.string().max(100).optional(),
  entity: z.string().max(100).optional(),
  entityId: z.string().max(200).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(100).optional(),
});

export const auditRoutes: FastifyPluginAsyncZod<{ audit: AuditService }> = async (app, { audit }) => {
  app.get('/audit', {
    schema: {
      operationId: 'audit.list', tags, summary: 'Audit records, newest first', querystring: ListQuery,
      response: { 200: z.object({ items: z.array(AuditRecord), nextCursor: z.string().nullable() }) },
    },
  }, async (req) => {
    const q = req.query;
    return audit.list(actorOf(req), {
      actor: q.actor, action: q.action, entity: q.entity, entityId: q.entityId, from: q.from, to: q.to,
      limit: q.limit, beforeSeq: q.cursor ? decodeCursor(q.cursor) : undefined,
    });
  });

  app.get('/audit/verify', {
    schema: {
      operationId: 'audit.verify', tags, summary: 'Check the whole hash chain',
      response: {
        200: z.object({
          ok: z.boolean(), checked: z.number().int(), headSeq: z.number().int(),
          firstBroken: z.object({ seq: z.number().int(), reason: z.string() }).optional(),
        }),
      },
    },
  }, async (req) => audit.verify(actorOf(req)));
};
