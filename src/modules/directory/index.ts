// The team directory and the contact book: team members' profiles, external contacts, and an
// incident's contacts.
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes, services and workers from their own files).
export { contactById } from './contacts.service.ts';
export { membersInSeat } from './team.service.ts';
