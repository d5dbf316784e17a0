// Incidents: declaring and changing them (every change an event), their schemas, taxonomy and
// priority, links, tasks, timelines and exports.
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files).
export { esc } from './export.html.ts';
export { loadFonts, loadPdfkit } from './export.pdf.ts';
export { humanize, TLP_COLOUR, tlpLabel } from './export.document.ts';
export { priorityOf } from './priority.ts';
export { incidentRepo } from './repo.ts';
export { ClassificationIn, IncidentParam, IncidentRoleEnum, IncidentView, Level, PapEnum, PriorityEnum, StatusEnum, TlpEnum, Version } from './schemas.ts';
export { taskRepo } from './tasks.repo.ts';
export { canonicalRsit, RSIT } from './taxonomy.ts';
export type { IncidentView as IncidentRecord } from './view.ts';
export { recorder } from './service.ts';
// Left for reports/ and intake/ (being moved into triage); everything else imports it from src/lib/authz.
export { lockVisible } from '../../lib/authz/access.repo.ts';
export type { DeclareInput, IncidentDeps, IncidentService } from './service.ts';
export { taskView } from './tasks.service.ts';
export type { TaskView } from './tasks.service.ts';
