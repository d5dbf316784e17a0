import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../../lib/http.ts';
import { csv, IdParam, NoContent } from '../../lib/schemas.ts';
import type { ChannelService } from './channels.service.ts';
import { EVENTS } from './events.ts';
import { BODY_MAX, SUBJECT_MAX } from './render.ts';
import type { NotificationService } from './service.ts';

const tags = ['notifications'];
const EventEnum = z.enum(EVENTS);
const StatusEnum = z.enum(['queued', 'sending', 'sent', 'failed']);
const MediumEnum = z.enum(['in_app', 'email', 'webhook']);
const KindEnum = z.enum(['webhook', 'slack', 'mattermost', 'matrix']);

const InboxItem = z.object({ id: z.uuid(), event: z.string(), subject: z.string(), body: z.string(), link: z.string().nullable(), readAt: z.date().nullable(), createdAt: z.date() }).meta({ id: 'InboxNotification' });
const Prefs = z.object({
  hasEmail: z.boolean(),
  items: z.array(z.object({ event: EventEnum, label: z.string(), email: z.boolean(), inApp: z.boolean() })),
}).meta({ id: 'NotificationPreferences' });

const Channel = z.object({
  id: z.uuid(), name: z.string(), kind: KindEnum,
  url: z.string().describe('Slack and Mattermost URLs carry a token: only their origin is shown'),
  roomId: z.string().nullable(), events: z.array(z.string()), enabled: z.boolean(), hasSecret: z.boolean(), version: z.number().int(), createdAt: z.date(), updatedAt: z.date(),
}).meta({ id: 'NotificationChannel' });
const ChannelFields = {
  name: z.string().trim().min(1).max(100),
  kind: KindEnum,
  url: z.string().trim().min(8).max(2000),
  roomId: z.string().trim().min(3).max(255).nullable(),
  secret: z.string().min(8).max(500).nullable().describe('HMAC key (webhook) or access token (Matrix); write-only'),
  events: z.array(EventEnum).max(EVENTS.length),
  enabled: z.boolean(),
};

const Template = z.object({
  event: EventEnum, label: z.string(), variables: z.array(z.string()), default: z.object({ subject: z.string(), body: z.string() }),
  subject: z.string(), body: z.string(), isDefault: z.boolean(), version: z.number().int(),
}).meta({ id: 'NotificationTemplate' });

const DeliveryFields = {
  id: z.uuid(), event: z.string(), dedupeKey: z.string(), medium: MediumEnum, recipient: z.string(), userId: z.uuid().nullable(), channelId: z.uuid().nullable(),
  address: z.string().nullable(), subject: z.string(), link: z.string().nullable(), status: StatusEnum, attempts: z.number().int(), nextAttemptAt: z.date(),
  lastError: z.string().nullable(), sentAt: z.date().nullable(), readAt: z.date().nullable(), createdAt: z.date(),
};
const Delivery = z.object(DeliveryFields).meta({ id: 'NotificationDelivery' });
const DeliveryDetail = z.object({
  ...DeliveryFields, body: z.string(),
  attemptLog: z.array(z.object({ at: z.date(), outcome: z.enum(['sent', 'deferred', 'failed', 'abandoned']), response: z.string().nullable(), code: z.number().int().nullable() })),
}).meta({ id: 'NotificationDeliveryDetail' });

export const notificationRoutes: FastifyPluginAsyncZod<{ notifications: NotificationService; channels: ChannelService }> = async (app, { notifications, channels }) => {
  // Everyone's own inbox and preferences.
  app.get('/notifications', {
    schema: {
      operationId: 'notifications.inbox', tags, summary: 'My in-app notifications, newest first, with the unread count',
      querystring: z.object({ unread: z.enum(['true', 'false']).transform((v) => v === 'true').optional(), limit: z.coerce.number().int().min(1).max(100).default(30), cursor: z.string().max(200).optional() }),
      response: { 200: z.object({ items: z.array(InboxItem), unread: z.number().int(), nextCursor: z.string().nullable() }) },
    },
  }, async (req) => notifications.inbox(actorOf(req), req.query));

  app.get('/notifications/unread-count', {
    schema: { operationId: 'notifications.unreadCount', tags, summary: 'How many of my notifications are unread', response: { 200: z.object({ unread: z.number().int() }) } },
  }, async (req) => notifications.unreadCount(actorOf(req)));

  app.post('/notifications/read', {
    schema: {
      operationId: 'notifications.markRead', tags, summary: 'Mark some or all of my notifications read',
      body: z.union([z.object({ ids: z.array(z.uuid()).min(1).max(200) }).strict(), z.object({ all: z.literal(true) }).strict()]),
      response: { 200: z.object({ marked: z.number().int(), unread: z.number().int() }) },
    },
  }, async (req) => notifications.markRead(actorOf(req), 'all' in req.body ? 'all' : req.body.ids));

  app.get('/account/notification-preferences', {
    schema: { operationId: 'notificationPreferences.get', tags, summary: 'My notification preferences per event kind', response: { 200: Prefs } },
  }, async (req) => notifications.preferences(actorOf(req)));

  app.put('/account/notification-preferences', {
    schema: {
      operationId: 'notificationPreferences.update', tags, summary: 'Set my notification preferences',
      body: z.object({ items: z.array(z.object({ event: EventEnum, email: z.boolean(), inApp: z.boolean() }).strict()).min(1).max(EVENTS.length) }).strict(),
      response: { 200: Prefs },
    },
  }, async (req) => notifications.setPreferences(actorOf(req), req.body.items));

  // Admins: channels.
  app.get('/notification-channels', {
    schema: { operationId: 'notificationChannels.list', tags, summary: 'Webhook, Slack, Mattermost and Matrix channels', response: { 200: z.object({ items: z.array(Channel), events: z.array(z.string()) }) } },
  }, async (req) => channels.list(actorOf(req)));

  app.post('/notification-channels', {
    schema: {
      operationId: 'notificationChannels.create', tags, summary: 'Add a channel',
      body: z.object({ ...ChannelFields, roomId: ChannelFields.roomId.optional(), secret: ChannelFields.secret.optional(), events: ChannelFields.events.default([]), enabled: ChannelFields.enabled.default(true) }).strict(),
      response: { 201: Channel },
    },
  }, async (req, reply) => reply.code(201).send(await channels.create(actorOf(req), req.body)));

  app.get('/notification-channels/:id', {
    schema: { operationId: 'notificationChannels.get', tags, summary: 'One channel', params: IdParam, response: { 200: Channel } },
  }, async (req) => channels.get(actorOf(req), req.params.id));

  app.patch('/notification-channels/:id', {
    schema: {
      operationId: 'notificationChannels.update', tags, summary: 'Change a channel (secret: omitted keeps it, null removes it)', params: IdParam,
      body: z.object({ ...Object.fromEntries(Object.entries(ChannelFields).map(([k, v]) => [k, v.optional()])) as { [K in keyof typeof ChannelFields]: z.ZodOptional<(typeof ChannelFields)[K]> }, version: z.number().int().min(1) }).strict(),
      response: { 200: Channel },
    },
  }, async (req) => channels.update(actorOf(req), req.params.id, req.body));

  app.delete('/notification-channels/:id', {
    schema: { operationId: 'notificationChannels.delete', tags, summary: 'Delete a channel (its deliveries stay in the log)', params: IdParam, response: { 204: NoContent } },
  }, async (req, reply) => {
    await channels.remove(actorOf(req), req.params.id);
    return reply.code(204).send(null);
  });

  app.post('/notification-channels/:id/test', {
    schema: { operationId: 'notificationChannels.test', tags, summary: 'Queue a test message to the channel', params: IdParam, response: { 202: z.object({ deliveryId: z.uuid() }) } },
  }, async (req, reply) => reply.code(202).send(await channels.test(actorOf(req), req.params.id)));

  // Admins: templates.
  app.get('/notification-templates', {
    schema: { operationId: 'notificationTemplates.list', tags, summary: 'The template of every event kind, its default and its variables', response: { 200: z.object({ items: z.array(Template) }) } },
  }, async (req) => notifications.templates(actorOf(req)));

  app.put('/notification-templates/:event', {
    schema: {
      operationId: 'notificationTemplates.update', tags, summary: 'Change a template (template null: back to the default)',
      params: z.object({ event: EventEnum }),
      body: z.object({
        template: z.object({
          subject: z.string().trim().min(1).max(SUBJECT_MAX).refine((s) => !/[\r\n]/.test(s), 'a subject is one line'),
          body: z.string().min(1).max(BODY_MAX),
        }).strict().nullable(),
        version: z.number().int().min(0).describe('the version read; 0 when it was the default'),
      }).strict(),
      response: { 200: Template },
    },
  }, async (req) => notifications.setTemplate(actorOf(req), req.params.event, req.body));

  // The delivery log.
  app.get('/notification-deliveries', {
    schema: {
      operationId: 'notificationDeliveries.list', tags, summary: 'Every notification delivery, newest first',
      querystring: z.object({
        status: csv(StatusEnum), event: csv(EventEnum), medium: csv(MediumEnum),
        recipient: z.string().trim().min(1).max(320).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50), cursor: z.string().max(200).optional(),
      }),
      response: { 200: z.object({ items: z.array(Delivery), nextCursor: z.string().nullable(), relayConfigured: z.boolean() }) },
    },
  }, async (req) => notifications.deliveries(actorOf(req), req.query));

  app.get('/notification-deliveries/:id', {
    schema: { operationId: 'notificationDeliveries.get', tags, summary: 'One delivery with its body and every attempt', params: IdParam, response: { 200: DeliveryDetail } },
  }, async (req) => notifications.delivery(actorOf(req), req.params.id));

  app.post('/notification-deliveries/:id/retry', {
    schema: { operationId: 'notificationDeliveries.retry', tags, summary: 'Send a queued or failed delivery now, with a fresh budget of attempts', params: IdParam, response: { 200: DeliveryDetail } },
  }, async (req) => notifications.retry(actorOf(req), req.params.id));
};
