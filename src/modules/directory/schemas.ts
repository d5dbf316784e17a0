import { z } from 'zod';
import { CONTACT_KINDS, SEATS } from '../../db/schema-directory.ts';
import { HttpUrl, RoleSchema } from '../../lib/schemas.ts';
import { IncidentRoleEnum, TlpEnum } from '../incidents/index.ts';

export const SeatEnum = z.enum(SEATS);
export const ContactKindEnum = z.enum(CONTACT_KINDS);

/** An IANA time zone name the server's ICU knows (Europe/Berlin, America/New_York, UTC). */
export const TimeZone = z.string().trim().min(1).max(64).refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(tz);
  } catch {
    return false;
  }
}, 'an IANA time zone name, such as Europe/Berlin or UTC');

/** A BCP 47 language tag (en, de, pt-BR). */
const Language = z.string().trim().min(2).max(35).refine((l) => {
  try {
    return Intl.getCanonicalLocales(l).length === 1 && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(l);
  } catch {
    return false;
  }
}, 'a language tag such as en, de or pt-BR');

const Skill = z.string().trim().min(1).max(40).regex(/^[\p{L}\p{N} +#./_-]+$/u, 'letters, digits, spaces and + # . / _ -');
const Phone = z.string().trim().max(40).regex(/^$|^\+?[0-9 ()./-]{3,40}$/, 'digits, spaces and + ( ) . / - (e.g. +49 30 1234567)');

export const MemberParam = z.object({ userId: z.uuid() });
export const ContactParam = z.object({ id: z.uuid() });
export const ContactRoleParam = z.object({
  id: z.union([z.uuid(), z.string().regex(/^[A-Z][A-Z0-9]{1,11}-\d{4}-\d{5,}$/, 'an incident id or reference')]),
  role: IncidentRoleEnum,
  contactId: z.uuid(),
});

export const Member = z.object({
  userId: z.uuid(), username: z.string(), displayName: z.string(), email: z.string().nullable(), roles: z.array(RoleSchema), disabled: z.boolean(),
  seats: z.array(SeatEnum), skills: z.array(z.string()), phone: z.string(), timeZone: z.string().nullable(), languages: z.array(z.string()),
  notes: z.string(), version: z.number().int().describe('0 until the profile is first edited'), updatedAt: z.date().nullable(),
}).meta({ id: 'TeamMember' });

export const MemberList = z.object({
  items: z.array(Member),
  skills: z.array(z.object({ skill: z.string(), members: z.number().int() })).describe('every skill active members hold, for filters'),
});

export const MemberQuery = z.object({
  seat: SeatEnum.optional(),
  skill: Skill.optional(),
  includeDisabled: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});

export const MemberPatchBody = z.object({
  version: z.number().int().min(0).describe('the version you read (0 for a profile never edited); a stale one gets 409'),
  seats: z.array(SeatEnum).max(8).optional(),
  skills: z.array(Skill).max(50).optional(),
  phone: Phone.optional(),
  timeZone: TimeZone.nullable().optional(),
  languages: z.array(Language).max(20).optional(),
  notes: z.string().max(4000).optional(),
});

export const Contact = z.object({
  id: z.uuid(), kind: ContactKindEnum, name: z.string(), organisation: z.string(), purpose: z.string(), contractRef: z.string(),
  email: z.string().nullable(), phone: z.string().nullable(), emergencyPhone: z.string().nullable().describe('reachable 24/7'),
  hours: z.string(), timeZone: z.string().nullable(), url: z.string().nullable(),
  pgpKey: z.string().nullable(), pgpFingerprint: z.string().nullable(), tlp: TlpEnum, notes: z.string(), active: z.boolean(),
  version: z.number().int(), createdBy: z.uuid().nullable(), createdAt: z.date(), updatedAt: z.date(),
}).meta({ id: 'ExternalContact' });

export const ContactList = z.object({ items: z.array(Contact), total: z.number().int() });

export const ContactQuery = z.object({
  q: z.string().trim().max(100).optional(),
  kind: ContactKindEnum.optional(),
  includeInactive: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

const fields = {
  kind: ContactKindEnum,
  name: z.string().trim().min(1).max(200),
  organisation: z.string().trim().max(200).optional(),
  purpose: z.string().trim().max(2000).optional().describe('what to call them for'),
  contractRef: z.string().trim().max(500).optional().describe('contract, retainer or policy numbers'),
  email: z.union([z.email().max(254), z.literal('')]).nullable().optional(),
  phone: Phone.nullable().optional(),
  emergencyPhone: Phone.nullable().optional(),
  hours: z.string().trim().max(500).optional().describe('when they answer, e.g. "Mon–Fri 08:00–18:00; 24/7 hotline for retainer clients"'),
  timeZone: z.union([TimeZone, z.literal('')]).nullable().optional(),
  url: z.union([HttpUrl.max(500), z.literal('')]).nullable().optional(),
  pgpKey: z.string().max(100_000).nullable().optional().describe('armoured OpenPGP public key'),
  tlp: TlpEnum.optional(),
  notes: z.string().trim().max(4000).optional(),
  active: z.boolean().optional(),
};
export const ContactCreateBody = z.object(fields);
export const ContactPatchBody = z.object({ ...fields, kind: ContactKindEnum.optional(), name: fields.name.optional(), version: z.number().int().min(1) });

export const IncidentContact = z.object({
  role: IncidentRoleEnum, contactId: z.uuid(), assignedAt: z.date(), name: z.string(), organisation: z.string(), kind: ContactKindEnum,
  email: z.string().nullable(), phone: z.string().nullable(), emergencyPhone: z.string().nullable(), hours: z.string(), timeZone: z.string().nullable(),
  active: z.boolean(), pgpFingerprint: z.string().nullable(),
}).meta({ id: 'IncidentContactRole' });
