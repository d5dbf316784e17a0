import type { Db, Executor } from '../../db/index.ts';
import type { OncallRotaRow } from '../../db/schema.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { authorize } from '../../lib/authz/policy.ts';
import { VigilError } from '../../lib/errors.ts';
import type { AuditService } from '../audit/index.ts';
import { membersOf, Pattern, patternProblems } from './pattern.ts';
import { overrideRepo, peopleRepo, rotaRepo, swapRepo } from './repo.ts';
import { computeShifts, onDuty, overlapping, uncovered, type RotaSpec, type Shift } from './schedule.ts';

export interface RotaInput {
  name: string;
  description?: string | undefined;
  timeZone: string;
  pattern: Pattern;
  members: string[];
  anchorDate: string;
}

const DAY = 86_400_000;
/** The longest range of shifts one request may ask for. */
export const MAX_RANGE_DAYS = 62;

export function specOf(r: OncallRotaRow): RotaSpec {
  return { timeZone: r.timeZone, pattern: r.pattern as Pattern, members: r.members, anchorDate: r.anchorDate };
}

/** The shifts of a rota in [from, to) with its accepted swaps and its overrides applied. */
export async function shiftsOf(x: Executor, rota: OncallRotaRow, from: Date, to: Date): Promise<Shift[]> {
  const [swaps, overrides] = await Promise.all([
    swapRepo.between(x, [rota.id], new Date(from.getTime() - 8 * DAY), to, 'accepted'),
    overrideRepo.between(x, [rota.id], from, to),
  ]);
  return computeShifts(
    specOf(rota), from.getTime(), to.getTime(),
    swaps.map((s) => ({ id: s.id, shiftStart: s.shiftStart.getTime(), fromUserId: s.fromUserId, toUserId: s.toUserId })),
    overrides.map((o) => ({ id: o.id, userId: o.userId, startsAt: o.startsAt.getTime(), endsAt: o.endsAt.getTime() })),
  );
}

/**
 * Gaps and overlaps the pattern itself makes over the coming year: for follow-the-sun rotas,
 * regions whose daylight-saving changes fall on different dates drift apart by an hour for weeks.
 * Business hours leave time uncovered by design, so they have none.
 */
export function coverageWarnings(rota: OncallRotaRow, now: Date) {
  const p = rota.pattern as Pattern;
  if (p.kind === 'business_hours') return [];
  const from = Math.max(now.getTime(), Date.parse(`${rota.anchorDate}T00:00:00Z`));
  const to = from + 365 * DAY;
  const shifts = computeShifts(specOf(rota), from, to);
  const warn = (kind: 'gap' | 'overlap', list: { start: number; end: number }[]) =>
    list.length ? [{ kind, occurrences: list.length, first: { start: new Date(list[0]!.start), end: new Date(list[0]!.end) } }] : [];
  return [...warn('gap', uncovered(shifts, from, to)), ...warn('overlap', overlapping(shifts, from, to))];
}

/** Rotas: how the team covers the clock. Everyone on the team reads them; managers change them. */
export function createOncallService(d: { db: Db; audit: AuditService; clock: Clock }) {
  const view = async (x: Executor, r: OncallRotaRow) => ({
    ...r,
    pattern: r.pattern as Pattern,
    people: await peopleRepo.names(x, membersOf(r.pattern as Pattern, r.members)),
    warnings: coverageWarnings(r, d.clock.now()),
  });
  const audited = (r: OncallRotaRow) => ({ name: r.name, timeZone: r.timeZone, pattern: r.pattern, members: r.members, anchorDate: r.anchorDate });

  async function checked(x: Executor, input: RotaInput) {
    const members = input.pattern.kind === 'follow_the_sun' ? [] : input.members;
    const problems = patternProblems(input.pattern, input.timeZone, members, input.anchorDate);
    if (problems.some((p) => p.code === 'time_zone')) throw new VigilError('VIG_ONCALL_TIME_ZONE_INVALID', { errors: problems.filter((p) => p.code === 'time_zone') });
    if (problems.some((p) => p.code === 'members')) throw new VigilError('VIG_ONCALL_MEMBERS_INVALID', { errors: problems });
    if (problems.length) throw new VigilError('VIG_ONCALL_PATTERN_INVALID', { errors: problems });
    const ids = membersOf(input.pattern, members);
    const known = new Set((await peopleRepo.teamMembers(x, ids)).map((u) => u.id));
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length) throw new VigilError('VIG_ONCALL_MEMBERS_INVALID', { errors: unknown.map((id) => ({ path: 'members', message: `${id} is not an active team member` })) });
    return { ...input, members, description: input.description?.trim() ?? '' };
  }

  async function lockRota(x: Executor, id: string) {
    const r = await rotaRepo.lock(x, id);
    if (!r) throw new VigilError('VIG_ONCALL_ROTA_NOT_FOUND', { id });
    return r;
  }

  return {
    async list(actor: Actor) {
      authorize(actor, 'oncall.read');
      const rows = await rotaRepo.list(d.db);
      return Promise.all(rows.map((r) => view(d.db, r)));
    },

    async get(actor: Actor, id: string) {
      authorize(actor, 'oncall.read');
      const r = await rotaRepo.find(d.db, id);
      if (!r) throw new VigilError('VIG_ONCALL_ROTA_NOT_FOUND', { id });
      return view(d.db, r);
    },

    async create(actor: Actor, input: RotaInput) {
      authorize(actor, 'oncall.manage');
      return d.db.transaction().execute(async (tx) => {
        const v = await checked(tx, input);
        if (await rotaRepo.nameTaken(tx, v.name)) throw new VigilError('VIG_ONCALL_ROTA_EXISTS', { name: v.name });
        const r = await rotaRepo.insert(tx, { ...v, createdBy: actor.userId, at: d.clock.now() });
        await d.audit.record(tx, actor, { action: 'oncall_rota.created', entity: 'oncall_rota', entityId: r.id, after: audited(r) });
        return view(tx, r);
      });
    },

    async update(actor: Actor, id: string, input: RotaInput & { version: number }) {
      authorize(actor, 'oncall.manage');
      return d.db.transaction().execute(async (tx) => {
        const before = await lockRota(tx, id);
        if (before.version !== input.version) throw new VigilError('VIG_ONCALL_VERSION_CONFLICT', { id, yourVersion: input.version, currentVersion: before.version });
        const v = await checked(tx, input);
        if (await rotaRepo.nameTaken(tx, v.name, id)) throw new VigilError('VIG_ONCALL_ROTA_EXISTS', { name: v.name });
        const after = await rotaRepo.update(tx, id, { ...v, at: d.clock.now() });
        await d.audit.record(tx, actor, { action: 'oncall_rota.updated', entity: 'oncall_rota', entityId: id, before: audited(before), after: audited(after) });
        return view(tx, after);
      });
    },

    /** Deletes a rota with its overrides and swaps (the audit trail keeps what it was). */
    async remove(actor: Actor, id: string, version: number) {
      authorize(actor, 'oncall.manage');
      await d.db.transaction().execute(async (tx) => {
        const before = await lockRota(tx, id);
        if (before.version !== version) throw new VigilError('VIG_ONCALL_VERSION_CONFLICT', { id, yourVersion: version, currentVersion: before.version });
        await rotaRepo.delete(tx, id);
        await d.audit.record(tx, actor, { action: 'oncall_rota.deleted', entity: 'oncall_rota', entityId: id, before: audited(before) });
      });
    },

    /** The shifts of a rota between two instants (at most 62 days), and what nobody covers. */
    async shifts(actor: Actor, id: string, from: Date, to: Date) {
      authorize(actor, 'oncall.read');
      if (!(to > from) || to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY) {
        throw new VigilError('VIG_ONCALL_RANGE_INVALID', { from, to, maxDays: MAX_RANGE_DAYS });
      }
      const r = await rotaRepo.find(d.db, id);
      if (!r) throw new VigilError('VIG_ONCALL_ROTA_NOT_FOUND', { id });
      const shifts = await shiftsOf(d.db, r, from, to);
      const names = new Map((await peopleRepo.names(d.db, [...new Set(shifts.map((s) => s.userId))])).map((u) => [u.id, u.displayName]));
      return {
        rota: await view(d.db, r),
        from, to,
        shifts: shifts.map((s) => ({ ...s, start: new Date(s.start), end: new Date(s.end), displayName: names.get(s.userId) ?? s.userId })),
        uncovered: uncovered(shifts, from.getTime(), to.getTime()).map((g) => ({ start: new Date(g.start), end: new Date(g.end) })),
      };
    },

    /** Who is on duty now in every rota (until when), and for a rota with nobody, when cover starts again. */
    async now(actor: Actor) {
      authorize(actor, 'oncall.read');
      const at = d.clock.now();
      const rotas = await rotaRepo.list(d.db);
      const out = [];
      for (const r of rotas) {
        const shifts = await shiftsOf(d.db, r, at, new Date(at.getTime() + 8 * DAY));
        const now = onDuty(shifts, at.getTime());
        const next = shifts.find((s) => s.start > at.getTime());
        const names = new Map((await peopleRepo.names(d.db, now.map((s) => s.userId))).map((u) => [u.id, u.displayName]));
        out.push({
          rota: { id: r.id, name: r.name, timeZone: r.timeZone, kind: (r.pattern as Pattern).kind },
          onDuty: now.map((s) => ({ userId: s.userId, displayName: names.get(s.userId) ?? s.userId, since: new Date(s.start), until: new Date(s.end), source: s.source, region: s.region })),
          nextCoverAt: now.length === 0 && next ? new Date(next.start) : null,
        });
      }
      return { at, rotas: out, uncoveredRotas: out.filter((r) => r.onDuty.length === 0).map((r) => r.rota.id) };
    },
  };
}
export type OncallService = ReturnType<typeof createOncallService>;
