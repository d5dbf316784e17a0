// Team-wide settings, cached per process.
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files).
export type { SettingsService } from './service.ts';
