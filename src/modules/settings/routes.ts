import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../../lib/http.ts';
import type { SettingsService } from './service.ts';

const Settings = z.object({ teamName: z.string(), requireMfa: z.boolean() }).meta({ id: 'Settings' });
const tags = ['settings'];

export const settingsRoutes: FastifyPluginAsyncZod<{ settings: SettingsService }> = async (app, { settings }) => {
  app.get('/settings', {
    schema: { operationId: 'settings.get', tags, summary: 'Team settings', response: { 200: Settings } },
  }, async (req) => settings.get(actorOf(req)));

  app.patch('/settings', {
    schema: {
      operationId: 'settings.update', tags, summary: 'Change team settings',
      body: z
        .object({ teamName: z.string().trim().min(1).max(120).optional(), requireMfa: z.boolean().optional() })
        .refine((b) => Object.keys(b).length > 0, 'names nothing to change'),
      response: { 200: Settings },
    },
  }, async (req) => settings.update(actorOf(req), req.body));
};
