import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../../lib/http.ts';
import { csv, IdParam } from '../../lib/schemas.ts';
import type { DeliveryService } from './service.ts';

const tags = ['deliveries'];
const StatusEnum = z.enum(['queued', 'sending', 'sent', 'failed']);
const KindParam = z.string().regex(/^[a-z][a-z_.]{0,59}$/);

const Fields = {
  id: z.uuid(),
  kind: z.string().describe('reporter_mail, notification, kpi_report, reporter_mail.incident_event, notification.incident_event, …'),
  via: z.enum(['smtp', 'http', 'internal']),
  recipient: z.string(),
  summary: z.string().describe('the subject, or what the queued work is'),
  status: StatusEnum,
  attempts: z.number().int(),
  nextAttemptAt: z.date(),
  lastError: z.string().nullable(),
  sentAt: z.date().nullable(),
  createdAt: z.date(),
};
const Delivery = z.object(Fields).meta({ id: 'Delivery' });
const DeliveryDetail = z
  .object({
    ...Fields,
    attemptLog: z.array(z.object({ at: z.date(), outcome: z.enum(['sent', 'deferred', 'failed', 'abandoned']), response: z.string().nullable(), code: z.number().int().nullable() })),
  })
  .meta({ id: 'DeliveryDetail' });

export const deliveryRoutes: FastifyPluginAsyncZod<{ deliveries: DeliveryService }> = async (app, { deliveries }) => {
  app.get('/deliveries', {
    schema: {
      operationId: 'deliveries.list', tags, summary: 'Deliveries of every kind, newest first (filter status=failed for the failed ones)',
      querystring: z.object({
        kind: csv(KindParam),
        status: csv(StatusEnum),
        limit: z.coerce.number().int().min(1).max(200).default(50),
        cursor: z.string().max(200).optional(),
      }),
      response: { 200: z.object({ items: z.array(Delivery), nextCursor: z.string().nullable(), relayConfigured: z.boolean() }) },
    },
  }, async (req) => deliveries.list(actorOf(req), req.query));

  app.get('/deliveries/:id', {
    schema: { operationId: 'deliveries.get', tags, summary: 'One delivery with every attempt', params: IdParam, response: { 200: DeliveryDetail } },
  }, async (req) => deliveries.get(actorOf(req), req.params.id));

  app.post('/deliveries/:id/retry', {
    schema: { operationId: 'deliveries.retry', tags, summary: 'Work a queued or failed delivery now, with a fresh budget of attempts', params: IdParam, response: { 200: DeliveryDetail } },
  }, async (req) => deliveries.retry(actorOf(req), req.params.id));
};
