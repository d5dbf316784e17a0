// Table types of the team's seats and skills, and the external contact directory. src/db/schema.ts's Database extends DirectoryTables.
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { IncidentRoleName, Tlp } from './schema.ts';

export const SEATS = ['duty_officer', 'incident_handler', 'senior_handler', 'technical_lead', 'coordinator', 'csirt_manager', 'communications', 'legal'] as const;
export type Seat = (typeof SEATS)[number];

export const CONTACT_KINDS = ['forensics', 'insurer', 'law_enforcement', 'partner_csirt', 'isac', 'legal_counsel', 'vendor', 'other'] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];

export interface TeamMemberTable {
  userId: string;
  seats: ColumnType<Seat[], Seat[] | undefined, Seat[]>;
  skills: ColumnType<string[], string[] | undefined, string[]>;
  phone: ColumnType<string, string | undefined, string>;
  timeZone: string | null;
  languages: ColumnType<string[], string[] | undefined, string[]>;
  notes: ColumnType<string, string | undefined, string>;
  version: ColumnType<number, number | undefined, number>;
  updatedBy: string | null;
  updatedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface ExternalContactTable {
  id: Generated<string>;
  kind: ContactKind;
  name: string;
  organisation: string;
  purpose: string;
  contractRef: string;
  email: string | null;
  phone: string | null;
  emergencyPhone: string | null;
  hours: string;
  timeZone: string | null;
  url: string | null;
  pgpKey: string | null;
  pgpFingerprint: string | null;
  tlp: Tlp;
  notes: string;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  version: ColumnType<number, number | undefined, number>;
  createdBy: string | null;
  createdAt: ColumnType<Date, Date, never>;
  updatedAt: ColumnType<Date, Date, Date>;
}

export interface IncidentContactRoleTable {
  incidentId: string;
  role: IncidentRoleName;
  contactId: string;
  assignedAt: ColumnType<Date, Date, never>;
}

/** Every table of this feature, keyed by its camelCase name. */
export interface DirectoryTables {
  teamMember: TeamMemberTable;
  externalContact: ExternalContactTable;
  incidentContactRole: IncidentContactRoleTable;
}

export type TeamMemberRow = Selectable<TeamMemberTable>;
export type ExternalContactRow = Selectable<ExternalContactTable>;
export type IncidentContactRoleRow = Selectable<IncidentContactRoleTable>;
