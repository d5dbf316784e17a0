// Reports: what reporters sent (kept raw), how they are shown, and their attachments (triage decides what becomes of them).
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files).
export { reportRepo } from './repo.ts';
export type { ReportRow, ReportScope } from './repo.ts';
export { publicStatus } from './service.ts';
export type { ReceiveInput, ReportService, TeamReportView } from './service.ts';
export { RejectionEnum, ReportParam, ReportVersion, TeamReport } from './schemas.ts';
