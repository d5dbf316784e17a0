// Escalation: policies that page people when an incident is declared or left unacknowledged, and
// the worker that sends the pages.
// The module's front door: no other module uses it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files), so it exports nothing.
export {};
