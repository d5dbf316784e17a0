// Backups and restores of the database and evidence blobs (`vigil backup`, `vigil restore`), and
// the serving process's side of an embedded backup.
// The module's front door: no other module uses it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files), so it exports nothing.
export {};
