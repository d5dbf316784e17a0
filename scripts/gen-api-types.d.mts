// Types of scripts/gen-api-types.mjs, for test/api-types.test.ts.
/** Where the generated types are checked in: web/src/api/schema.gen.ts. */
export declare const SCHEMA_FILE: string;
/** The server's OpenAPI document, built without a socket. */
export declare function openApiDocument(): Promise<Record<string, unknown>>;
/** The TypeScript text for an OpenAPI document. */
export declare function apiTypes(document: Record<string, unknown>): Promise<string>;
