// Who is on duty: what paging and escalation ask of on-call. No access check here: callers are
// Vigil's own jobs (escalations), which act for the system; users go through the service.
import type { Executor } from '../../db/index.ts';
import { rotaRepo } from './repo.ts';
import { shiftsOf } from './service.ts';
import { onDuty } from './schedule.ts';

/** User ids on duty in one rota at an instant (overrides and accepted swaps applied); [] when nobody is, or no such rota. */
export async function onDutyAt(x: Executor, rotaId: string, at: Date): Promise<string[]> {
  const rota = await rotaRepo.find(x, rotaId);
  if (!rota) return [];
  const shifts = await shiftsOf(x, rota, at, new Date(at.getTime() + 1));
  return [...new Set(onDuty(shifts, at.getTime()).map((s) => s.userId))];
}

/** Every rota with who is on duty in it at an instant (empty `userIds` for a rota nobody covers then). */
export async function onDutyAnyAt(x: Executor, at: Date): Promise<{ rotaId: string; rotaName: string; userIds: string[] }[]> {
  const out = [];
  for (const rota of await rotaRepo.list(x)) {
    const shifts = await shiftsOf(x, rota, at, new Date(at.getTime() + 1));
    out.push({ rotaId: rota.id, rotaName: rota.name, userIds: [...new Set(onDuty(shifts, at.getTime()).map((s) => s.userId))] });
  }
  return out;
}
