/**
 * JSON with object keys sorted at every level, so the same value always gives the same text
 * whatever order PostgreSQL's jsonb or a JavaScript object kept the keys in. Used for hashing.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

/** Turns a row into plain JSON data (Dates to ISO strings, undefined dropped). */
export function toPlainJson<T>(v: T): unknown {
  return v === undefined ? null : JSON.parse(JSON.stringify(v));
}
