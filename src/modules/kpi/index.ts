// KPIs: measures over incidents and reports, periods, statistics and exports.
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files).
export { addMonths } from './period.ts';
export type { ActivityRow } from './repo.ts';
export type { KpiService, KpiValue, MonthlyKpis, PeriodKpis } from './service.ts';
export { INTERVALS, PRIORITIES } from './stats.ts';
export type { IncidentStats, SlaRate, TimeStat } from './stats.ts';
