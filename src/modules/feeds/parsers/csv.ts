import { z } from 'zod';
import { CsvLineReader, CsvSyntaxError } from '../../../lib/csv.ts';
import type { InputLine } from '../decode.ts';
import { FIELDS, rsitType } from '../harmonization.ts';
import { BaseSettings, FieldName, finish, head, observationOf, overlong, type ParseResult } from './common.ts';

/**
 * Generic CSV feeds read by a declarative mapping: which column goes to which event field, constant
 * fields, a classification type chosen by a column's value, and rows kept or skipped by simple
 * conditions. A quoted field may span lines. Rows skipped by a condition yield nothing.
 */

/** A column by its header name (matched trimmed and case-insensitively) or by its 0-based index. */
const ColumnRef = z.union([z.string().min(1).max(200), z.number().int().min(0).max(10_000)]);

/**
 * How time columns are written: `auto` (ISO 8601, epoch seconds or `YYYY-MM-DD HH:MM:SS` UTC),
 * `epoch`, `epoch_ms`, or a pattern of `YYYY MM DD HH mm ss` (and `SSS` for milliseconds) with
 * literal characters between them, read as UTC (e.g. `DD/MM/YYYY HH:mm:ss`).
 */
const TimeFormat = z.string().max(64).refine((f) => ['auto', 'epoch', 'epoch_ms'].includes(f) || (/YYYY/.test(f) && /MM/.test(f) && /DD/.test(f)), {
  message: 'is not auto, epoch, epoch_ms or a pattern with YYYY, MM and DD',
});

const RsitTypeName = z.string().refine((t) => { try { rsitType(t); return true; } catch { return false; } }, { message: 'is not an RSIT classification type' });

const validRegex = (r: string) => { try { new RegExp(r); return true; } catch { return false; } };
const Condition = z.object({
  column: ColumnRef,
  equals: z.string().max(1000).optional(),
  matches: z.string().max(1000).refine(validRegex, { message: 'is not a valid regular expression' }).optional(),
  in: z.array(z.string().max(1000)).min(1).max(1000).optional(),
}).strict().refine((c) => [c.equals, c.matches, c.in].filter((x) => x !== undefined).length === 1, { message: 'give exactly one of equals, matches, in' });
export type CsvCondition = z.infer<typeof Condition>;

export const CsvMapping = z.object({
  /** What the mapping is for (shown to operators). */
  description: z.string().max(2000).optional(),
  delimiter: z.string().length(1).refine((d) => !['"', '\n', '\r'].includes(d), { message: 'cannot be a quote or a line break' }).default(','),
  /** Whether the first record is a header row of column names. */
  header: z.boolean().default(true),
  /** The format of time columns, unless a column says otherwise. */
  timeFormat: TimeFormat.default('auto'),
  /** Column to field; an `optional` column may be missing from the header (the field is then never set). */
  columns: z.array(z.object({ column: ColumnRef, field: FieldName, timeFormat: TimeFormat.optional(), optional: z.boolean().default(false) }).strict()).min(1).max(500),
  /** Fields every event gets unless a column gives them (e.g. classification.type, feed.name). */
  constants: z.record(FieldName, z.union([z.string().max(10_000), z.number(), z.boolean()])).default({}),
  /** classification.type looked up from a column's value (exact, then case-insensitive), else `default`, else the constant. */
  typeFrom: z.object({ column: ColumnRef, map: z.record(z.string().max(200), RsitTypeName), default: RsitTypeName.optional() }).strict().optional(),
  /** A row is kept only if every one of these holds. */
  keepIf: z.array(Condition).max(50).default([]),
  /** A row is skipped if any of these holds. */
  skipIf: z.array(Condition).max(50).default([]),
  /** Columns no mapping names: ignored, or kept as `extra.<column name>` (needs a header). */
  unmapped: z.enum(['ignore', 'extra']).default('ignore'),
}).strict().superRefine((m, ctx) => {
  const refs: { path: (string | number)[]; ref: string | number }[] = [
    ...m.columns.map((c, i) => ({ path: ['columns', i, 'column'], ref: c.column })),
    ...m.keepIf.map((c, i) => ({ path: ['keepIf', i, 'column'], ref: c.column })),
    ...m.skipIf.map((c, i) => ({ path: ['skipIf', i, 'column'], ref: c.column })),
    ...(m.typeFrom ? [{ path: ['typeFrom', 'column'], ref: m.typeFrom.column }] : []),
  ];
  if (!m.header) {
    for (const r of refs) if (typeof r.ref === 'string') ctx.addIssue({ code: 'custom', path: r.path, message: 'names a column, but the mapping has no header row: use its index' });
    if (m.unmapped === 'extra') ctx.addIssue({ code: 'custom', path: ['unmapped'], message: 'extra needs a header row to name the fields' });
  }
  m.columns.forEach((c, i) => {
    if (c.timeFormat && FIELDS[c.field] !== 'datetime') ctx.addIssue({ code: 'custom', path: ['columns', i, 'timeFormat'], message: `${c.field} is not a time field` });
  });
});
export type CsvMapping = z.infer<typeof CsvMapping>;

/** Settings of the CSV parser: the common ones and the mapping. */
export const CsvSettings = BaseSettings.extend({ mapping: CsvMapping }).strict();
export type CsvSettings = z.infer<typeof CsvSettings>;

const TOKENS: Record<string, string> = { YYYY: '(?<Y>\\d{4})', MM: '(?<M>\\d{1,2})', DD: '(?<D>\\d{1,2})', HH: '(?<h>\\d{1,2})', mm: '(?<m>\\d{2})', ss: '(?<s>\\d{2})', SSS: '(?<f>\\d{1,6})' };
const patterns = new Map<string, RegExp>();

/** A time column's value as something `harmonise` reads (ISO UTC), by the format; null when it does not fit. */
export function timeByFormat(value: string, format: string): string | number | null {
  if (format === 'auto') return value;
  if (format === 'epoch') return /^\d+(\.\d+)?$/.test(value) ? Number(value) : null;
  if (format === 'epoch_ms') return /^\d+$/.test(value) ? Number(value) / 1000 : null;
  let re = patterns.get(format);
  if (!re) {
    re = new RegExp(`^${format.split(/(YYYY|SSS|MM|DD|HH|mm|ss)/).map((p) => TOKENS[p] ?? p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('')}$`);
    patterns.set(format, re);
  }
  const g = re.exec(value)?.groups;
  if (!g) return null;
  const p2 = (s: string | undefined) => (s ?? '0').padStart(2, '0');
  return `${g.Y}-${p2(g.M)}-${p2(g.D)}T${p2(g.h)}:${p2(g.m)}:${p2(g.s)}${g.f ? `.${g.f.padEnd(3, '0').slice(0, 3)}` : ''}Z`;
}

const regexes = new Map<string, RegExp>();

function holds(c: CsvCondition, value: string): boolean {
  if (c.equals !== undefined) return value === c.equals;
  if (c.matches !== undefined) {
    let re = regexes.get(c.matches);
    if (!re) regexes.set(c.matches, (re = new RegExp(c.matches)));
    return re.test(value);
  }
  return (c.in ?? []).includes(value);
}

const extraName = (h: string) => `extra.${h.trim().toLowerCase().replace(/[^a-z0-9_.:-]+/g, '_').replace(/^[^a-z0-9_]+/, '').slice(0, 120) || 'column'}`;

/**
 * CSV by a mapping (see the file's header). Errors name the record's first line: a row with a
 * different number of fields than the header, a quote problem, a quoted field left open at the end
 * or growing past the length cap (the parser then reads on from the next line), a time that does
 * not fit the format, and what `harmonise` refuses. A header that lacks a column the mapping names
 * is one error, and nothing more is read.
 */
export async function* parseCsvFeed(lines: AsyncIterable<InputLine>, settings: CsvSettings): AsyncGenerator<ParseResult> {
  const m = settings.mapping;
  const observed = observationOf(settings);
  const base = { ...settings, constants: { ...m.constants, ...settings.constants } };
  const reader = new CsvLineReader(m.delimiter);
  const max = settings.maxLineLength;
  let header: string[] | null = null;
  let index: (ref: string | number) => number = (ref) => (typeof ref === 'number' ? ref : -1);
  const used = new Set<number>();
  /** Column indexes of the mapping's columns and the extra.* names of the header's, worked out once. */
  let plan: { cols: number[]; extras: string[] } | null = null;
  let n = 0;
  let start = 0;
  let rawLines: string[] = [];
  for await (const line of lines) {
    n++;
    if (!reader.pending) { start = n; rawLines = []; }
    const long = overlong(line, n, max);
    if (long) {
      if (reader.pending) {
        reader.reset();
        yield { line: start, error: `the record starting on line ${start} has an over-long line ${n}: refused`, raw: head(rawLines.join('\n')) };
      }
      yield long;
      continue;
    }
    const text = line as string;
    if (!reader.pending && !text.trim()) continue;
    rawLines.push(text);
    let record: string[] | null;
    try {
      record = reader.push(text);
    } catch (e) {
      if (!(e instanceof CsvSyntaxError)) throw e;
      yield { line: start, error: `CSV: ${e.message}`, raw: head(rawLines.join('\n')) };
      continue;
    }
    if (!record) {
      if (reader.size.chars > max) {
        reader.reset();
        yield { line: start, error: `a quoted field opened on line ${start} runs past the ${max}-character limit: refused`, raw: head(rawLines.join('\n')) };
      }
      continue;
    }
    const raw = rawLines.join('\n');
    if (m.header && !header) {
      header = record.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim());
      const byName = new Map<string, number>();
      header.forEach((h, i) => { if (!byName.has(h.toLowerCase())) byName.set(h.toLowerCase(), i); });
      index = (ref) => (typeof ref === 'number' ? ref : byName.get(ref.trim().toLowerCase()) ?? -1);
      const refs = [...m.columns.filter((c) => !c.optional).map((c) => c.column), ...m.keepIf.map((c) => c.column), ...m.skipIf.map((c) => c.column), ...(m.typeFrom ? [m.typeFrom.column] : [])];
      const missing = [...new Set(refs.filter((r) => typeof r === 'string' && index(r) < 0))];
      if (missing.length) {
        yield { line: start, error: `the header lacks the column${missing.length > 1 ? 's' : ''} ${missing.map((x) => JSON.stringify(x)).join(', ')} the mapping names: nothing read`, raw: head(raw) };
        return;
      }
      for (const r of [...refs, ...m.columns.map((c) => c.column)]) if (index(r) >= 0) used.add(index(r));
      continue;
    }
    if (header && record.length !== header.length) {
      yield { line: start, error: `the row has ${record.length} fields, the header ${header.length}`, raw: head(raw) };
      continue;
    }
    if (!plan) plan = { cols: m.columns.map((c) => index(c.column)), extras: header ? header.map(extraName) : [] };
    const at = (ref: string | number) => (record[index(ref)] ?? '').trim();
    if (!m.keepIf.every((c) => holds(c, at(c.column))) || m.skipIf.some((c) => holds(c, at(c.column)))) continue;
    const fields: Record<string, unknown> = {};
    const problems: string[] = [];
    for (let ci = 0; ci < m.columns.length; ci++) {
      const c = m.columns[ci]!;
      const col = plan.cols[ci]!;
      if (col < 0) continue;
      const v = (record[col] ?? '').trim();
      if (!v || fields[c.field] !== undefined) continue;
      if (FIELDS[c.field] === 'datetime') {
        const format = c.timeFormat ?? m.timeFormat;
        const t = timeByFormat(v, format);
        if (t === null) { problems.push(`${c.field}: ${JSON.stringify(v)} does not fit the time format ${JSON.stringify(format)}`); continue; }
        fields[c.field] = t;
      } else fields[c.field] = v;
    }
    if (m.typeFrom) {
      const v = at(m.typeFrom.column);
      const map = m.typeFrom.map;
      const hit = map[v] ?? Object.entries(map).find(([k]) => k.toLowerCase() === v.toLowerCase())?.[1] ?? m.typeFrom.default;
      if (hit) fields['classification.type'] = hit;
    }
    if (m.unmapped === 'extra' && header) {
      header.forEach((_h, i) => {
        const v = (record[i] ?? '').trim();
        const name = plan!.extras[i]!;
        if (!used.has(i) && v && fields[name] === undefined) fields[name] = v;
      });
    }
    const result = finish(start, fields, raw, base, observed);
    if (problems.length) {
      if ('event' in result) result.warnings = [...problems, ...(result.warnings ?? [])];
      else result.error = `${problems.join('; ')}; ${result.error}`;
    }
    yield result;
  }
  if (reader.pending) yield { line: start, error: `a quoted field opened on line ${start} is not closed at the end of the input`, raw: head(rawLines.join('\n')) };
}

