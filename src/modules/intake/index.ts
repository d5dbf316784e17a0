// Intake: stored raw items of every channel and their parsers, monitoring alerts and sources, and
// what triage reads of them (correlation and suggestions; the triage module decides).
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files).
export { saveAttachments } from './attachments.ts';
export type { IncomingFile } from './attachments.ts';
export { intakeItemRepo, sha256Of } from './items.repo.ts';
export type { IntakeItemRow } from './items.repo.ts';
export { channelActor } from './items.service.ts';
export type { IntakeItemService, ParseOutcome } from './items.service.ts';
export { abuseReportKind, abuseReportsIn, xarfReportsInText } from './abuse-report.ts';
export type { AbuseReport } from './abuse-report.ts';
export { alertRepo } from './alerts.repo.ts';
export type { AlertRow } from './alerts.repo.ts';
export { correlationRepo, SAME_TYPE_WINDOW_MS } from './correlation.repo.ts';
export { routingQueries, suggestFromText, uniqueObservables, withAbuseReports, withConstituents } from './suggest.ts';
export type { RoutedConstituent, Suggestion } from './suggest.ts';
export { AbuseReportView, AlertChanged, AlertRef, Correlated, DismissalEnum, Observable, Suggestions } from './schemas.ts';
