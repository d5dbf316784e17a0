// Evidence: files kept by SHA-256 in the blob store with their chain of custody, and the sweep of
// unreferenced blobs.
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files).
export type { BlobStore, createBlobStore } from './blobs.ts';
export { Evidence } from './routes.ts';
export type { EvidenceService } from './service.ts';
