import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../../lib/http.ts';
import type { OncallChangeService } from './changes.service.ts';
import { Pattern } from './pattern.ts';
import type { OncallService } from './service.ts';

const tags = ['oncall'];
const IdParam = z.object({ id: z.uuid() });
const PatternKind = z.enum(['business_hours', 'duty_officer', 'shifts_24x7', 'follow_the_sun']);

const RotaBody = z.object({
  name: z.string().trim().min(1).max(120),
  description: z.string().max(2000).optional(),
  timeZone: z.string().min(1).max(64).describe('IANA time zone of the rota, e.g. Europe/Berlin'),
  pattern: Pattern,
  members: z.array(z.uuid()).max(50).default([]).describe('ordered team members (follow-the-sun: each region has its own)'),
  anchorDate: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a date YYYY-MM-DD').refine((s) => new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s, 'a real date')
    .describe('rotation counts from this local date: its first shift goes to the first member'),
});

const Warning = z.object({
  kind: z.enum(['gap', 'overlap']),
  occurrences: z.number().int().describe('how many stretches in the coming year'),
  first: z.object({ start: z.date(), end: z.date() }),
});

const Rota = z.object({
  id: z.uuid(), name: z.string(), description: z.string(), timeZone: z.string(), pattern: Pattern,
  members: z.array(z.string()), anchorDate: z.string(), version: z.number().int(), createdAt: z.date(), updatedAt: z.date(),
  people: z.array(z.object({ id: z.string(), displayName: z.string() })),
  warnings: z.array(Warning).describe('gaps and overlaps the pattern makes over the coming year (daylight-saving changes on different dates)'),
}).meta({ id: 'OncallRota' });

const Shift = z.object({
  start: z.date(), end: z.date(), userId: z.string(), displayName: z.string(), scheduledUserId: z.string().nullable(),
  source: z.enum(['rota', 'swap', 'override']), region: z.string().nullable(), overrideId: z.string().nullable(), swapId: z.string().nullable(),
});

const Override = z.object({
  id: z.uuid(), rotaId: z.uuid(), userId: z.uuid(), startsAt: z.date(), endsAt: z.date(), note: z.string(), createdBy: z.string().nullable(), createdAt: z.date(),
}).meta({ id: 'OncallOverride' });

const Swap = z.object({
  id: z.uuid(), rotaId: z.uuid(), shiftStart: z.date(), shiftEnd: z.date(), fromUserId: z.uuid(), toUserId: z.uuid(),
  status: z.enum(['requested', 'accepted', 'declined']), note: z.string(), requestedBy: z.string().nullable(), requestedAt: z.date(),
  decidedBy: z.string().nullable(), decidedAt: z.date().nullable(),
}).meta({ id: 'OncallSwap' });

const Instant = z.coerce.date().refine((d) => !Number.isNaN(d.getTime()), 'an ISO 8601 instant');

/** On-call: rotas, their shifts, who is on duty now, overrides and swaps. */
export const oncallRoutes: FastifyPluginAsyncZod<{ oncall: OncallService; changes: OncallChangeService }> = async (app, { oncall, changes }) => {
  app.get('/oncall/now', {
    schema: {
      operationId: 'oncall.now', tags, summary: 'Who is on duty now in every rota, and which rotas nobody covers now',
      response: {
        200: z.object({
          at: z.date(),
          rotas: z.array(z.object({
            rota: z.object({ id: z.uuid(), name: z.string(), timeZone: z.string(), kind: PatternKind }),
            onDuty: z.array(z.object({ userId: z.string(), displayName: z.string(), since: z.date(), until: z.date(), source: z.enum(['rota', 'swap', 'override']), region: z.string().nullable() })),
            nextCoverAt: z.date().nullable().describe('when nobody is on duty: when cover starts again (within 8 days)'),
          })),
          uncoveredRotas: z.array(z.uuid()),
        }),
      },
    },
  }, (req) => oncall.now(actorOf(req)));

  app.get('/oncall/rotas', {
    schema: { operationId: 'oncall.rotas.list', tags, summary: 'Every rota, by name', response: { 200: z.object({ items: z.array(Rota) }) } },
  }, async (req) => ({ items: await oncall.list(actorOf(req)) }));

  app.post('/oncall/rotas', {
    schema: { operationId: 'oncall.rotas.create', tags, summary: 'Create a rota (managers)', body: RotaBody, response: { 201: Rota } },
  }, async (req, reply) => reply.code(201).send(await oncall.create(actorOf(req), req.body)));

  app.get('/oncall/rotas/:id', {
    schema: { operationId: 'oncall.rotas.get', tags, summary: 'One rota', params: IdParam, response: { 200: Rota } },
  }, (req) => oncall.get(actorOf(req), req.params.id));

  app.put('/oncall/rotas/:id', {
    schema: {
      operationId: 'oncall.rotas.update', tags, summary: 'Replace a rota\'s settings (managers); a stale version gets 409',
      params: IdParam, body: RotaBody.extend({ version: z.number().int().min(1) }), response: { 200: Rota },
    },
  }, (req) => oncall.update(actorOf(req), req.params.id, req.body));

  app.delete('/oncall/rotas/:id', {
    schema: {
      operationId: 'oncall.rotas.delete', tags, summary: 'Delete a rota with its overrides and swaps (managers)',
      params: IdParam, querystring: z.object({ version: z.coerce.number().int().min(1) }), response: { 204: z.null() },
    },
  }, async (req, reply) => {
    await oncall.remove(actorOf(req), req.params.id, req.query.version);
    return reply.code(204).send(null);
  });

  app.get('/oncall/rotas/:id/shifts', {
    schema: {
      operationId: 'oncall.rotas.shifts', tags, summary: 'The shifts of a rota between two instants (at most 62 days), overrides and swaps applied, and what nobody covers',
      params: IdParam, querystring: z.object({ from: Instant, to: Instant }),
      response: { 200: z.object({ rota: Rota, from: z.date(), to: z.date(), shifts: z.array(Shift), uncovered: z.array(z.object({ start: z.date(), end: z.date() })) }) },
    },
  }, (req) => oncall.shifts(actorOf(req), req.params.id, req.query.from, req.query.to));

  app.get('/oncall/rotas/:id/overrides', {
    schema: { operationId: 'oncall.overrides.list', tags, summary: 'Overrides of a rota (from a month ago on)', params: IdParam, response: { 200: z.object({ items: z.array(Override) }) } },
  }, async (req) => ({ items: await changes.listOverrides(actorOf(req), req.params.id) }));

  app.post('/oncall/rotas/:id/overrides', {
    schema: {
      operationId: 'oncall.overrides.create', tags, summary: 'Someone else covers a period (managers); overlapping overrides of one rota get 409',
      params: IdParam, body: z.object({ userId: z.uuid(), startsAt: Instant, endsAt: Instant, note: z.string().max(500).optional() }), response: { 201: Override },
    },
  }, async (req, reply) => reply.code(201).send(await changes.createOverride(actorOf(req), req.params.id, req.body)));

  app.delete('/oncall/overrides/:id', {
    schema: { operationId: 'oncall.overrides.delete', tags, summary: 'Remove an override (managers)', params: IdParam, response: { 204: z.null() } },
  }, async (req, reply) => {
    await changes.removeOverride(actorOf(req), req.params.id);
    return reply.code(204).send(null);
  });

  app.get('/oncall/rotas/:id/swaps', {
    schema: { operationId: 'oncall.swaps.list', tags, summary: 'Swaps of a rota (from a month ago on)', params: IdParam, response: { 200: z.object({ items: z.array(Swap) }) } },
  }, async (req) => ({ items: await changes.listSwaps(actorOf(req), req.params.id) }));

  app.post('/oncall/rotas/:id/swaps', {
    schema: {
      operationId: 'oncall.swaps.request', tags,
      summary: 'Ask another member to take one of your shifts (named by its start); managers may ask for anyone\'s and apply at once',
      params: IdParam,
      body: z.object({
        shiftStart: Instant, toUserId: z.uuid(), fromUserId: z.uuid().optional().describe('whose shift; yours unless you manage on-call'),
        note: z.string().max(500).optional(), apply: z.boolean().optional().describe('managers: accepted at once'),
      }),
      response: { 201: Swap },
    },
  }, async (req, reply) => reply.code(201).send(await changes.requestSwap(actorOf(req), req.params.id, req.body)));

  app.post('/oncall/swaps/:id/accept', {
    schema: { operationId: 'oncall.swaps.accept', tags, summary: 'Take the shift you were asked to (or, managers, accept for them)', params: IdParam, response: { 200: Swap } },
  }, (req) => changes.decideSwap(actorOf(req), req.params.id, 'accepted'));

  app.post('/oncall/swaps/:id/decline', {
    schema: { operationId: 'oncall.swaps.decline', tags, summary: 'Decline a swap you were asked (or withdraw your own request)', params: IdParam, response: { 200: Swap } },
  }, (req) => changes.decideSwap(actorOf(req), req.params.id, 'declined'));
};
