// SLAs: policies, the clocks projected from incident events, and the watch that warns before a
// clock runs out.
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files).
export { METRICS, milestones } from './clocks.ts';
export type { ClockEvent, Metric } from './clocks.ts';
