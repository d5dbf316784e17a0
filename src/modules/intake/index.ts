// Intake: stored raw items of every channel and their parsers, monitoring alerts and sources, and
// what triage reads of them (correlation and suggestions; the triage module decides).
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files).
export { saveAttachments } from './attachments.ts';
export type { IncomingFile } from './attachments.ts';
import type { Executor } from '../../db/index.ts';
import { alertRepo } from './alerts.repo.ts';
import { correlationRepo } from './correlation.repo.ts';
import { intakeItemRepo } from './items.repo.ts';

export { sha256Of } from './items.repo.ts';
/** The intake items that carried mail with these Message-IDs (threading a reply onto its report). */
export const itemsByMessageIds = (x: Executor, messageIds: string[]) => intakeItemRepo.byMessageIds(x, messageIds);
/** The incidents an item's observables, reporter and class correlate with, as the scope may see them. */
export const correlatedIncidents = (...a: Parameters<typeof correlationRepo.forItem>) => correlationRepo.forItem(...a);

/**
 * What triage reads and writes of alerts when it decides about them (acknowledge, dismiss, link,
 * reopen, escalate): the caller checks access first.
 */
export const alertDecisions = {
  /** The alert if the scope may see it. */
  findVisible: alertRepo.findVisible,
  /** These alerts locked (FOR UPDATE). */
  lockMany: alertRepo.lockMany,
  /** Changes one alert; the row after. */
  update: alertRepo.update,
  /** Changes these alerts alike; the rows after. */
  updateMany: alertRepo.updateMany,
  /** Adds an event to an alert's history. */
  addEvent: alertRepo.addEvent,
  /** Adds events to alerts' histories in one statement. */
  addEvents: alertRepo.addEvents,
};
export type { IntakeItemRow } from './items.repo.ts';
export { channelActor } from './items.service.ts';
export type { IntakeItemService, ParseOutcome } from './items.service.ts';
export { abuseReportKind, abuseReportsIn, xarfReportsInText } from './abuse-report.ts';
export type { AbuseReport } from './abuse-report.ts';
// X-ARF v4 recognition and its RSIT class, for the feeds module's X-ARF parser.
export { isXarf, rsitOfXarf } from './xarf.ts';
export type { XarfReport } from './xarf.ts';
export type { AlertRow } from './alerts.repo.ts';
export { SAME_TYPE_WINDOW_MS } from './correlation.repo.ts';
export { routingQueries, suggestFromText, uniqueObservables, withAbuseReports, withConstituents } from './suggest.ts';
export type { RoutedConstituent, Suggestion } from './suggest.ts';
export { AbuseReportView, AlertChanged, AlertRef, Correlated, DismissalEnum, Observable, Suggestions } from './schemas.ts';
