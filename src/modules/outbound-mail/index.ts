// Mail to reporters: receipts and updates, their templates and addresses, delivered through the
// delivery layer.
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files).
import type { Executor } from '../../db/index.ts';
import { mailRepo } from './repo.ts';

export { addressOf, messageIdDomain, ownAddresses, unanswerable } from './addresses.ts';

/** Which reports the mail we sent with these Message-IDs was about (a reply threads onto it); ids as given. */
export const reportsOfSentMessageIds = (x: Executor, ids: readonly string[]) => mailRepo.reportOfMessageIds(x, ids);
