// The constituency: constituents, their networks and domains, and routing an address or name to the
// constituent it belongs to.
// The module's front door: other modules route through the in-memory routing index the composition
// root (src/*.ts) makes and hands them; they import its types from here.
export type { RouteMatch, RoutingIndex } from './routing-index.ts';
