// Shapes of the escalation API (/api/v1/escalation/policies, /incidents/:id/escalations).
import type { ItemOf, Schema } from './schema';

export type Recipient = Schema<'EscalationRecipient'>;
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

export type EscalationLevel = Omit<ItemOf<Schema<'EscalationPolicy'>['levels']>, 'recipients'> & { recipients: Recipient[] };

/** What starts a policy: a declared (reopened, raised) incident, or an SLA warning or breach. */
export type EscalationTrigger = Schema<'EscalationPolicy'>['trigger'];
export const TRIGGER_LABELS: Record<EscalationTrigger, string> = {
  declared: 'Incident declared, reopened or raised in priority',
  sla_at_risk: 'SLA at risk (warning or breach)',
};

export type EscalationPolicy = Omit<Schema<'EscalationPolicy'>, 'levels'> & {
  /** The server answers recipients as loose objects (stored jsonb); it accepts only these when saving. */
  levels: EscalationLevel[];
};

export type EscalationState = EscalationRun['state'];

export type EscalationRun = Schema<'EscalationRun'>;

export const POLICIES_KEY = ['escalation', 'policies'] as const;
export const runsKey = (incidentId: string) => ['escalation', 'runs', incidentId] as const;
