// Incidents: declaring and changing them (every change an event), their schemas, taxonomy and
// priority, links, tasks, timelines and exports.
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files).
import type { Executor } from '../../db/index.ts';
import type { IncidentScope } from '../../lib/authz/incidents.ts';
import { incidentRepo } from './repo.ts';
import { type NewTask, taskRepo } from './tasks.repo.ts';

export { esc } from './export.html.ts';
export { loadFonts, loadPdfkit } from './export.pdf.ts';
export { humanize, TLP_COLOUR, tlpLabel } from './export.document.ts';
export { priorityOf } from './priority.ts';
export { ClassificationIn, IncidentParam, IncidentRoleEnum, IncidentView, Level, PapEnum, PriorityEnum, StatusEnum, TlpEnum, Version } from './schemas.ts';
export { canonicalRsit, RSIT } from './taxonomy.ts';
export type { IncidentView as IncidentRecord } from './view.ts';
export { recorder } from './service.ts';
// Left for reports/ and intake/ (being moved into triage); everything else imports it from src/lib/authz.
export type { DeclareInput, IncidentDeps, IncidentService } from './service.ts';
export { taskView } from './tasks.service.ts';
export type { TaskView } from './tasks.service.ts';

/** The incident with this id or reference if the scope may see it, else undefined (no permission check). */
export const findVisibleIncident = (x: Executor, scope: IncidentScope, idOrRef: string) => incidentRepo.findVisible(x, scope, idOrRef);
/** The incident with this id locked (FOR UPDATE) in the caller's transaction; no access check. */
export const lockIncident = (x: Executor, id: string) => incidentRepo.lockById(x, id);
/** The classifications of these incidents, each incident's primary first. */
export const classificationsOf = (x: Executor, incidentIds: string[]) => incidentRepo.classifications(x, incidentIds);
/** Inserts a task on an incident (the caller checks access and records the event); the new row. */
export const insertTask = (x: Executor, task: NewTask) => taskRepo.insert(x, task);

/** Of these incident ids, those the scope may see. */
export const visibleIncidentIds = (x: Executor, scope: IncidentScope, ids: string[]) => incidentRepo.visibleIds(x, scope, ids);
