// Mail to reporters: receipts and updates, their templates and addresses, delivered through the
// delivery layer.
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files).
export { addressOf, messageIdDomain, ownAddresses, unanswerable } from './addresses.ts';
export { mailRepo } from './repo.ts';
