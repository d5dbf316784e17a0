import type { Db, Executor } from '../../db/index.ts';
import type { ContactKind, ExternalContactRow } from '../../db/schema-directory.ts';
import type { Tlp } from '../../db/schema.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { authorize } from '../../lib/authz/policy.ts';
import { VigilError } from '../../lib/errors.ts';
import { isHttpUrl } from '../../lib/schemas.ts';
import type { AuditService } from '../audit/index.ts';
import { readPublicKey } from './pgp.ts';
import { contactRepo, type ContactFilter } from './repo.ts';

export interface ContactInput {
  kind: ContactKind;
  name: string;
  organisation?: string | undefined;
  purpose?: string | undefined;
  contractRef?: string | undefined;
  email?: string | null | undefined;
  phone?: string | null | undefined;
  emergencyPhone?: string | null | undefined;
  hours?: string | undefined;
  timeZone?: string | null | undefined;
  url?: string | null | undefined;
  pgpKey?: string | null | undefined;
  tlp?: Tlp | undefined;
  notes?: string | undefined;
  active?: boolean | undefined;
}
export type ContactPatch = Partial<ContactInput> & { version: number };

const TEXT = ['name', 'organisation', 'purpose', 'contractRef', 'hours', 'notes'] as const;
const OPTIONAL = ['email', 'phone', 'emergencyPhone', 'timeZone', 'url'] as const;

/** What the audit trail keeps of a contact: everything but the key itself (its fingerprint stands for it). */
const audited = ({ pgpKey: _key, createdAt: _c, updatedAt: _u, ...rest }: ExternalContactRow) => rest;

/** One contact by id, for escalation (no access check: callers have made their own). */
export function contactById(x: Executor, id: string): Promise<ExternalContactRow | undefined> {
  return contactRepo.findById(x, id);
}

/** Blank optional fields are stored as null, text fields trimmed; a web page is http(s) on every path (the API's rule). */
function cleaned(input: Partial<ContactInput>) {
  const out: Record<string, unknown> = {};
  for (const k of TEXT) if (input[k] !== undefined) out[k] = input[k]!.trim();
  for (const k of OPTIONAL) if (input[k] !== undefined) out[k] = input[k]?.trim() || null;
  if (typeof out.url === 'string' && !isHttpUrl(out.url)) {
    throw new VigilError('VIG_REQUEST_INVALID', { errors: [{ path: 'body.url', message: 'must be an http:// or https:// address' }] });
  }
  if (input.email) out.email = input.email.trim().toLowerCase();
  for (const k of ['kind', 'tlp', 'active'] as const) if (input[k] !== undefined) out[k] = input[k];
  return out;
}

/** A directory entry nobody can reach is useless at 3 a.m.: it needs an e-mail address or a phone number. */
function checkReachable(c: { email: string | null; phone: string | null; emergencyPhone: string | null }) {
  if (!c.email && !c.phone && !c.emergencyPhone) {
    throw new VigilError('VIG_CONTACT_UNREACHABLE', { errors: [{ path: 'body', message: 'give at least an e-mail address, a phone number or a 24/7 phone number' }] });
  }
}

async function pgpFields(pgpKey: string | null | undefined) {
  if (pgpKey === undefined) return {};
  if (pgpKey === null || !pgpKey.trim()) return { pgpKey: null, pgpFingerprint: null };
  const k = await readPublicKey(pgpKey);
  return { pgpKey: k.armored, pgpFingerprint: k.fingerprint };
}

/**
 * The external contact directory: forensic firms, insurers, law enforcement, partner CSIRTs and
 * ISACs, legal counsel, vendors. Every team role reads it; admins and managers change it.
 */
export function createContactService(d: { db: Db; audit: AuditService; clock: Clock }) {
  return {
    async list(actor: Actor, f: ContactFilter) {
      authorize(actor, 'directory.read');
      const [items, total] = await Promise.all([contactRepo.list(d.db, f), contactRepo.count(d.db, f)]);
      return { items, total };
    },

    async get(actor: Actor, id: string) {
      authorize(actor, 'directory.read');
      const c = await contactRepo.findById(d.db, id);
      if (!c) throw new VigilError('VIG_CONTACT_NOT_FOUND', { id });
      return c;
    },

    async create(actor: Actor, input: ContactInput) {
      authorize(actor, 'directory.manage');
      const fields = cleaned(input);
      checkReachable({ email: (fields.email as string | null) ?? null, phone: (fields.phone as string | null) ?? null, emergencyPhone: (fields.emergencyPhone as string | null) ?? null });
      const pgp = await pgpFields(input.pgpKey);
      return d.db.transaction().execute(async (tx) => {
        const now = d.clock.now();
        const c = await contactRepo.insert(tx, {
          organisation: '', purpose: '', contractRef: '', hours: '', notes: '', tlp: 'AMBER', ...fields, ...pgp,
          kind: input.kind, name: input.name.trim(), createdBy: actor.userId, createdAt: now, updatedAt: now,
        });
        await d.audit.record(tx, actor, { action: 'external_contact.created', entity: 'external_contact', entityId: c.id, after: audited(c) });
        return c;
      });
    },

    async update(actor: Actor, id: string, patch: ContactPatch) {
      authorize(actor, 'directory.manage');
      const pgp = await pgpFields(patch.pgpKey);
      return d.db.transaction().execute(async (tx) => {
        const before = await contactRepo.lockById(tx, id);
        if (!before) throw new VigilError('VIG_CONTACT_NOT_FOUND', { id });
        if (before.version !== patch.version) {
          throw new VigilError('VIG_CONTACT_VERSION_CONFLICT', { id, yourVersion: patch.version, currentVersion: before.version, current: before });
        }
        const fields = cleaned(patch);
        checkReachable({ ...before, ...fields } as ExternalContactRow);
        const after = await contactRepo.update(tx, id, { ...fields, ...pgp, version: before.version + 1, updatedAt: d.clock.now() });
        await d.audit.record(tx, actor, { action: 'external_contact.updated', entity: 'external_contact', entityId: id, before: audited(before), after: audited(after) });
        return after;
      });
    },

    /** Deletes a contact that holds no incident role; one that does (or is referenced elsewhere) is deactivated instead. */
    async remove(actor: Actor, id: string) {
      authorize(actor, 'directory.manage');
      return d.db.transaction().execute(async (tx) => {
        const before = await contactRepo.lockById(tx, id);
        if (!before) throw new VigilError('VIG_CONTACT_NOT_FOUND', { id });
        const roles = await contactRepo.roleCount(tx, id);
        if (roles > 0) throw new VigilError('VIG_CONTACT_IN_USE', { id, incidentRoles: roles });
        try {
          await contactRepo.delete(tx, id);
        } catch (e) {
          // Another feature (an escalation policy) refers to it: the foreign key says no.
          if ((e as { code?: string }).code === '23503') throw new VigilError('VIG_CONTACT_IN_USE', { id, incidentRoles: 0 });
          throw e;
        }
        await d.audit.record(tx, actor, { action: 'external_contact.deleted', entity: 'external_contact', entityId: id, before: audited(before) });
      });
    },
  };
}
export type ContactService = ReturnType<typeof createContactService>;
