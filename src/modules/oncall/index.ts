// On-call: rotas, shifts, swaps and overrides, and who is on duty now.
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files).
export { onDutyAnyAt, onDutyAt } from './duty.ts';
export { peopleRepo, rotaRepo } from './repo.ts';
export { onDuty } from './schedule.ts';
export { shiftsOf } from './service.ts';
