import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from './app.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Operation = { operationId?: string; parameters?: { in: string; name: string; required?: boolean }[]; responses?: Record<string, unknown> };

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** Every `$ref` in the document, with the JSON pointer of where it stands. */
function refsOf(node: Json, at = '#'): { at: string; ref: string }[] {
  if (Array.isArray(node)) return node.flatMap((v, i) => refsOf(v, `${at}/${i}`));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) =>
    k === '$ref' && typeof v === 'string' ? [{ at, ref: v }] : refsOf(v, `${at}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`),
  );
}

/** The value a local JSON pointer (`#/a/b`) names, or undefined. */
function resolve(doc: Json, ref: string): Json | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let node: Json | undefined = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, Json>)[key];
  }
  return node;
}

/**
 * The API description as a client generator reads it: a valid OpenAPI 3 document whose every
 * `$ref` resolves (its named schemas are in components.schemas), and the Swagger UI that shows it.
 */
describe('the OpenAPI document', () => {
  let t: TestApp;
  let spec: Json & { paths: Record<string, Record<string, Operation>>; components: { schemas?: Record<string, Json> } };

  beforeAll(async () => {
    t = await makeApp('pglite');
    const r = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(r.statusCode).toBe(200);
    spec = r.json();
  });
  afterAll(() => t?.close());

  it('resolves every $ref inside the document', () => {
    const refs = refsOf(spec);
    expect(refs.length).toBeGreaterThan(50);
    const broken = refs.filter(({ ref }) => resolve(spec, ref) === undefined).map(({ at, ref }) => `${at}: ${ref}`);
    expect(broken).toEqual([]);
    // The shared schemas named with .meta({ id }) are components, not copied inline.
    for (const name of ['Problem', 'User', 'Role', 'Incident']) expect(spec.components.schemas, name).toHaveProperty(name);
  });

  it('validates as OpenAPI 3', async () => {
    const validator = new Validator();
    const res = await validator.validate(structuredClone(spec) as Record<string, unknown>);
    expect(res.errors ?? [], JSON.stringify(res.errors, null, 1)?.slice(0, 4000)).toEqual([]);
    expect(res.valid).toBe(true);
    expect(validator.version).toMatch(/^3\./);
  });

  it('gives every operation responses, a unique operationId and its path parameters', () => {
    const ids = new Map<string, string>();
    const problems: string[] = [];
    for (const [path, item] of Object.entries(spec.paths)) {
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
      for (const [method, op] of Object.entries(item)) {
        if (!METHODS.has(method)) continue;
        const where = `${method.toUpperCase()} ${path}`;
        if (!op.responses || Object.keys(op.responses).length === 0) problems.push(`${where}: no responses`);
        if (op.operationId) {
          if (ids.has(op.operationId)) problems.push(`${where}: operationId ${op.operationId} also on ${ids.get(op.operationId)}`);
          ids.set(op.operationId, where);
        }
        const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
        for (const name of inPath) {
          const p = declared.find((d) => d.name === name);
          if (!p) problems.push(`${where}: path parameter {${name}} not declared`);
          else if (p.required !== true) problems.push(`${where}: path parameter {${name}} not required`);
        }
        for (const d of declared) if (!inPath.includes(d.name)) problems.push(`${where}: declares path parameter ${d.name} not in the path`);
      }
    }
    expect(problems).toEqual([]);
    expect(ids.size).toBeGreaterThan(100);
  });

  it('serves the Swagger UI with the same document', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toMatch(/swagger-ui/i);
    const init = await t.app.inject({ method: 'GET', url: '/api/docs/static/swagger-initializer.js' });
    expect(init.statusCode).toBe(200);
    const doc = await t.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(doc.statusCode).toBe(200);
    expect(Object.keys(doc.json().components.schemas ?? {}).sort()).toEqual(Object.keys(spec.components.schemas ?? {}).sort());
  });
});
