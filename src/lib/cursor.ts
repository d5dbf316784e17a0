import { VigilError } from './errors.ts';

/**
 * Keyset list cursors: the sort key values of a page's last row, with a tag naming the order they
 * belong to, opaque to clients. A cursor from another order, or one that was tampered with, is
 * refused with VIG_CURSOR_INVALID.
 */
export type CursorValue = 'date' | 'uuid' | 'priority' | 'int';

const CHECKS: Record<CursorValue, (v: unknown) => boolean> = {
  date: (v) => typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(v),
  uuid: (v) => typeof v === 'string' && /^[0-9a-f-]{36}$/.test(v),
  priority: (v) => typeof v === 'string' && /^P[1-4]$/.test(v),
  int: (v) => typeof v === 'string' && /^(0|[1-9]\d{0,15})$/.test(v),
};

export function encodeCursor(tag: string, values: (string | Date)[]): string {
  return Buffer.from(JSON.stringify([tag, ...values.map((v) => (v instanceof Date ? v.toISOString() : v))])).toString('base64url');
}

export function decodeCursor(cursor: string, tag: string, kinds: CursorValue[]): (string | Date)[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new VigilError('VIG_CURSOR_INVALID');
  }
  if (!Array.isArray(parsed) || parsed[0] !== tag || parsed.length !== kinds.length + 1) throw new VigilError('VIG_CURSOR_INVALID');
  return kinds.map((kind, i) => {
    const v = parsed[i + 1];
    if (!CHECKS[kind](v)) throw new VigilError('VIG_CURSOR_INVALID');
    return kind === 'date' ? new Date(v as string) : (v as string);
  });
}

/**
 * A keyset page: `limit` rows out of the `limit + 1` a list query fetched, and the cursor after the
 * page's last row when there were more.
 */
export function keysetPage<T>(rows: T[], limit: number, tag: string, key: (row: T) => (string | Date)[]): { page: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { page, nextCursor: rows.length > limit && last ? encodeCursor(tag, key(last)) : null };
}
