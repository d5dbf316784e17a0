import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AlertSeverity } from '../../db/schema.ts';
import { canonicalJson } from '../../lib/canonical-json.ts';
import { canonicalRsit, RSIT } from '../incidents/index.ts';
import { extractObservables, normaliseObservable, OBSERVABLE_TYPES, ObservableInvalid, type ObservableType } from '../observables/index.ts';

/**
 * How a monitoring source's JSON becomes alerts. A value is either a path into the item
 * (`$.rule.name`, `$.hits[0].ip`) or a template with paths in braces (`{{rule.name}} on {{agent.name}}`);
 * text without braces is a literal.
 */
const Value = z.string().min(1).max(500);
const Lookup = z.object({
  from: Value,
  map: z.record(z.string().max(200), z.string().max(200)).default({}),
  default: z.string().max(200).optional(),
});

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const satisfies readonly AlertSeverity[];

export const Mapping = z
  .object({
    /** Where the alerts are in a body: a path to an array; without it, the body (an object or an array of them). */
    items: z.string().regex(/^\$\./).max(200).optional(),
    title: Value,
    description: Value.optional(),
    severity: z.union([z.enum(SEVERITIES), Lookup]).default('medium'),
    sourceRef: Value.optional(),
    observedAt: Value.optional(),
    /** Paths whose values identify repeats of the same alert; default: sourceRef, else the whole item. */
    fingerprint: z.array(Value).min(1).max(10).optional(),
    /** RSIT `class/type`: fixed, or looked up from a field. */
    classification: z.union([z.string().max(200), Lookup]).optional(),
    observables: z.array(z.object({ type: z.enum(OBSERVABLE_TYPES), from: Value })).max(50).default([]),
    /** Fields whose text is searched for observables (IPs, domains, URLs, hashes, defanged forms too). */
    extract: z.array(Value).max(20).default([]),
    /** Extra fields kept on the alert as they came (name → path). */
    keep: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/), Value).default({}),
  })
  .strict();
export type Mapping = z.infer<typeof Mapping>;

export class MappingError extends Error {}

const PATH_PART = /([^.[\]]+)|\[(\d+)\]/g;

/** The value at a path such as `$.a.b[2].c` (or `a.b` inside a template). */
export function at(item: unknown, path: string): unknown {
  let cur: unknown = item;
  const p = path.startsWith('$.') ? path.slice(2) : path === '$' ? '' : path;
  for (const m of p.matchAll(PATH_PART)) {
    if (cur === null || cur === undefined) return undefined;
    if (m[2] !== undefined) cur = Array.isArray(cur) ? cur[Number(m[2])] : undefined;
    else cur = typeof cur === 'object' && Object.hasOwn(cur as object, m[1]!) ? (cur as Record<string, unknown>)[m[1]!] : undefined;
  }
  return cur;
}

const text = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** Resolves a mapping value against an item: a path, a template, or a literal. */
export function resolve(item: unknown, value: string): unknown {
  if (value.startsWith('$.') || value === '$') return at(item, value);
  if (!value.includes('{{')) return value;
  // A template none of whose fields is there yields nothing, not its bare punctuation.
  let filled = false;
  const out = value.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_m, p: string) => {
    const v = text(at(item, p));
    if (v.trim()) filled = true;
    return v;
  });
  return filled ? out : '';
}

function lookup(item: unknown, l: z.infer<typeof Lookup>): string | undefined {
  const raw = text(resolve(item, l.from)).trim();
  if (Object.hasOwn(l.map, raw)) return l.map[raw];
  const n = Number(raw);
  if (raw !== '' && Number.isFinite(n)) {
    // Threshold keys (">=12", "<3"): the tightest bound that holds wins — the highest of the lower
    // bounds, else the lowest of the upper bounds — whatever order the keys are stored in.
    let best: { v: string; lower: boolean; t: number } | undefined;
    for (const [k, v] of Object.entries(l.map)) {
      const m = /^(>=|>|<=|<)\s*(-?\d+(?:\.\d+)?)$/.exec(k);
      if (!m) continue;
      const t = Number(m[2]);
      const lower = m[1]!.startsWith('>');
      const holds = (m[1] === '>=' && n >= t) || (m[1] === '>' && n > t) || (m[1] === '<=' && n <= t) || (m[1] === '<' && n < t);
      if (!holds) continue;
      if (!best || (lower && (!best.lower || t > best.t)) || (!lower && !best.lower && t < best.t)) best = { v, lower, t };
    }
    if (best) return best.v;
  }
  return l.default ?? (raw || undefined);
}

const knownRsit = new Set(RSIT.flatMap((c) => c.types.map((t) => `${c.value}/${t.value}`)));

/** Checks what a mapping can check before any alert arrives: severities and RSIT values it maps to. */
export function checkMapping(m: Mapping): string[] {
  const problems: string[] = [];
  if (typeof m.severity === 'object') {
    for (const [k, v] of Object.entries(m.severity.map)) if (!(SEVERITIES as readonly string[]).includes(v)) problems.push(`severity.map["${k}"]: ${v} is not one of ${SEVERITIES.join(', ')}`);
    if (m.severity.default && !(SEVERITIES as readonly string[]).includes(m.severity.default)) problems.push(`severity.default: ${m.severity.default} is not a severity`);
  }
  const rsit = (v: string, where: string) => {
    if (!knownRsit.has(canonicalRsit(v).replace(':', '/'))) problems.push(`${where}: ${v} is not an RSIT class/type`);
  };
  if (typeof m.classification === 'string' && !m.classification.includes('{{') && !m.classification.startsWith('$')) rsit(m.classification, 'classification');
  if (typeof m.classification === 'object') {
    for (const [k, v] of Object.entries(m.classification.map)) rsit(v, `classification.map["${k}"]`);
    if (m.classification.default) rsit(m.classification.default, 'classification.default');
  }
  return problems;
}

export interface MappedAlert {
  title: string;
  description: string;
  severity: AlertSeverity;
  sourceRef: string | null;
  observedAt: Date | null;
  fingerprint: string;
  classification: { class: string; type: string } | null;
  observables: { type: ObservableType; value: string }[];
  fields: Record<string, unknown>;
}

/** The text of a body: in its declared charset if that reads it cleanly, else UTF-8, else windows-1252. */
export function bodyText(content: Uint8Array, contentType: string): string {
  const declared = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1];
  for (const label of [declared, 'utf-8']) {
    if (!label) continue;
    try {
      return new TextDecoder(label, { fatal: true }).decode(content);
    } catch {
      /* an unknown label, or bytes that are not in it: try the next */
    }
  }
  return new TextDecoder('windows-1252').decode(content);
}

/**
 * A posted body as JSON: one document, or NDJSON (one JSON document a line) as an array. The
 * reason when it is neither.
 */
export function jsonBody(content: Uint8Array, contentType: string): { body: unknown } | { error: string } {
  const text = bodyText(content, contentType).replace(/^\uFEFF/, '');
  try {
    return { body: JSON.parse(text) };
  } catch (e) {
    const lines = text.split(/\r?\n/).filter((l) => l.trim());
    if (lines.length > 1 || /ndjson|jsonl|json-seq/i.test(contentType)) {
      try {
        return { body: lines.map((l) => JSON.parse(l.replace(/^\x1e/, ''))) };
      } catch {
        /* not NDJSON either */
      }
    }
    return { error: `the body is not JSON (nor NDJSON): ${(e as Error).message}` };
  }
}

/** The items of a body: the array at `items`, the body if it is an array, else the body alone. */
export function itemsOf(body: unknown, m: Mapping): unknown[] {
  const root = m.items ? at(body, m.items) : body;
  if (m.items && !Array.isArray(root)) throw new MappingError(`${m.items} is not an array`);
  const list = Array.isArray(root) ? root : [root];
  if (list.length === 0) throw new MappingError('the body holds no alerts');
  list.forEach((x, i) => {
    if (!x || typeof x !== 'object' || Array.isArray(x)) throw new MappingError(`item ${i} is not a JSON object`);
  });
  return list;
}

const oneLine = (s: string, max: number) => s.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, max);

/** Applies a source's mapping to one item; throws MappingError with the reason when it cannot. */
export function mapAlert(item: unknown, m: Mapping): MappedAlert {
  const title = oneLine(text(resolve(item, m.title)), 300);
  if (!title) throw new MappingError(`the title (${m.title}) is empty for this item`);
  const description = m.description ? text(resolve(item, m.description)).slice(0, 100_000) : '';
  let severity: AlertSeverity = 'medium';
  if (typeof m.severity === 'string') severity = m.severity;
  else {
    const s = lookup(item, m.severity)?.toLowerCase();
    if (!s || !(SEVERITIES as readonly string[]).includes(s)) throw new MappingError(`severity "${s ?? ''}" (from ${m.severity.from}) is not one of ${SEVERITIES.join(', ')}; add it to severity.map or set a default`);
    severity = s as AlertSeverity;
  }
  const sourceRef = m.sourceRef ? oneLine(text(resolve(item, m.sourceRef)), 200) || null : null;
  let observedAt: Date | null = null;
  if (m.observedAt) {
    const v = resolve(item, m.observedAt);
    if (v !== undefined && v !== null && v !== '') {
      const d = typeof v === 'number' ? new Date(v < 1e12 ? v * 1000 : v) : new Date(text(v));
      if (Number.isNaN(d.getTime())) throw new MappingError(`observedAt (${m.observedAt}) is not a date: ${text(v).slice(0, 60)}`);
      observedAt = d;
    }
  }
  const fpSource = m.fingerprint ? m.fingerprint.map((p) => text(resolve(item, p))) : sourceRef ? [sourceRef] : [canonicalJson(item)];
  const fingerprint = createHash('sha256').update(JSON.stringify(fpSource)).digest('hex');

  let classification: MappedAlert['classification'] = null;
  const c = typeof m.classification === 'string' ? text(resolve(item, m.classification)) : m.classification ? lookup(item, m.classification) : undefined;
  if (c) {
    const [cls, type] = canonicalRsit(c).split(/[/:]/);
    // An unknown value is not a reason to lose the alert: it simply carries no suggestion.
    if (cls && type && knownRsit.has(`${cls}/${type}`)) classification = { class: cls, type };
  }

  const seen = new Map<string, { type: ObservableType; value: string }>();
  for (const o of m.observables) {
    const v = resolve(item, o.from);
    for (const one of Array.isArray(v) ? v : [v]) {
      const s = text(one).trim();
      if (!s) continue;
      try {
        const value = normaliseObservable(o.type, s);
        seen.set(`${o.type}:${value}`, { type: o.type, value });
      } catch (e) {
        if (!(e instanceof ObservableInvalid)) throw e;
      }
    }
  }
  for (const p of m.extract) for (const o of extractObservables(text(resolve(item, p)))) seen.set(`${o.type}:${o.value}`, o);

  const fields: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(m.keep)) {
    const v = resolve(item, p);
    if (v !== undefined) fields[k] = v;
  }
  return { title, description, severity, sourceRef, observedAt, fingerprint, classification, observables: [...seen.values()].slice(0, 200), fields };
}
