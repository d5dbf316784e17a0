// Table types of KPIs: the team's recorded activities and the editable KPI definitions.
// src/db/schema.ts's Database extends KpiTables.
import type { ColumnType, Generated } from 'kysely';
import type { Tlp } from './schema.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type ActivityKind = 'constituency_meeting' | 'awareness_campaign' | 'training' | 'exercise' | 'other';

export interface TeamActivityTable {
  id: Generated<string>;
  kind: ActivityKind;
  title: string;
  description: string;
  startsAt: Timestamp;
  endsAt: Timestamp | null;
  constituentId: string | null;
  participants: number | null;
  tlp: Tlp;
  version: ColumnType<number, number | undefined, number>;
  createdBy: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export type TargetOp = '<' | '<=' | '>' | '>=';

export interface KpiDefinitionTable {
  id: Generated<string>;
  key: string;
  name: string;
  description: string;
  measure: string;
  params: ColumnType<Record<string, unknown>, string, string>;
  targetOp: TargetOp | null;
  targetValue: number | null;
  enabled: boolean;
  position: number;
  version: ColumnType<number, number | undefined, number>;
  updatedAt: Timestamp;
  updatedBy: string | null;
}

/** Every table of this feature, keyed by its camelCase name. */
export interface KpiTables {
  teamActivity: TeamActivityTable;
  kpiDefinition: KpiDefinitionTable;
}
