import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../../lib/http.ts';
import { IdParam, NoContent } from '../../lib/schemas.ts';
import { IncidentParam, IncidentRoleEnum, PriorityEnum, Version } from '../incidents/index.ts';
import { SEATS } from './policy.ts';
import type { EscalationService } from './service.ts';

const tags = ['escalation'];

// Each recipient kind has exactly its fields: a stray one ({kind:'seat', seat, userId}) is refused,
// not dropped, since whoever sent it meant someone the policy would never page.
const Recipient = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('seat'), seat: z.enum(SEATS) }).describe('everyone holding a seat of the team'),
  z.strictObject({ kind: z.literal('rota'), rotaId: z.uuid() }).describe('whoever is on duty in this rota then'),
  z.strictObject({ kind: z.literal('on_duty') }).describe('whoever is on duty in any rota then'),
  z.strictObject({ kind: z.literal('user'), userId: z.uuid() }),
  z.strictObject({ kind: z.literal('incident_role'), role: IncidentRoleEnum }).describe("the incident's holders of this role"),
  z.strictObject({ kind: z.literal('contact'), contactId: z.uuid() }).describe('an external contact, by e-mail'),
  z.strictObject({ kind: z.literal('channel'), channelId: z.uuid() }).describe('a notification channel (webhook)'),
]).meta({ id: 'EscalationRecipient' });

const Trigger = z.enum(['declared', 'sla_at_risk'])
  .describe("what starts it: 'declared' (declared, reopened or raised priority) or 'sla_at_risk' (an SLA warning or breach with no escalation running)");

/** Items named once each (compared by value): a repeat would page nobody more and hides a mistake. */
const onceEach = <T>(a: T[]) => new Set(a.map((v) => JSON.stringify(v))).size === a.length;

const Level = z.object({
  delayMinutes: z.number().int().min(0).max(10_080).describe('minutes after the previous level (the first: after the escalation starts)'),
  recipients: z.array(Recipient).min(1).max(20).refine(onceEach, 'each recipient once'),
});

const PolicyIn = z.object({
  name: z.string().trim().min(1).max(100),
  description: z.string().max(2000).default(''),
  priorities: z.array(PriorityEnum).min(1).max(PriorityEnum.options.length).refine(onceEach, 'each priority once'),
  rsitClasses: z.array(z.string().min(1).max(100)).max(20).refine(onceEach, 'each class once').default([]).describe('RSIT classes it applies to; empty: any'),
  trigger: Trigger.default('declared'),
  repeatCount: z.number().int().min(0).max(10).default(2).describe('rounds after the first while nobody acknowledges'),
  repeatAfterMinutes: z.number().int().min(1).max(1440).default(30),
  thenPolicyId: z.uuid().nullable().default(null).describe('continue with this policy when the rounds run out'),
  enabled: z.boolean().default(true),
  levels: z.array(Level).min(1).max(20),
});

const Policy = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  priorities: z.array(PriorityEnum).describe('P1..P4 (the table checks it)'),
  rsitClasses: z.array(z.string()),
  trigger: Trigger,
  repeatCount: z.number().int(),
  repeatAfterMinutes: z.number().int(),
  thenPolicyId: z.uuid().nullable(),
  enabled: z.boolean(),
  levels: z.array(z.object({
    position: z.number().int(), delayMinutes: z.number().int(),
    recipients: z.array(z.looseObject({ kind: z.string() })).describe('as EscalationRecipient'),
  })),
  version: z.number().int(),
  createdAt: z.date(),
  updatedAt: z.date(),
  updatedBy: z.uuid().nullable(),
}).meta({ id: 'EscalationPolicy' });

const Run = z.object({
  id: z.uuid(),
  incidentId: z.uuid(),
  policyId: z.uuid(),
  policyName: z.string().nullable(),
  levels: z.number().int(),
  state: z.enum(['active', 'acknowledged', 'exhausted', 'cancelled']),
  level: z.number().int().describe('the next level to notify'),
  round: z.number().int(),
  nextAt: z.date().nullable(),
  startedAt: z.date(),
  lastNotifiedAt: z.date().nullable(),
  acknowledgedAt: z.date().nullable(),
  acknowledgedBy: z.uuid().nullable(),
  endedAt: z.date().nullable(),
}).meta({ id: 'EscalationRun' });

export const escalationRoutes: FastifyPluginAsyncZod<{ escalation: EscalationService }> = async (app, { escalation }) => {
  app.get('/escalation/policies', {
    schema: { operationId: 'escalationPolicies.list', tags, summary: 'Escalation policies, by name', response: { 200: z.object({ items: z.array(Policy) }) } },
  }, async (req) => ({ items: await escalation.listPolicies(actorOf(req)) }));

  app.get('/escalation/policies/:id', {
    schema: { operationId: 'escalationPolicies.get', tags, summary: 'One escalation policy with its levels', params: IdParam, response: { 200: Policy } },
  }, async (req) => escalation.getPolicy(actorOf(req), req.params.id));

  app.post('/escalation/policies', {
    schema: { operationId: 'escalationPolicies.create', tags, summary: 'Create an escalation policy', body: PolicyIn, response: { 201: Policy } },
  }, async (req, reply) => reply.code(201).send(await escalation.createPolicy(actorOf(req), req.body)));

  app.put('/escalation/policies/:id', {
    schema: {
      operationId: 'escalationPolicies.replace', tags, summary: 'Replace a policy and its levels (409 on a stale version)',
      params: IdParam, body: PolicyIn.extend({ version: Version }), response: { 200: Policy },
    },
  }, async (req) => escalation.updatePolicy(actorOf(req), req.params.id, req.body));

  app.delete('/escalation/policies/:id', {
    schema: { operationId: 'escalationPolicies.delete', tags, summary: 'Delete a policy nothing uses (disable it otherwise)', params: IdParam, response: { 204: NoContent } },
  }, async (req, reply) => {
    await escalation.deletePolicy(actorOf(req), req.params.id);
    return reply.code(204).send(null);
  });

  app.get('/incidents/:id/escalations', {
    schema: { operationId: 'incidents.escalations', tags, summary: "The incident's escalations, newest first", params: IncidentParam, response: { 200: z.object({ items: z.array(Run) }) } },
  }, async (req) => ({ items: await escalation.runs(actorOf(req), req.params.id) }));

  app.post('/incidents/:id/escalation/acknowledge', {
    schema: {
      operationId: 'incidents.escalation.acknowledge', tags, summary: 'Acknowledge the running escalation: no further levels or rounds',
      params: IncidentParam, response: { 200: Run.omit({ policyName: true, levels: true }) },
    },
  }, async (req) => escalation.acknowledge(actorOf(req), req.params.id));
};
