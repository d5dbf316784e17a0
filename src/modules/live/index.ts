// Live updates: the server-sent-event stream that tells the web app which incidents and reports
// changed.
// The module's front door: no other module uses it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files), so it exports nothing.
export {};
