// Playbooks: task lists suggested for incidents by classification and priority.
// The module's front door: no other module uses it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files), so it exports nothing.
export {};
