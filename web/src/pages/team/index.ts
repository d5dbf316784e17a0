// The team and the external contact directory: the two pages web/src/routes.tsx shows.
export { TeamPage } from './TeamPage';
export { ContactsPage } from './ContactsPage';
