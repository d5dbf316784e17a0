// Reports: what reporters sent (kept raw), how they are shown, and their attachments (triage decides what becomes of them).
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files).
import type { Executor } from '../../db/index.ts';
import { reportRepo } from './repo.ts';

/** Adds a message (a reporter's reply or a team note) to a report's thread; its id and arrival time. */
export const addReportMessage = (x: Executor, m: Parameters<typeof reportRepo.addMessage>[1]) => reportRepo.addMessage(x, m);
/** The report with this id, whoever may see it (the caller checks access), or undefined. */
export const reportById = (x: Executor, id: string) => reportRepo.byId(x, id);
/** The report with this id locked (FOR UPDATE) in the caller's transaction; no access check. */
export const lockReport = (x: Executor, id: string) => reportRepo.lockById(x, id);
/** Reference, title and status of these incidents, for a report's public status. */
export const incidentsOfReports = (x: Executor, incidentIds: string[]) => reportRepo.incidentsOf(x, incidentIds);
/** Of these report ids, those the scope may see. */
export const visibleReportIds = (x: Executor, scope: ReportScope, ids: string[]) => reportRepo.visibleIds(x, scope, ids);

/**
 * What triage reads and writes of reports when it decides about them (link, merge, reject, reopen,
 * declare): the caller checks access first and records the events.
 */
export const reportDecisions = {
  /** The report if the scope may see it. */
  findVisible: reportRepo.findVisible,
  /** One report locked (FOR UPDATE). */
  lockById: reportRepo.lockById,
  /** These reports locked (FOR UPDATE), in id order. */
  lockMany: reportRepo.lockMany,
  /** Changes a report's decision fields; the row after. */
  update: reportRepo.update,
  /** The reports merged into this one. */
  followers: reportRepo.followers,
  /** Whether any report is merged into this one. */
  hasFollowers: reportRepo.hasFollowers,
  /** A report's thread. */
  messages: reportRepo.messages,
  /** A report's attachments. */
  attachments: reportRepo.attachments,
};

import type { ReportScope } from './repo.ts';
export type { ReportRow, ReportScope } from './repo.ts';
export { publicStatus } from './service.ts';
export type { ReceiveInput, ReportService, TeamReportView } from './service.ts';
export { RejectionEnum, ReportParam, ReportVersion, TeamReport } from './schemas.ts';
