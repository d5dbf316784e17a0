import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../../lib/http.ts';
import { isTimeZone } from '../../lib/tz.ts';
import type { SettingsService } from './service.ts';

const Priority = z.enum(['P1', 'P2', 'P3', 'P4']);

const LevelRow = z.object({ low: Priority, medium: Priority, high: Priority, critical: Priority });
const Matrix = z
  .object({ low: LevelRow, medium: LevelRow, high: LevelRow, critical: LevelRow })
  .describe('priority by impact (outer) and urgency (inner)');
const Settings = z
  .object({ teamName: z.string(), requireMfa: z.boolean(), incidentPrefix: z.string(), priorityMatrix: Matrix.nullable(), timeZone: z.string() })
  .meta({ id: 'Settings' });
const tags = ['settings'];

export const settingsRoutes: FastifyPluginAsyncZod<{ settings: SettingsService }> = async (app, { settings }) => {
  app.get('/settings', {
    schema: { operationId: 'settings.get', tags, summary: 'Team settings', response: { 200: Settings } },
  }, async (req) => settings.get(actorOf(req)));

  app.patch('/settings', {
    schema: {
      operationId: 'settings.update', tags, summary: 'Change team settings',
      body: z
        .object({
          teamName: z.string().trim().min(1).max(120).optional(),
          requireMfa: z.boolean().optional(),
          incidentPrefix: z.string().regex(/^[A-Z][A-Z0-9]{1,11}$/, '2-12 capital letters or digits, starting with a letter').optional(),
          priorityMatrix: Matrix.nullable().optional(),
          timeZone: z.string().refine(isTimeZone, 'an IANA time zone such as Europe/Berlin').optional(),
        })
        .refine((b) => Object.keys(b).length > 0, 'names nothing to change'),
      response: { 200: Settings },
    },
  }, async (req) => settings.update(actorOf(req), req.body));
};
