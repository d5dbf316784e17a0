// The API's schemas of reports, shared by the reports routes and the triage routes.
import { z } from 'zod';
import { Level, StatusEnum, TlpEnum } from '../incidents/index.ts';

export const ChannelEnum = z.enum(['api', 'web_form', 'portal', 'email', 'phone', 'monitoring', 'other']);
export const ReportStatusEnum = z.enum(['new', 'linked', 'merged', 'rejected']);
export const RejectionEnum = z.enum(['not_incident', 'false_positive', 'spam', 'outside_mandate', 'duplicate']);
export const ReportVersion = z.number().int().min(1).describe('the version you read; a stale one gets 409').optional();

/** A report's id or its reference (VIG-R-2026-000042). */
export const ReportParam = z.object({
  reportId: z.union([z.uuid(), z.string().regex(/^[A-Z][A-Z0-9]{1,11}-R-\d{4}-\d{6,}$/, 'a report id or reference')]),
});

/** What the caller may do to a report (the triage module checks each call regardless). */
export const ReportActions = z
  .object({
    link: z.boolean(),
    merge: z.boolean(),
    reject: z.boolean(),
    reopen: z.boolean(),
    declare: z.boolean().describe('declare an incident from it'),
  })
  .describe("what the caller may do to this report, from the caller's roles, the report's status and its incident's (the API checks each call regardless)")
  .meta({ id: 'ReportActions' });

export const TeamReport = z
  .object({
    id: z.uuid(),
    reference: z.string(),
    channel: ChannelEnum,
    source: z.string().nullable(),
    status: ReportStatusEnum,
    title: z.string(),
    body: z.string(),
    tlp: TlpEnum,
    reporterName: z.string().nullable(),
    reporterEmail: z.string().nullable(),
    reporterPhone: z.string().nullable(),
    organisation: z.string().nullable(),
    receivedAt: z.date(),
    urgency: Level.nullable().describe('how urgent the reporter or the duty officer judged it'),
    submittedBy: z.uuid().nullable(),
    incidentId: z.uuid().nullable(),
    incident: z.object({ id: z.uuid(), reference: z.string(), status: StatusEnum }).nullable(),
    mergedInto: z.uuid().nullable(),
    mergedIntoReference: z.string().nullable(),
    rejection: RejectionEnum.nullable(),
    rejectionNote: z.string().nullable(),
    decidedBy: z.uuid().nullable(),
    decidedAt: z.date().nullable(),
    version: z.number().int(),
    updatedAt: z.date(),
    raw: z.object({ contentType: z.string(), size: z.number().int(), sha256: z.string() }).nullable(),
    allowed: ReportActions,
  })
  .meta({ id: 'Report' });
