// Reports: what reporters sent (kept raw), their triage into incidents, and their attachments.
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files).
export { reportRepo } from './repo.ts';
export type { ReportRow, ReportScope } from './repo.ts';
export { publicStatus } from './service.ts';
export type { ReceiveInput, ReportService } from './service.ts';
