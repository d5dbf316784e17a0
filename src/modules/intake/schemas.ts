// The API's schemas of alerts and of triage suggestions, shared by the intake routes and the triage routes.
import { z } from 'zod';
import { Level, TlpEnum } from '../incidents/index.ts';

export const SeverityEnum = z.enum(['info', 'low', 'medium', 'high', 'critical']);
export const AlertStatusEnum = z.enum(['new', 'acknowledged', 'escalated', 'dismissed']);
export const DismissalEnum = z.enum(['false_positive', 'benign', 'duplicate', 'test', 'outside_mandate']);

/** An alert's id or reference (VIG-A-2026-000042). */
export const AlertRef = z.union([z.uuid(), z.string().regex(/^[A-Z][A-Z0-9]{1,11}-A-\d{4}-\d{6,}$/, 'an alert id or reference')]);
export const AlertParam = z.object({ alertId: AlertRef });

/** What the caller may do to an alert (the triage module checks each call regardless). */
export const AlertActions = z
  .object({
    acknowledge: z.boolean(),
    dismiss: z.boolean(),
    link: z.boolean().describe('put it on an open incident'),
    declare: z.boolean().describe('declare an incident from it'),
    reopen: z.boolean(),
  })
  .describe("what the caller may do to this alert, from the caller's roles and the alert's status (the API checks each call regardless)")
  .meta({ id: 'AlertActions' });

export const Observable = z.object({ type: z.string(), value: z.string() });
export const Alert = z
  .object({
    id: z.uuid(),
    reference: z.string(),
    sourceId: z.uuid(),
    sourceName: z.string(),
    status: AlertStatusEnum,
    title: z.string(),
    description: z.string(),
    severity: SeverityEnum,
    tlp: TlpEnum,
    fingerprint: z.string(),
    sourceRef: z.string().nullable(),
    observedAt: z.date().nullable(),
    classification: z.object({ class: z.string(), type: z.string() }).nullable().describe('suggested by the source mapping'),
    observables: z.array(Observable),
    fields: z.record(z.string(), z.unknown()),
    createdAt: z.date(),
    incidentId: z.uuid().nullable(),
    dismissal: DismissalEnum.nullable(),
    dismissalNote: z.string().nullable(),
    decidedBy: z.uuid().nullable(),
    decidedAt: z.date().nullable(),
    version: z.number().int(),
    updatedAt: z.date(),
    arrivals: z.number().int().describe('how many times it arrived (deduplicated repeats included)'),
    lastSeen: z.date(),
    allowed: AlertActions,
  })
  .meta({ id: 'Alert' });
export const AlertChanged = Alert.omit({ sourceName: true, arrivals: true, lastSeen: true });

export const Correlated = z.object({
  id: z.uuid(), reference: z.string(), title: z.string(), status: z.string(), priority: z.string(), tlp: z.string(), constituent: z.string().nullable(),
  createdAt: z.date(), sharedObservables: z.array(z.string()), sameConstituent: z.boolean(), sameType: z.boolean(),
}).meta({ id: 'CorrelatedIncident' });

export const Suggestions = z.object({
  classifications: z.array(z.object({ class: z.string(), type: z.string(), reason: z.string() })),
  impact: Level, urgency: Level, priority: z.enum(['P1', 'P2', 'P3', 'P4']).describe('from the team\'s priority matrix'),
  constituents: z.array(z.object({
    constituent: z.object({ id: z.uuid(), name: z.string(), criticality: Level, sector: z.string() }),
    rule: z.enum(['netblock', 'domain', 'email_domain', 'asn']), matched: z.string(), from: z.string(),
  })).optional().describe('constituents routed from the reporter\'s e-mail address and the observables (see docs/constituents.md)'),
  impactReason: z.string().nullable().optional().describe('set when a constituent\'s criticality raised the impact'),
}).describe('suggestions only: the handler decides').meta({ id: 'TriageSuggestions' });

export const AlertDetail = Alert.extend({
  suggestions: Suggestions,
  incident: z.object({ id: z.uuid(), reference: z.string(), status: z.string(), title: z.string() }).nullable(),
  arrivalList: z.array(z.object({ intakeItemId: z.uuid(), position: z.number().int(), receivedAt: z.date() })).describe('the latest 100 arrivals'),
  events: z.array(z.object({ id: z.coerce.string(), at: z.date(), actor: z.string(), kind: z.string(), data: z.record(z.string(), z.unknown()) })),
  correlation: z.array(Correlated).describe('open incidents sharing observables or of the same RSIT type in the last 7 days'),
}).meta({ id: 'AlertDetail' });

export const AbuseReportView = z.object({
  format: z.enum(['arf', 'x-arf']),
  kind: z.string().describe('ARF Feedback-Type, or X-ARF category/type'),
  observedAt: z.date().nullable().describe('when the abuse happened: ARF Arrival-Date, X-ARF timestamp'),
  fields: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
  observables: z.array(Observable),
  classification: z.object({ class: z.string(), type: z.string() }).nullable().describe('the RSIT class/type its kind suggests'),
  parties: z.array(z.string()).describe('who sent the report (X-ARF reporter and sender contact and domain); never listed as observables'),
}).meta({ id: 'AbuseReport' });
