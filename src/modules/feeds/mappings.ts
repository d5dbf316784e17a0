import { readdirSync, readFileSync } from 'node:fs';
import { CsvMapping } from './parsers/csv.ts';

/**
 * The CSV mappings Vigil ships (mappings/<provider>/<report>.json), by name `<provider>/<report>`
 * (e.g. `shadowserver/event4_sinkhole`). Editable reference data: each is checked against the
 * mapping schema when the module loads, so a broken file fails at start, not at the first feed.
 */
function load(): Record<string, CsvMapping> {
  const root = new URL('./mappings/', import.meta.url);
  const out: Record<string, CsvMapping> = {};
  for (const provider of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const file of readdirSync(new URL(`${provider}/`, root)).filter((f) => f.endsWith('.json')).sort()) {
      const name = `${provider}/${file.replace(/\.json$/, '')}`;
      const parsed = CsvMapping.safeParse(JSON.parse(readFileSync(new URL(`${provider}/${file}`, root), 'utf8')));
      if (!parsed.success) throw new Error(`shipped feed mapping ${name} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      out[name] = parsed.data;
    }
  }
  return out;
}

/** The shipped CSV mappings by name. */
export const SHIPPED_MAPPINGS: Readonly<Record<string, CsvMapping>> = load();

/** The names of the shipped CSV mappings, sorted. */
export const shippedMappingNames = (): string[] => Object.keys(SHIPPED_MAPPINGS);
