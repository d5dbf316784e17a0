// Table types of escalation policies, their levels and the escalations of incidents.
// src/db/schema.ts's Database extends EscalationTables.
import type { ColumnType, Generated } from 'kysely';
import type { Priority } from './schema.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type EscalationRecipient =
  | { kind: 'seat'; seat: string }
  | { kind: 'rota'; rotaId: string }
  | { kind: 'on_duty' }
  | { kind: 'user'; userId: string }
  | { kind: 'incident_role'; role: string }
  | { kind: 'contact'; contactId: string }
  | { kind: 'channel'; channelId: string };

export type EscalationState = 'active' | 'acknowledged' | 'exhausted' | 'cancelled';

/** What starts a policy (migration 0026): a declared incident, or an SLA clock at risk. */
export type EscalationTrigger = 'declared' | 'sla_at_risk';

export interface EscalationPolicyTable {
  id: Generated<string>;
  name: string;
  description: ColumnType<string, string | undefined, string>;
  priorities: Priority[];
  rsitClasses: ColumnType<string[], string[] | undefined, string[]>;
  trigger: ColumnType<EscalationTrigger, EscalationTrigger | undefined, EscalationTrigger>;
  repeatCount: number;
  repeatAfterMinutes: number;
  thenPolicyId: string | null;
  enabled: boolean;
  version: ColumnType<number, number | undefined, number>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  updatedBy: string | null;
}

export interface EscalationLevelTable {
  policyId: string;
  position: number;
  delayMinutes: number;
  recipients: ColumnType<EscalationRecipient[], string, string>;
}

export interface EscalationRunTable {
  id: Generated<string>;
  incidentId: string;
  policyId: string;
  state: EscalationState;
  level: number;
  round: number;
  hops: ColumnType<number, number | undefined, number>;
  nextAt: Timestamp | null;
  startedAt: Timestamp;
  lastNotifiedAt: Timestamp | null;
  acknowledgedAt: Timestamp | null;
  acknowledgedBy: string | null;
  endedAt: Timestamp | null;
}

/** Every table of this feature, keyed by its camelCase name. */
export interface EscalationTables {
  escalationPolicy: EscalationPolicyTable;
  escalationLevel: EscalationLevelTable;
  escalationRun: EscalationRunTable;
}
