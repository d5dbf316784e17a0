import type { Db, Executor } from '../../db/index.ts';
import type { OncallRotaRow, OncallSwapRow } from '../../db/schema.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { authorize, can } from '../../lib/authz/policy.ts';
import { VigilError } from '../../lib/errors.ts';
import type { AuditService } from '../audit/index.ts';
import { overrideRepo, peopleRepo, rotaRepo, swapRepo } from './repo.ts';
import { applySwaps, rotaShifts } from './schedule.ts';
import { MAX_RANGE_DAYS, specOf } from './service.ts';

const DAY = 86_400_000;
/** Lists show overrides and swaps from this far back. */
const LIST_BACK = 31 * DAY;

export interface OverrideInput { userId: string; startsAt: Date; endsAt: Date; note?: string | undefined }
export interface SwapInput { shiftStart: Date; fromUserId?: string | undefined; toUserId: string; note?: string | undefined; apply?: boolean | undefined }

/**
 * Changes to who covers what: overrides (someone else covers a period; managers) and swaps (a
 * member hands one of their shifts to another, who accepts or declines; a manager may apply one).
 */
export function createOncallChangeService(d: { db: Db; audit: AuditService; clock: Clock }) {
  async function rotaOf(x: Executor, id: string, lock: boolean) {
    const r = lock ? await rotaRepo.lock(x, id) : await rotaRepo.find(x, id);
    if (!r) throw new VigilError('VIG_ONCALL_ROTA_NOT_FOUND', { id });
    return r;
  }
  async function teamMember(x: Executor, id: string, path: string) {
    if (!(await peopleRepo.teamMembers(x, [id])).length) throw new VigilError('VIG_ONCALL_MEMBERS_INVALID', { errors: [{ path, message: `${id} is not an active team member` }] });
  }
  /** The rota's own shift of `userId` starting at `start`, not already swapped away. */
  async function ownShift(x: Executor, rota: OncallRotaRow, start: Date, userId: string) {
    const t = start.getTime();
    const accepted = await swapRepo.between(x, [rota.id], new Date(t - 8 * DAY), new Date(t + 1), 'accepted');
    const shifts = applySwaps(rotaShifts(specOf(rota), t, t + 1), accepted.map((s) => ({ id: s.id, shiftStart: s.shiftStart.getTime(), fromUserId: s.fromUserId, toUserId: s.toUserId })));
    const s = shifts.find((x) => x.start === t && x.userId === userId && x.source === 'rota');
    if (!s) throw new VigilError('VIG_ONCALL_SHIFT_NOT_FOUND', { rotaId: rota.id, shiftStart: start, userId });
    return s;
  }
  const swapAudit = (s: OncallSwapRow) => ({ rotaId: s.rotaId, shiftStart: s.shiftStart, fromUserId: s.fromUserId, toUserId: s.toUserId, status: s.status });

  return {
    async listOverrides(actor: Actor, rotaId: string) {
      authorize(actor, 'oncall.read');
      await rotaOf(d.db, rotaId, false);
      const now = d.clock.now().getTime();
      return overrideRepo.between(d.db, [rotaId], new Date(now - LIST_BACK), null);
    },

    async createOverride(actor: Actor, rotaId: string, input: OverrideInput) {
      authorize(actor, 'oncall.manage');
      if (!(input.endsAt > input.startsAt) || input.endsAt.getTime() - input.startsAt.getTime() > MAX_RANGE_DAYS * DAY) {
        throw new VigilError('VIG_ONCALL_RANGE_INVALID', { from: input.startsAt, to: input.endsAt, maxDays: MAX_RANGE_DAYS });
      }
      return d.db.transaction().execute(async (tx) => {
        await rotaOf(tx, rotaId, true); // serialises overrides of this rota
        await teamMember(tx, input.userId, 'userId');
        const clash = await overrideRepo.between(tx, [rotaId], input.startsAt, input.endsAt);
        if (clash.length) throw new VigilError('VIG_ONCALL_OVERRIDE_OVERLAP', { overlaps: clash.map((o) => ({ id: o.id, startsAt: o.startsAt, endsAt: o.endsAt })) });
        const o = await overrideRepo.insert(tx, { rotaId, userId: input.userId, startsAt: input.startsAt, endsAt: input.endsAt, note: input.note?.trim() ?? '', createdBy: actor.userId, at: d.clock.now() });
        await d.audit.record(tx, actor, { action: 'oncall_override.created', entity: 'oncall_override', entityId: o.id, after: { rotaId, userId: o.userId, startsAt: o.startsAt, endsAt: o.endsAt, note: o.note } });
        return o;
      });
    },

    async removeOverride(actor: Actor, id: string) {
      authorize(actor, 'oncall.manage');
      await d.db.transaction().execute(async (tx) => {
        const o = await overrideRepo.find(tx, id);
        if (!o) throw new VigilError('VIG_ONCALL_OVERRIDE_NOT_FOUND', { id });
        await rotaOf(tx, o.rotaId, true);
        await overrideRepo.delete(tx, id);
        await d.audit.record(tx, actor, { action: 'oncall_override.deleted', entity: 'oncall_override', entityId: id, before: { rotaId: o.rotaId, userId: o.userId, startsAt: o.startsAt, endsAt: o.endsAt } });
      });
    },

    async listSwaps(actor: Actor, rotaId: string) {
      authorize(actor, 'oncall.read');
      await rotaOf(d.db, rotaId, false);
      const now = d.clock.now().getTime();
      return swapRepo.between(d.db, [rotaId], new Date(now - LIST_BACK), null);
    },

    /** A member asks for a swap of their own shift; a manager may ask for anyone's, or apply it at once. */
    async requestSwap(actor: Actor, rotaId: string, input: SwapInput) {
      authorize(actor, 'oncall.read');
      const manager = can(actor, 'oncall.manage');
      const fromUserId = input.fromUserId ?? actor.userId;
      if (!fromUserId || (!manager && fromUserId !== actor.userId)) throw new VigilError('VIG_AUTHZ_FORBIDDEN', { permission: 'oncall.manage' });
      if (input.apply && !manager) throw new VigilError('VIG_AUTHZ_FORBIDDEN', { permission: 'oncall.manage' });
      return d.db.transaction().execute(async (tx) => {
        const rota = await rotaOf(tx, rotaId, true);
        if (input.toUserId === fromUserId) throw new VigilError('VIG_ONCALL_MEMBERS_INVALID', { errors: [{ path: 'toUserId', message: 'a swap is between two people' }] });
        await teamMember(tx, input.toUserId, 'toUserId');
        const shift = await ownShift(tx, rota, input.shiftStart, fromUserId);
        const s = await swapRepo.insert(tx, {
          rotaId, shiftStart: new Date(shift.start), shiftEnd: new Date(shift.end), fromUserId, toUserId: input.toUserId,
          status: input.apply ? 'accepted' : 'requested', note: input.note?.trim() ?? '', requestedBy: actor.userId, at: d.clock.now(), decidedBy: input.apply ? actor.userId : null,
        });
        await d.audit.record(tx, actor, { action: input.apply ? 'oncall_swap.applied' : 'oncall_swap.requested', entity: 'oncall_swap', entityId: s.id, after: swapAudit(s) });
        return s;
      });
    },

    /** The member asked (or a manager) accepts; the requester, the member asked or a manager may decline. */
    async decideSwap(actor: Actor, id: string, decision: 'accepted' | 'declined') {
      authorize(actor, 'oncall.read');
      return d.db.transaction().execute(async (tx) => {
        const found = await swapRepo.find(tx, id);
        if (!found) throw new VigilError('VIG_ONCALL_SWAP_NOT_FOUND', { id });
        const rota = await rotaOf(tx, found.rotaId, true);
        const before = (await swapRepo.lock(tx, id))!;
        const mayDecide = can(actor, 'oncall.manage') || actor.userId === before.toUserId || (decision === 'declined' && actor.userId === before.fromUserId);
        if (!mayDecide) throw new VigilError('VIG_AUTHZ_FORBIDDEN', { permission: 'oncall.manage' });
        if (before.status !== 'requested') throw new VigilError('VIG_ONCALL_SWAP_DECIDED', { id, swapStatus: before.status });
        if (decision === 'accepted') await ownShift(tx, rota, before.shiftStart, before.fromUserId);
        const after = await swapRepo.decide(tx, id, decision, actor.userId, d.clock.now());
        await d.audit.record(tx, actor, { action: `oncall_swap.${decision}`, entity: 'oncall_swap', entityId: id, before: swapAudit(before), after: swapAudit(after) });
        return after;
      });
    },
  };
}
export type OncallChangeService = ReturnType<typeof createOncallChangeService>;
