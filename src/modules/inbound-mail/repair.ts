import { contentTypeOf, decodedBody, headerFields, headerValues, multipartParts, normaliseLineEnds, splitEntity, type ContentType } from './mime.ts';

/**
 * A readable copy of a message, for parsing only (the stored raw never changes): bare-CR line ends
 * made CRLF, a multipart whose declared boundary is not in the body read at the boundary it really
 * uses (or as plain text), and text whose declared charset does not fit its bytes relabelled.
 * Every repair but the line ends leaves a note that the report shows.
 */
export interface ReadableCopy {
  source: Buffer;
  notes: string[];
}

const MAX_DEPTH = 10;
const MAX_PARTS = 500;
const SINGLE_BYTE = /^(us-ascii|ascii|iso-8859-\d+|iso8859-\d+|latin-?\d|windows-125\d|cp125\d|koi8-[ru])$/;
const UTF8 = /^utf-?8$/;

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });
export const isUtf8 = (b: Buffer) => {
  try {
    fatalUtf8.decode(b);
    return true;
  } catch {
    return false;
  }
};
/** Whether a label names a charset this runtime decodes; and whether these bytes decode in it cleanly. */
function decodesIn(label: string, b: Buffer): 'unknown' | 'ok' | 'bad' {
  let d: { decode(b: Buffer): string };
  try {
    d = new TextDecoder(label, { fatal: true });
  } catch {
    return 'unknown';
  }
  try {
    d.decode(b);
    return 'ok';
  } catch {
    return 'bad';
  }
}

const quoteParam = (k: string, v: string) => (k.endsWith('*') ? `${k}=${v}` : `${k}="${v.replace(/(["\\])/g, '\\$1')}"`);
const typeValue = (ct: ContentType) => [ct.type, ...Object.entries(ct.params).map(([k, v]) => quoteParam(k, v))].join('; ');

/** The entity with its Content-Type replaced (or added), the body unchanged. */
function withContentType(head: string, body: Buffer, ct: ContentType): Buffer {
  const eol = head.endsWith('\r\n') || !head ? '\r\n' : '\n';
  let done = false;
  const fields = headerFields(head).map((f) => {
    if (f.name !== 'content-type') return f.raw;
    if (done) return '';
    done = true;
    return `Content-Type: ${typeValue(ct)}${eol}`;
  });
  if (!done) fields.push(`Content-Type: ${typeValue(ct)}${eol}`);
  return Buffer.concat([Buffer.from(fields.join('') + eol, 'latin1'), body]);
}

/** The boundary a multipart body really uses: a `--token` line that also closes (`--token--`) or recurs. */
function boundaryIn(body: Buffer): string | null {
  const text = body.toString('latin1', 0, Math.min(body.length, 1 << 20));
  const seen = new Map<string, number>();
  for (const m of text.matchAll(/^--([\x21-\x7e]{1,200}?)(--)?[ \t]*\r?$/gm)) {
    const b = m[1]!;
    if (/^-+$/.test(b)) continue; // a rule of dashes in the text, not a boundary
    if (m[2] && seen.has(b)) return b;
    seen.set(b, (seen.get(b) ?? 0) + 1);
  }
  for (const [b, n] of seen) if (n >= 2) return b;
  return null;
}

interface Walk {
  notes: string[];
  parts: number;
}

const isAttachment = (head: string) => /^\s*attachment\b/i.test(headerValues(head, 'content-disposition')[0] ?? '');

/** A text part whose declared charset does not fit its bytes, relabelled: UTF-8 first, else windows-1252. */
function fixCharset(head: string, body: Buffer, ct: ContentType, w: Walk): Buffer | null {
  const data = decodedBody({ head, body });
  if (!data.some((b) => b >= 0x80)) return null;
  const declared = (ct.params.charset ?? '').trim().toLowerCase();
  const utf8 = isUtf8(data);
  let use: string | null = null;
  // No charset and UTF-8 bytes is what most mailers mean: read as UTF-8 without a word.
  if (!declared && utf8) return withContentType(head, body, { type: ct.type, params: { ...ct.params, charset: 'utf-8' } });
  if (!declared) use = 'windows-1252';
  else if (UTF8.test(declared)) use = utf8 ? null : 'windows-1252';
  else if (SINGLE_BYTE.test(declared)) use = utf8 ? 'utf-8' : declared === 'us-ascii' || declared === 'ascii' ? 'windows-1252' : null;
  // Another charset that fails on these bytes (or one this runtime does not know): UTF-8 if they are
  // UTF-8; otherwise the parser's own decoder does what it can.
  else if (utf8 && decodesIn(declared, data) !== 'ok') use = 'utf-8';
  if (!use || use === declared) return null;
  w.notes.push(declared
    ? `The text declares the charset "${declared.slice(0, 40)}", which does not fit its bytes; it was read as ${use === 'utf-8' ? 'UTF-8' : 'windows-1252'}.`
    : `The text declares no charset and is not plain ASCII; it was read as ${use === 'utf-8' ? 'UTF-8' : 'windows-1252'}.`);
  return withContentType(head, body, { type: ct.type, params: { ...ct.params, charset: use } });
}

/** One entity made readable; null when it needs nothing. */
function repairEntity(buf: Buffer, depth: number, w: Walk): Buffer | null {
  if (depth > MAX_DEPTH || ++w.parts > MAX_PARTS) return null;
  const { head, body } = splitEntity(buf);
  const ct = contentTypeOf(head);
  if (ct.type.startsWith('multipart/')) {
    const declared = ct.params.boundary ?? '';
    const parts = declared ? multipartParts(body, declared) : [];
    if (parts.length === 0) {
      const real = boundaryIn(body);
      if (real && real !== declared && multipartParts(body, real).length > 0) {
        w.notes.push(`The MIME boundary the message declares ("${declared.slice(0, 70)}") is not in it; its parts were read at the boundary they use ("${real.slice(0, 70)}").`);
        const fixed = withContentType(head, body, { type: ct.type, params: { ...ct.params, boundary: real } });
        return repairEntity(fixed, depth, w) ?? fixed;
      }
      w.notes.push(declared
        ? `The message declares MIME parts at the boundary "${declared.slice(0, 70)}", which is not in it; its body is shown as plain text.`
        : 'The message declares MIME parts without a boundary; its body is shown as plain text.');
      const { boundary: _b, ...params } = ct.params;
      const asText = withContentType(head, body, { type: 'text/plain', params: { ...params, charset: isUtf8(body) ? 'utf-8' : 'windows-1252' } });
      return asText;
    }
    let changed = false;
    const out: Buffer[] = [];
    let at = 0;
    for (const p of parts) {
      const fixed = repairEntity(p, depth + 1, w);
      if (!fixed) continue;
      const start = p.byteOffset - body.byteOffset;
      out.push(body.subarray(at, start), fixed);
      at = start + p.length;
      changed = true;
    }
    if (!changed) return null;
    out.push(body.subarray(at));
    const eol = head.endsWith('\r\n') || !head ? '\r\n' : '\n';
    return Buffer.concat([Buffer.from(head + eol, 'latin1'), ...out]);
  }
  if ((ct.type === 'text/plain' || ct.type === 'text/html') && !isAttachment(head)) return fixCharset(head, body, ct, w);
  return null;
}

/** The copy of a raw message the parser reads, and what was repaired to read it. */
export function readableCopy(raw: Buffer): ReadableCopy {
  const w: Walk = { notes: [], parts: 0 };
  const source = normaliseLineEnds(raw);
  const fixed = repairEntity(source, 0, w);
  return { source: fixed ?? source, notes: w.notes.slice(0, 10) };
}
