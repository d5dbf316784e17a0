// Observables: indicators (addresses, domains, hashes …) extracted from and attached to incidents,
// normalised and searchable.
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files).
export { extractObservables } from './extract.ts';
export { normaliseObservable, OBSERVABLE_TYPES, ObservableInvalid } from './normalise.ts';
export type { ObservableType } from './normalise.ts';
export type { ObservableService } from './service.ts';
