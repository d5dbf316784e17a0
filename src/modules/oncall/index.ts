// On-call: rotas, shifts, swaps and overrides, and who is on duty now.
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files).
import type { Executor } from '../../db/index.ts';
import { peopleRepo, rotaRepo } from './repo.ts';

export { onDutyAnyAt, onDutyAt } from './duty.ts';
export { onDuty } from './schedule.ts';
export { shiftsOf } from './service.ts';

/** Every rota, by name. */
export const listRotas = (x: Executor) => rotaRepo.list(x);
/** The rota with this id, or undefined. */
export const rotaById = (x: Executor, id: string) => rotaRepo.find(x, id);
/** The display names of these users (those that exist). */
export const displayNames = (x: Executor, userIds: string[]) => peopleRepo.names(x, userIds);
