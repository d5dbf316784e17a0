import type { Db, Executor } from '../../db/index.ts';
import type { Seat } from '../../db/schema-directory.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { authorize } from '../../lib/authz/policy.ts';
import { VigilError } from '../../lib/errors.ts';
import type { AuditService } from '../audit/index.ts';
import { teamRepo, type MemberFilter, type MemberRow } from './repo.ts';

export interface MemberPatch {
  version: number;
  seats?: Seat[] | undefined;
  skills?: string[] | undefined;
  phone?: string | undefined;
  timeZone?: string | null | undefined;
  languages?: string[] | undefined;
  notes?: string | undefined;
}

/** A skill as stored: trimmed, lower case, inner spaces as one hyphen ("Windows  Forensics" → "windows-forensics"). */
export const normaliseSkill = (s: string) => s.trim().toLowerCase().replace(/\s+/g, '-');

const uniqueSorted = <T extends string>(xs: readonly T[]) => [...new Set(xs)].sort();

export function memberView(m: MemberRow) {
  return {
    userId: m.userId, username: m.username, displayName: m.displayName, email: m.email, roles: m.roles, disabled: m.disabledAt !== null,
    seats: m.seats, skills: m.skills, phone: m.phone, timeZone: m.timeZone, languages: m.languages, notes: m.notes,
    version: m.version, updatedAt: m.updatedAt,
  };
}
export type MemberView = ReturnType<typeof memberView>;

const audited = (m: { seats: Seat[]; skills: string[]; phone: string; timeZone: string | null; languages: string[]; notes: string }) => ({
  seats: m.seats, skills: m.skills, phone: m.phone, timeZone: m.timeZone, languages: m.languages, notesLength: m.notes.length,
});

/**
 * Active (not disabled) team members holding a seat, for escalation and paging. No access check:
 * callers are services that have made their own.
 */
export async function membersInSeat(x: Executor, seat: Seat): Promise<MemberView[]> {
  return (await teamRepo.inSeat(x, seat)).map(memberView);
}

/** The team: who holds which seat (duty officer, senior handler…), their skills and how to reach them. */
export function createTeamService(d: { db: Db; audit: AuditService; clock: Clock }) {
  return {
    async list(actor: Actor, f: MemberFilter) {
      authorize(actor, 'directory.read');
      const skill = f.skill ? normaliseSkill(f.skill) : undefined;
      const [items, skills] = await Promise.all([teamRepo.list(d.db, { ...f, skill }), teamRepo.skills(d.db)]);
      return { items: items.map(memberView), skills: skills.map((s) => ({ skill: s.skill, members: Number(s.members) })) };
    },

    async get(actor: Actor, userId: string) {
      authorize(actor, 'directory.read');
      const m = await teamRepo.find(d.db, userId);
      if (!m) throw new VigilError('VIG_DIRECTORY_MEMBER_NOT_FOUND', { userId });
      return memberView(m);
    },

    async update(actor: Actor, userId: string, patch: MemberPatch) {
      authorize(actor, 'directory.manage');
      return d.db.transaction().execute(async (tx) => {
        const member = await teamRepo.find(tx, userId);
        if (!member) throw new VigilError('VIG_DIRECTORY_MEMBER_NOT_FOUND', { userId });
        const before = await teamRepo.lockProfile(tx, userId);
        if (before.version !== patch.version) {
          const current = memberView((await teamRepo.find(tx, userId))!);
          throw new VigilError('VIG_DIRECTORY_MEMBER_VERSION_CONFLICT', { userId, yourVersion: patch.version, currentVersion: before.version, current });
        }
        const after = await teamRepo.updateProfile(tx, userId, {
          ...(patch.seats !== undefined ? { seats: uniqueSorted(patch.seats) } : {}),
          ...(patch.skills !== undefined ? { skills: uniqueSorted(patch.skills.map(normaliseSkill).filter(Boolean)) } : {}),
          ...(patch.phone !== undefined ? { phone: patch.phone.trim() } : {}),
          ...(patch.timeZone !== undefined ? { timeZone: patch.timeZone } : {}),
          ...(patch.languages !== undefined ? { languages: [...new Set(patch.languages.map((l) => Intl.getCanonicalLocales(l)[0]!))] } : {}),
          ...(patch.notes !== undefined ? { notes: patch.notes.trim() } : {}),
          version: before.version + 1, updatedBy: actor.userId, updatedAt: d.clock.now(),
        });
        await d.audit.record(tx, actor, { action: 'team_member.updated', entity: 'team_member', entityId: userId, before: audited(before), after: audited(after) });
        return memberView((await teamRepo.find(tx, userId))!);
      });
    },
  };
}
export type TeamService = ReturnType<typeof createTeamService>;
