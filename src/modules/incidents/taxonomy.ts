import { readFileSync } from 'node:fs';
import { VigilError } from '../../lib/errors.ts';

/**
 * The ENISA Reference Security Incident Taxonomy, shipped as data (rsit-machinetag.json, the MISP
 * machinetag file). IntelMQ spells "unauthorised-" as "unauthorized-"; both are accepted and
 * stored in RSIT's own spelling.
 */
interface MachineTag {
  predicates: { value: string; expanded: string; description?: string }[];
  values: { predicate: string; entry: { value: string; expanded: string; description: string }[] }[];
}

const file = JSON.parse(readFileSync(new URL('./rsit-machinetag.json', import.meta.url), 'utf8')) as MachineTag;

export interface RsitType {
  value: string;
  label: string;
  description: string;
}
export interface RsitClass {
  value: string;
  label: string;
  types: RsitType[];
}

export const RSIT: RsitClass[] = file.predicates.map((p) => ({
  value: p.value,
  label: p.expanded,
  types: (file.values.find((v) => v.predicate === p.value)?.entry ?? []).map((e) => ({
    value: e.value,
    label: e.expanded,
    description: e.description,
  })),
}));

const known = new Set(RSIT.flatMap((c) => c.types.map((t) => `${c.value}/${t.value}`)));

/** RSIT's spelling of a class or type value (IntelMQ's `unauthorized-` becomes `unauthorised-`). */
export function canonicalRsit(value: string): string {
  return value.trim().toLowerCase().replace(/unauthorized-/g, 'unauthorised-');
}

export interface Classification {
  class: string;
  type: string;
  primary?: boolean | undefined;
}

/**
 * Checks and normalises an incident's classifications: every class/type pair must be in RSIT,
 * pairs are unique, and exactly one is primary (the first, when none is marked).
 */
export function normaliseClassifications(input: Classification[]): { class: string; type: string; isPrimary: boolean }[] {
  const seen = new Set<string>();
  const out = input.map((c, i) => {
    const cls = canonicalRsit(c.class);
    const type = canonicalRsit(c.type);
    if (!known.has(`${cls}/${type}`)) {
      throw new VigilError('VIG_INCIDENT_CLASSIFICATION_UNKNOWN', {
        errors: [{ path: `body.classifications.${i}`, message: `${c.class}/${c.type} is not in the RSIT taxonomy` }],
      });
    }
    if (seen.has(`${cls}/${type}`)) {
      throw new VigilError('VIG_REQUEST_INVALID', { errors: [{ path: `body.classifications.${i}`, message: 'is listed twice' }] });
    }
    seen.add(`${cls}/${type}`);
    return { class: cls, type, isPrimary: !!c.primary };
  });
  const primaries = out.filter((c) => c.isPrimary).length;
  if (primaries > 1) {
    throw new VigilError('VIG_REQUEST_INVALID', { errors: [{ path: 'body.classifications', message: 'only one classification can be primary' }] });
  }
  if (primaries === 0 && out[0]) out[0].isPrimary = true;
  return out;
}
