// Shapes of the escalation API (/api/v1/escalation/policies, /incidents/:id/escalations).
import type { Priority } from './incidents';

export const SEATS = [
  'duty_officer', 'incident_handler', 'senior_handler', 'technical_lead', 'coordinator', 'csirt_manager', 'communications', 'legal',
] as const;
export type Seat = (typeof SEATS)[number];

export type Recipient =
  | { kind: 'seat'; seat: Seat }
  | { kind: 'rota'; rotaId: string }
  | { kind: 'on_duty' }
  | { kind: 'user'; userId: string }
  | { kind: 'incident_role'; role: string }
  | { kind: 'contact'; contactId: string }
  | { kind: 'channel'; channelId: string };
export type RecipientKind = Recipient['kind'];

export const RECIPIENT_KINDS: { value: RecipientKind; label: string }[] = [
  { value: 'seat', label: 'Team seat' },
  { value: 'on_duty', label: 'Whoever is on duty' },
  { value: 'rota', label: 'On duty in a rota' },
  { value: 'incident_role', label: "The incident's role holders" },
  { value: 'user', label: 'A team member' },
  { value: 'contact', label: 'An external contact (e-mail)' },
  { value: 'channel', label: 'A notification channel' },
];

export interface EscalationLevel {
  position: number;
  delayMinutes: number;
  recipients: Recipient[];
}

/** What starts a policy: a declared (reopened, raised) incident, or an SLA warning or breach. */
export type EscalationTrigger = 'declared' | 'sla_at_risk';
export const TRIGGER_LABELS: Record<EscalationTrigger, string> = {
  declared: 'Incident declared, reopened or raised in priority',
  sla_at_risk: 'SLA at risk (warning or breach)',
};

export interface EscalationPolicy {
  id: string;
  name: string;
  description: string;
  priorities: Priority[];
  rsitClasses: string[];
  trigger: EscalationTrigger;
  repeatCount: number;
  repeatAfterMinutes: number;
  thenPolicyId: string | null;
  enabled: boolean;
  levels: EscalationLevel[];
  version: number;
  updatedAt: string;
}

export type EscalationState = 'active' | 'acknowledged' | 'exhausted' | 'cancelled';

export interface EscalationRun {
  id: string;
  incidentId: string;
  policyId: string;
  policyName: string | null;
  levels: number;
  state: EscalationState;
  level: number;
  round: number;
  nextAt: string | null;
  startedAt: string;
  lastNotifiedAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  endedAt: string | null;
}

export const POLICIES_KEY = ['escalation', 'policies'] as const;
export const runsKey = (incidentId: string) => ['escalation', 'runs', incidentId] as const;
