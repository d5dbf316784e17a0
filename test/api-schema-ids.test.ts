import { describe, expect, it } from 'vitest';
import { z } from 'zod';

/**
 * Every named schema of the API (`.meta({ id })`) is named once. Two schemas under one id do not
 * fail anywhere by themselves: the OpenAPI document keeps one of them as the component and every
 * route that used the other is described with the wrong shape (GET /team-members was described as
 * the team directory's record), and so are the web app's generated types.
 */
describe('the named schemas of the API', () => {
  it('each id names one schema', async () => {
    const named = new Map<string, number>();
    const registry = z.globalRegistry;
    const add = registry.add.bind(registry);
    registry.add = ((schema: z.core.$ZodType, ...meta: [z.core.GlobalMeta?]) => {
      const id = meta[0]?.id;
      if (id) named.set(id, (named.get(id) ?? 0) + 1);
      return add(schema, ...(meta as [z.core.GlobalMeta]));
    }) as typeof registry.add;
    try {
      // Builds the app (every module's routes and schemas) and its OpenAPI document.
      const { openApiDocument } = await import('../scripts/gen-api-types.mjs');
      const document = (await openApiDocument()) as { components: { schemas: Record<string, unknown> } };
      expect(Object.keys(document.components.schemas)).toContain('Incident');
      expect(named.size).toBeGreaterThan(10);
      expect([...named].filter(([, n]) => n > 1).map(([id]) => id)).toEqual([]);
    } finally {
      registry.add = add;
    }
  }, 120_000);
});
