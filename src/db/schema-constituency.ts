// Table types of constituents, their netblocks, ASNs, domains, contacts and agreements. src/db/schema.ts's Database extends ConstituencyTables.
import type { ColumnType, Generated } from 'kysely';
import type { Level } from './schema.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A calendar date, read and written as YYYY-MM-DD text. */
type DateText = ColumnType<string | null, string | null | undefined, string | null>;

export type ConstituentContactKind = 'security' | 'abuse' | 'management' | 'technical' | 'legal';
export type AgreementKind = 'mou' | 'sla';
export type DomainKind = 'web' | 'email';

/** An organisation or business unit the team serves; parentId makes units of an organisation. */
export interface ConstituentTable {
  id: Generated<string>;
  name: string;
  parentId: string | null;
  sector: ColumnType<string, string | undefined, string>;
  criticality: ColumnType<Level, Level | undefined, Level>;
  notes: ColumnType<string, string | undefined, string>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  version: ColumnType<number, number | undefined, number>;
}

/** A network (cidr) one constituent owns; nested networks of others are allowed, longest prefix wins. */
export interface ConstituentNetblockTable {
  id: Generated<string>;
  constituentId: string;
  net: string;
}

export interface ConstituentAsnTable {
  constituentId: string;
  /** bigint in SQL: read as a string by pg, as a number by PGlite; use Number(). */
  asn: ColumnType<string | number, number, number>;
}

/** 'web': the domain and its subdomains; 'email': addresses at the domain (and its subdomains). */
export interface ConstituentDomainTable {
  constituentId: string;
  kind: DomainKind;
  domain: string;
}

export interface ConstituentContactTable {
  id: Generated<string>;
  constituentId: string;
  position: number;
  kind: ConstituentContactKind;
  name: ColumnType<string, string | undefined, string>;
  email: string | null;
  phone: string | null;
  pgpKey: string | null;
  pgpFingerprint: string | null;
  language: ColumnType<string, string | undefined, string>;
  hours: ColumnType<string, string | undefined, string>;
}

export interface ConstituentAgreementTable {
  id: Generated<string>;
  constituentId: string;
  position: number;
  kind: AgreementKind;
  reference: ColumnType<string, string | undefined, string>;
  startsOn: DateText;
  endsOn: DateText;
  notes: ColumnType<string, string | undefined, string>;
}

/** One row (id 1): bumped by every change to constituents, so routing indexes know to rebuild. */
export interface ConstituencyStateTable {
  id: number;
  version: ColumnType<string | number, never, string | number>;
}

/** Every table of this feature, keyed by its camelCase name. */
export interface ConstituencyTables {
  constituent: ConstituentTable;
  constituentNetblock: ConstituentNetblockTable;
  constituentAsn: ConstituentAsnTable;
  constituentDomain: ConstituentDomainTable;
  constituentContact: ConstituentContactTable;
  constituentAgreement: ConstituentAgreementTable;
  constituencyState: ConstituencyStateTable;
  userConstituent: UserConstituentTable;
}

/** The constituents an account is limited to (a team member) or belongs to (a reporter); none: unscoped. */
export interface UserConstituentTable {
  userId: string;
  constituentId: string;
}
