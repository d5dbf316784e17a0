import { z } from 'zod';
import { csv } from '../../lib/schemas.ts';
import { TLP_ORDER } from '../../lib/tlp.ts';

export const Level = z.enum(['low', 'medium', 'high', 'critical']);
export const PriorityEnum = z.enum(['P1', 'P2', 'P3', 'P4']);
export const TlpEnum = z.enum(TLP_ORDER).describe('TLP 2.0');
export const PapEnum = z.enum(['CLEAR', 'GREEN', 'AMBER', 'RED']).describe('Permissible Actions Protocol');
export const StatusEnum = z.enum(['new', 'triage', 'analysis', 'containment', 'eradication', 'recovery', 'closed']);
export const OpenStatusEnum = z.enum(['new', 'triage', 'analysis', 'containment', 'eradication', 'recovery']);
export const ResolutionEnum = z.enum(['resolved', 'false_positive', 'duplicate', 'outside_mandate', 'no_action_possible']);
export const IncidentRoleEnum = z.enum(['commander', 'coordinator', 'technical_lead', 'analyst', 'scribe', 'communications', 'legal', 'management_liaison']);

/** An incident's id or its reference (VIG-2026-00042). */
export const IncidentParam = z.object({
  id: z.union([z.uuid(), z.string().regex(/^[A-Z][A-Z0-9]{1,11}-\d{4}-\d{5,}$/, 'an incident id or reference')]),
});
export const Version = z.number().int().min(1).describe('the version you read; a stale one gets 409');

export const ClassificationIn = z.object({
  class: z.string().min(1).max(60),
  type: z.string().min(1).max(60),
  primary: z.boolean().optional(),
});

export const IncidentActions = z
  .object({
    write: z.boolean().describe('notes, communications, roles, key times, lessons learned, evidence hand-over (any status)'),
    update: z.boolean().describe('edit, move, assign, tasks, observables, links, evidence upload, SLA pause (while open)'),
    close: z.boolean(),
    reopen: z.boolean(),
    downloadEvidence: z.boolean(),
    acknowledgeEscalation: z.boolean(),
  })
  .describe("what the caller may do to this incident, from the caller's roles and the incident's status (the API checks each call regardless)")
  .meta({ id: 'IncidentActions' });

export const IncidentView = z
  .object({
    id: z.uuid(),
    reference: z.string(),
    title: z.string(),
    summary: z.string(),
    status: StatusEnum,
    resolution: ResolutionEnum.nullable(),
    duplicateOf: z.uuid().nullable(),
    impact: Level,
    urgency: Level,
    priority: PriorityEnum,
    tlp: TlpEnum,
    pap: PapEnum,
    constituent: z.string().nullable(),
    exercise: z.boolean(),
    keyTimes: z.object({
      firstCompromiseAt: z.date().nullable(),
      detectedAt: z.date().nullable(),
      containedAt: z.date().nullable(),
      recoveredAt: z.date().nullable(),
    }),
    classifications: z.array(z.object({ class: z.string(), type: z.string(), primary: z.boolean() })),
    roles: z.array(z.object({ role: IncidentRoleEnum, userId: z.uuid(), username: z.string(), displayName: z.string(), assignedAt: z.date() })),
    assignee: z.object({ userId: z.uuid(), username: z.string(), displayName: z.string() }).nullable().describe('who owns the incident in the queue'),
    version: z.number().int(),
    createdBy: z.uuid().nullable(),
    createdAt: z.date(),
    updatedAt: z.date(),
    closedAt: z.date().nullable(),
    allowed: IncidentActions,
  })
  .meta({ id: 'Incident' });

export const TimelineEntry = z
  .object({
    id: z.number().int(),
    incidentId: z.uuid().describe('the incident the entry was written on (an incident merged into this one, for merged timelines)'),
    kind: z.string(),
    at: z.date(),
    occurredAt: z.date().nullable(),
    actorId: z.string().nullable(),
    actorName: z.string(),
    tlp: TlpEnum.nullable(),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'TimelineEntry' });

export const Lessons = z
  .object({
    whatHappened: z.string().trim().min(1).max(20_000),
    wentWell: z.string().trim().min(1).max(20_000),
    toImprove: z.string().trim().min(1).max(20_000),
    actions: z
      .array(z.object({ action: z.string().trim().min(1).max(2000), ownerId: z.uuid(), dueAt: z.iso.datetime().optional() }))
      .max(100),
  })
  .meta({ id: 'LessonsLearned' });

export const ListQuery = z.object({
  status: csv(StatusEnum),
  open: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  priority: csv(PriorityEnum),
  tlp: csv(TlpEnum),
  exercise: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  class: z.string().max(60).optional(),
  type: z.string().max(60).optional(),
  constituent: z.string().max(200).optional(),
  roleHolder: z.union([z.uuid(), z.literal('me')]).optional(),
  assignee: z.union([z.uuid(), z.literal('me'), z.literal('none')]).optional().describe("a user id, 'me', or 'none' for unassigned incidents"),
  createdFrom: z.coerce.date().optional().describe('created at or after'),
  createdTo: z.coerce.date().optional().describe('created before'),
  sort: z.enum(['newest', 'oldest', 'updated', 'priority']).default('newest'),
  q: z.string().trim().min(1).max(500).optional().describe('full-text search over titles, summaries and notes'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
