import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../../lib/http.ts';
import { csv, IdParam } from '../../lib/schemas.ts';
import type { MailService } from './service.ts';
import { BODY_MAX, SUBJECT_MAX } from './templates.ts';

const tags = ['mail'];
const KindEnum = z.enum(['receipt', 'update']);
const MailStatusEnum = z.enum(['queued', 'sending', 'sent', 'failed']);

const TemplateIn = z.object({
  subject: z.string().trim().min(1).max(SUBJECT_MAX).refine((s) => !/[\r\n]/.test(s), 'a subject is one line'),
  body: z.string().min(1).max(BODY_MAX),
});
const TemplateOut = z.object({ subject: z.string(), body: z.string() });
const Templates = z
  .object({
    templates: z.object({ receipt: TemplateOut.extend({ isDefault: z.boolean() }), update: TemplateOut.extend({ isDefault: z.boolean() }) }),
    defaults: z.object({ receipt: TemplateOut, update: TemplateOut }),
    variables: z.array(z.string()),
  })
  .meta({ id: 'MailTemplates' });

const DeliveryFields = {
  id: z.uuid(),
  kind: KindEnum,
  reportId: z.uuid(),
  reportReference: z.string(),
  incidentId: z.uuid().nullable(),
  recipient: z.string(),
  subject: z.string(),
  messageId: z.string(),
  publicStatus: z.string(),
  status: MailStatusEnum,
  attempts: z.number().int(),
  nextAttemptAt: z.date(),
  lastError: z.string().nullable(),
  sentAt: z.date().nullable(),
  createdAt: z.date(),
};
const Delivery = z.object(DeliveryFields).meta({ id: 'MailDelivery' });
const DeliveryDetail = z
  .object({
    ...DeliveryFields,
    body: z.string().describe('as stored: a private status link shows as {{statusUrl}}'),
    inReplyTo: z.string().nullable(),
    attemptLog: z.array(z.object({ at: z.date(), outcome: z.enum(['sent', 'deferred', 'failed', 'abandoned']), response: z.string().nullable(), smtpCode: z.number().int().nullable() })),
  })
  .meta({ id: 'MailDeliveryDetail' });

export const mailRoutes: FastifyPluginAsyncZod<{ mail: MailService }> = async (app, { mail }) => {
  app.get('/settings/mail-templates', {
    schema: { operationId: 'mailTemplates.get', tags, summary: 'Receipt and update templates, the defaults and the variables', response: { 200: Templates } },
  }, async (req) => mail.templates(actorOf(req)));

  app.put('/settings/mail-templates', {
    schema: {
      operationId: 'mailTemplates.update', tags, summary: 'Change the templates (null: back to the default)',
      body: z
        .object({ receipt: TemplateIn.nullable().optional(), update: TemplateIn.nullable().optional() })
        .strict()
        .refine((b) => b.receipt !== undefined || b.update !== undefined, 'names no template'),
      response: { 200: Templates },
    },
  }, async (req) => mail.setTemplates(actorOf(req), req.body));

  app.get('/mail/deliveries', {
    schema: {
      operationId: 'mailDeliveries.list', tags, summary: 'Outgoing mail, newest first',
      querystring: z.object({
        status: csv(MailStatusEnum),
        limit: z.coerce.number().int().min(1).max(200).default(50),
        cursor: z.string().max(200).optional(),
      }),
      response: { 200: z.object({ items: z.array(Delivery), nextCursor: z.string().nullable(), relayConfigured: z.boolean() }) },
    },
  }, async (req) => mail.deliveries(actorOf(req), req.query));

  app.get('/mail/deliveries/:id', {
    schema: { operationId: 'mailDeliveries.get', tags, summary: 'One delivery with its body and every attempt', params: IdParam, response: { 200: DeliveryDetail } },
  }, async (req) => mail.delivery(actorOf(req), req.params.id));

  app.post('/mail/deliveries/:id/retry', {
    schema: { operationId: 'mailDeliveries.retry', tags, summary: 'Send a queued or failed delivery now, with a fresh budget of attempts', params: IdParam, response: { 200: DeliveryDetail } },
  }, async (req) => mail.retry(actorOf(req), req.params.id));
};
