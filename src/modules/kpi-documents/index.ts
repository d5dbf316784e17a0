// Scheduled KPI reports: their content, rendering (HTML, PDF, charts) and schedules, delivered
// through the delivery layer.
// The module's front door: no other module uses it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files), so it exports nothing.
export {};
