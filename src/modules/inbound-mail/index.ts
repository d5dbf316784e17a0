// Incoming e-mail: the SMTP listener, the parse queue, and filing messages as reports, replies or
// communications.
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files).
export { keyLoader } from './pgp.ts';
