// Names for the generated API types (schema.gen.ts, made by `npm run gen:api` from the server's
// OpenAPI document). The web app's record types are aliases of these, never restated by hand:
// a server change that the web app does not follow fails `tsc -p web/tsconfig.json`.
import type { components, operations } from './schema.gen';

export type { components, operations, paths } from './schema.gen';

/** A named schema of the API (a zod schema with `.meta({ id })` on the server). */
export type Schema<K extends keyof components['schemas']> = components['schemas'][K];

type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : never;
type Success<Op extends keyof operations> = operations[Op]['responses'] extends infer R ? R[Extract<keyof R, 200 | 201>] : never;

/** The JSON body of an operation's success answer (its 200 or 201), by the route's operationId. */
export type Answer<Op extends keyof operations> = JsonOf<Success<Op>>;

/** The JSON body an operation takes, by the route's operationId. */
export type Body<Op extends keyof operations> = operations[Op] extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;

/** The element type of an array type. */
export type ItemOf<A> = A extends readonly (infer T)[] ? T : never;
