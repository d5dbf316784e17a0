/** RFC 4180 CSV: parsing (quoted fields, "" escapes, CRLF or LF) and writing, guarded against formula injection. */

export class CsvSyntaxError extends Error {
  readonly row: number;
  constructor(row: number, message: string) {
    super(message);
    this.row = row;
  }
}

/** Rows of fields. A quoted field may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let wasQuoted = false;
  let i = 0;
  const s = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const endRow = () => {
    row.push(field);
    if (!(row.length === 1 && row[0] === '' && !wasQuoted)) rows.push(row);
    row = [];
    field = '';
    wasQuoted = false;
  };
  while (i < s.length) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"') {
        if (s[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false;
        i++;
        if (i < s.length && s[i] !== ',' && s[i] !== '\n' && s[i] !== '\r') throw new CsvSyntaxError(rows.length + 1, 'text after a closing quote');
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"') {
      if (field !== '') throw new CsvSyntaxError(rows.length + 1, 'a quote inside an unquoted field');
      quoted = true;
      wasQuoted = true;
      i++;
    } else if (ch === ',') {
      row.push(field);
      field = '';
      wasQuoted = false;
      i++;
    } else if (ch === '\r' || ch === '\n') {
      endRow();
      i += ch === '\r' && s[i + 1] === '\n' ? 2 : 1;
    } else {
      field += ch;
      i++;
    }
  }
  if (quoted) throw new CsvSyntaxError(rows.length + 1, 'a quoted field is not closed');
  if (field !== '' || row.length || wasQuoted) endRow();
  return rows;
}

/**
 * One field as written: quoted when needed, and a value that a spreadsheet would run as a formula
 * (starting with = + - @, tab or carriage return) is prefixed with a single quote.
 */
export function csvField(value: string | number | null | undefined): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n']/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: (string | number | null | undefined)[][]): string {
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/**
 * A streaming CSV reader fed one line at a time (the line without its end): `push` returns a
 * record's fields when the line completes one, or null while a quoted field goes on to the next
 * line (the line break is kept in the field as "\n"). Quotes as RFC 4180; a quote inside an
 * unquoted field is kept as a literal character (real feeds have them), text after a closing quote
 * throws CsvSyntaxError. `reset` drops a record in progress (after an error, to read on).
 */
export class CsvLineReader {
  private fields: string[] = [];
  private field = '';
  private quoted = false;
  private lines = 0;
  private chars = 0;
  private readonly delimiter: string;
  constructor(delimiter = ',') {
    this.delimiter = delimiter;
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') throw new Error('a CSV delimiter is one character other than a quote or a line break');
  }

  /** Whether a quoted field is open (the record goes on to the next line). */
  get pending(): boolean {
    return this.quoted;
  }

  /** How many lines and characters the record in progress has taken so far. */
  get size(): { lines: number; chars: number } {
    return { lines: this.lines, chars: this.chars };
  }

  reset(): void {
    this.fields = [];
    this.field = '';
    this.quoted = false;
    this.lines = 0;
    this.chars = 0;
  }

  push(line: string): string[] | null {
    const d = this.delimiter;
    if (this.quoted) this.field += '\n';
    this.lines++;
    this.chars += line.length;
    let i = 0;
    while (i < line.length) {
      if (this.quoted) {
        const q = line.indexOf('"', i);
        if (q < 0) { this.field += line.slice(i); i = line.length; break; }
        this.field += line.slice(i, q);
        if (line[q + 1] === '"') { this.field += '"'; i = q + 2; continue; }
        this.quoted = false;
        i = q + 1;
        if (i < line.length && line[i] !== d) {
          const rec = this.lines;
          this.reset();
          throw new CsvSyntaxError(rec, 'text after a closing quote');
        }
        continue;
      }
      const ch = line[i]!;
      if (ch === '"' && this.field === '' && (i === 0 || line[i - 1] === d)) {
        this.quoted = true;
        i++;
      } else if (ch === d) {
        this.fields.push(this.field);
        this.field = '';
        i++;
      } else {
        const next = line.indexOf(d, i);
        const end = next < 0 ? line.length : next;
        this.field += line.slice(i, end);
        i = end;
      }
    }
    if (this.quoted) return null;
    this.fields.push(this.field);
    const out = this.fields;
    this.reset();
    return out;
  }
}
