// The audit trail: recording changes in the caller's transaction (the hash chain), verifying it,
// and its signed anchors.
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files).
import type { Executor } from '../../db/index.ts';
import { anchorRepo } from './anchor.repo.ts';

export { startAnchorWorker } from './anchor.ts';
export { anchorMailHandler, queueAnchorMail, AUDIT_ANCHOR_MAIL } from './anchor-mail.ts';
export type { Anchor } from './anchor.ts';
export { GENESIS_HASH, hashRecord, verifyChain } from './service.ts';
export type { AuditService, VerifyResult } from './service.ts';

/** The audit chain's last record (seq and hash) as the chain itself holds it, or undefined when empty. */
export const chainHead = (x: Executor) => anchorRepo.head(x);
