// Types and helpers of the team (seats, skills) and the external contact directory: the API's
// shapes are the generated ones (src/modules/directory/schemas.ts, through schema.gen.ts).
import type { Answer, ItemOf, Schema } from '../../api/schema';

export type Seat = ItemOf<Member['seats']>;
export const SEATS = ['duty_officer', 'incident_handler', 'senior_handler', 'technical_lead', 'coordinator', 'csirt_manager', 'communications', 'legal'] as const satisfies readonly Seat[];

export const SEAT_LABELS: Record<Seat, string> = {
  duty_officer: 'Duty officer', incident_handler: 'Incident handler', senior_handler: 'Senior handler', technical_lead: 'Technical lead',
  coordinator: 'Coordinator', csirt_manager: 'CSIRT manager', communications: 'Communications', legal: 'Legal',
};

export type ContactKind = Contact['kind'];
export const CONTACT_KINDS = ['forensics', 'insurer', 'law_enforcement', 'partner_csirt', 'isac', 'legal_counsel', 'vendor', 'other'] as const satisfies readonly ContactKind[];

export const KIND_LABELS: Record<ContactKind, string> = {
  forensics: 'Forensic firm', insurer: 'Cyber insurer', law_enforcement: 'Law enforcement', partner_csirt: 'Partner CSIRT', isac: 'ISAC',
  legal_counsel: 'Legal counsel', vendor: 'Vendor', other: 'Other',
};

export const KIND_COLORS: Record<ContactKind, string> = {
  forensics: 'grape', insurer: 'teal', law_enforcement: 'blue', partner_csirt: 'indigo', isac: 'cyan', legal_counsel: 'orange', vendor: 'gray', other: 'gray',
};

export type Member = Schema<'TeamMember'>;
export type MemberList = Answer<'team.members.list'>;
export type Contact = Schema<'ExternalContact'>;
export type ContactList = Answer<'contacts.list'>;
export type IncidentContactRole = Schema<'IncidentContactRole'>;

export const TEAM_KEY = ['team'] as const;
export const CONTACTS_KEY = ['contacts'] as const;
export const incidentContactsKey = (incidentId: string) => ['incidents', 'contacts', incidentId] as const;

/** Every IANA zone the browser knows, for pickers. */
export const TIME_ZONES: string[] = (() => {
  try {
    return ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
  } catch {
    return ['UTC'];
  }
})();

/** The time now in a zone ("Tue 14:05"), or null when the zone is unknown. */
export function localTime(timeZone: string | null, now = new Date()): string | null {
  if (!timeZone) return null;
  try {
    return new Intl.DateTimeFormat(undefined, { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hour12: false }).format(now);
  } catch {
    return null;
  }
}

/** A fingerprint in groups of four, as people compare them aloud. */
export const groupedFingerprint = (f: string) => f.replace(/(.{4})/g, '$1 ').trim();

/** A tel: link target (digits and a leading +). */
export const telHref = (phone: string) => `tel:${phone.replace(/[^0-9+]/g, '')}`;
