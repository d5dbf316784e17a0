// All SQL of on-call: rotas, overrides, swaps, and the team members they name.
import type { Executor } from '../../db/index.ts';
import type { SwapStatus } from '../../db/schema.ts';

export const rotaRepo = {
  list: (x: Executor) => x.selectFrom('oncallRota').selectAll().orderBy('name').execute(),
  find: (x: Executor, id: string) => x.selectFrom('oncallRota').selectAll().where('id', '=', id).executeTakeFirst(),
  lock: (x: Executor, id: string) => x.selectFrom('oncallRota').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),
  nameTaken: async (x: Executor, name: string, exceptId?: string) => {
    let q = x.selectFrom('oncallRota').select('id').where('name', '=', name);
    if (exceptId) q = q.where('id', '<>', exceptId);
    return !!(await q.executeTakeFirst());
  },
  insert: (x: Executor, r: { name: string; description: string; timeZone: string; pattern: unknown; members: string[]; anchorDate: string; createdBy: string | null; at: Date }) =>
    x.insertInto('oncallRota')
      .values({
        name: r.name, description: r.description, timeZone: r.timeZone, pattern: JSON.stringify(r.pattern), members: JSON.stringify(r.members),
        anchorDate: r.anchorDate, createdBy: r.createdBy, createdAt: r.at, updatedAt: r.at,
      })
      .returningAll().executeTakeFirstOrThrow(),
  update: (x: Executor, id: string, r: { name: string; description: string; timeZone: string; pattern: unknown; members: string[]; anchorDate: string; at: Date }) =>
    x.updateTable('oncallRota')
      .set((eb) => ({
        name: r.name, description: r.description, timeZone: r.timeZone, pattern: JSON.stringify(r.pattern), members: JSON.stringify(r.members),
        anchorDate: r.anchorDate, updatedAt: r.at, version: eb('version', '+', 1),
      }))
      .where('id', '=', id).returningAll().executeTakeFirstOrThrow(),
  delete: (x: Executor, id: string) => x.deleteFrom('oncallRota').where('id', '=', id).execute(),
};

export const overrideRepo = {
  /** Overrides of rotas (all when `rotaIds` is undefined) that overlap [from, to) (no end when `to` is null). */
  between: (x: Executor, rotaIds: string[] | undefined, from: Date, to: Date | null) => {
    let q = x.selectFrom('oncallOverride').selectAll().where('endsAt', '>', from);
    if (to) q = q.where('startsAt', '<', to);
    if (rotaIds) {
      if (!rotaIds.length) return Promise.resolve([]);
      q = q.where('rotaId', 'in', rotaIds);
    }
    return q.orderBy('startsAt').execute();
  },
  find: (x: Executor, id: string) => x.selectFrom('oncallOverride').selectAll().where('id', '=', id).executeTakeFirst(),
  insert: (x: Executor, o: { rotaId: string; userId: string; startsAt: Date; endsAt: Date; note: string; createdBy: string | null; at: Date }) =>
    x.insertInto('oncallOverride')
      .values({ rotaId: o.rotaId, userId: o.userId, startsAt: o.startsAt, endsAt: o.endsAt, note: o.note, createdBy: o.createdBy, createdAt: o.at })
      .returningAll().executeTakeFirstOrThrow(),
  delete: (x: Executor, id: string) => x.deleteFrom('oncallOverride').where('id', '=', id).execute(),
};

export const swapRepo = {
  /** Swaps of rotas (all when `rotaIds` is undefined) whose shift overlaps [from, to) (no end when `to` is null), optionally of one status. */
  between: (x: Executor, rotaIds: string[] | undefined, from: Date, to: Date | null, status?: SwapStatus) => {
    let q = x.selectFrom('oncallSwap').selectAll().where('shiftEnd', '>', from);
    if (to) q = q.where('shiftStart', '<', to);
    if (status) q = q.where('status', '=', status);
    if (rotaIds) {
      if (!rotaIds.length) return Promise.resolve([]);
      q = q.where('rotaId', 'in', rotaIds);
    }
    return q.orderBy('shiftStart').execute();
  },
  find: (x: Executor, id: string) => x.selectFrom('oncallSwap').selectAll().where('id', '=', id).executeTakeFirst(),
  lock: (x: Executor, id: string) => x.selectFrom('oncallSwap').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),
  acceptedFor: (x: Executor, rotaId: string, shiftStart: Date, fromUserId: string) =>
    x.selectFrom('oncallSwap').select('id').where('rotaId', '=', rotaId).where('shiftStart', '=', shiftStart)
      .where('fromUserId', '=', fromUserId).where('status', '=', 'accepted').executeTakeFirst(),
  insert: (x: Executor, s: { rotaId: string; shiftStart: Date; shiftEnd: Date; fromUserId: string; toUserId: string; status: SwapStatus; note: string; requestedBy: string | null; at: Date; decidedBy: string | null }) =>
    x.insertInto('oncallSwap')
      .values({
        rotaId: s.rotaId, shiftStart: s.shiftStart, shiftEnd: s.shiftEnd, fromUserId: s.fromUserId, toUserId: s.toUserId, status: s.status, note: s.note,
        requestedBy: s.requestedBy, requestedAt: s.at, decidedBy: s.decidedBy, decidedAt: s.status === 'requested' ? null : s.at,
      })
      .returningAll().executeTakeFirstOrThrow(),
  decide: (x: Executor, id: string, status: SwapStatus, by: string | null, at: Date) =>
    x.updateTable('oncallSwap').set({ status, decidedBy: by, decidedAt: at }).where('id', '=', id).returningAll().executeTakeFirstOrThrow(),
};

export const peopleRepo = {
  /** Team members (enabled, not only reporters) among these ids, with their names. */
  teamMembers: (x: Executor, ids: string[]) =>
    ids.length
      ? x.selectFrom('appUser').select(['id', 'displayName', 'roles', 'disabledAt']).where('id', 'in', ids).execute()
          .then((rows) => rows.filter((r) => !r.disabledAt && r.roles.some((role) => role !== 'reporter')).map((r) => ({ id: r.id, displayName: r.displayName })))
      : Promise.resolve([]),
  names: (x: Executor, ids: string[]) =>
    ids.length ? x.selectFrom('appUser').select(['id', 'displayName']).where('id', 'in', ids).execute() : Promise.resolve([]),
};
