// Intake: stored raw items of every channel and their parsers, monitoring alerts and sources, and
// triage (correlation and suggestions).
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files).
export { saveAttachments } from './attachments.ts';
export type { IncomingFile } from './attachments.ts';
export { intakeItemRepo, sha256Of } from './items.repo.ts';
export type { IntakeItemRow } from './items.repo.ts';
export { channelActor } from './items.service.ts';
export type { IntakeItemService, ParseOutcome } from './items.service.ts';
