// Prints, as JSON, how often each id is given to a schema while the app's modules load, and the
// OpenAPI document's component names (test/api-schema-ids.test.ts runs this in a process of its own).
import { z } from 'zod';

const named = new Map();
const registry = z.globalRegistry;
const add = registry.add.bind(registry);
registry.add = (schema, ...meta) => {
  const id = meta[0]?.id;
  if (id) named.set(id, (named.get(id) ?? 0) + 1);
  return add(schema, ...meta);
};
const { openApiDocument } = await import('../scripts/gen-api-types.mjs');
const document = await openApiDocument();
console.log(JSON.stringify({ components: Object.keys(document.components.schemas), named: [...named] }));
process.exit(0);
