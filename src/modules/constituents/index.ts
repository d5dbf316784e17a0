// The constituency: constituents, their networks and domains, and routing an address or name to the
// constituent it belongs to.
// The module's front door: no other module uses it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files), so it exports nothing.
export {};
