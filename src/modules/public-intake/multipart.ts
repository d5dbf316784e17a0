/**
 * A strict multipart/form-data reader (RFC 7578 over RFC 2046) for the public web form.
 *
 * It reads a body already bounded by the route's body limit and kept whole anyway (the raw bytes
 * are stored before anything is parsed), so it works on one Buffer: parts are views into it,
 * never copies. Anything it does not understand is refused with a reason rather than guessed at:
 * a missing or malformed boundary, a delimiter followed by garbage, a part without a name, header
 * lines that are too long or folded, invalid UTF-8 in a text field, a body that ends before its
 * closing delimiter, and more parts, files or bytes than the limits allow.
 */

export interface MultipartLimits {
  /** Parts of any kind (text fields and files). */
  maxParts: number;
  /** Parts that carry a file name. */
  maxFiles: number;
  /** Bytes of one text field. */
  maxFieldBytes: number;
  /** Bytes of one file. */
  maxFileBytes: number;
  /** Bytes of one part's header block. */
  maxHeaderBytes: number;
}

export interface TextField {
  name: string;
  value: string;
}

export interface FilePart {
  name: string;
  /** As sent (decoded from the header); `safeFilename` makes it safe to show. */
  filename: string;
  contentType: string | null;
  content: Buffer;
}

export interface MultipartForm {
  fields: TextField[];
  files: FilePart[];
}

/** Why a body could not be read: `too_large` for a field or file over its limit, else `malformed`. */
export class MultipartError extends Error {
  readonly kind: 'malformed' | 'too_large';
  readonly field: string | null;
  readonly filename: string | null;
  constructor(kind: 'malformed' | 'too_large', message: string, where: { field?: string | null; filename?: string | null } = {}) {
    super(message);
    this.name = 'MultipartError';
    this.kind = kind;
    this.field = where.field ?? null;
    this.filename = where.filename ?? null;
  }
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
// RFC 2046 bchars: 1 to 70 of these, not ending in a space.
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/** The media type and parameters of a Content-Type (or Content-Disposition) value. */
export function parseHeaderValue(value: string): { type: string; params: Map<string, string> } {
  const params = new Map<string, string>();
  let i = value.indexOf(';');
  const type = (i < 0 ? value : value.slice(0, i)).trim().toLowerCase();
  while (i >= 0 && i < value.length) {
    i++; // past ';'
    while (value[i] === ' ' || value[i] === '\t') i++;
    if (i >= value.length) break;
    const eq = value.indexOf('=', i);
    if (eq < 0) throw new MultipartError('malformed', `a header parameter without a value: "${value.slice(i, i + 40)}"`);
    const key = value.slice(i, eq).trim().toLowerCase();
    if (!TOKEN.test(key)) throw new MultipartError('malformed', 'a header parameter name is not a token');
    i = eq + 1;
    let v = '';
    if (value[i] === '"') {
      i++;
      for (;;) {
        if (i >= value.length) throw new MultipartError('malformed', `an unterminated quoted value for "${key}"`);
        const c = value[i]!;
        if (c === '"') break;
        if (c === '\\' && i + 1 < value.length) {
          v += value[i + 1];
          i += 2;
          continue;
        }
        v += c;
        i++;
      }
      i++; // past the closing quote
      while (value[i] === ' ' || value[i] === '\t') i++;
      if (i < value.length && value[i] !== ';') throw new MultipartError('malformed', `text after the quoted value of "${key}"`);
    } else {
      const end = value.indexOf(';', i);
      v = (end < 0 ? value.slice(i) : value.slice(i, end)).trim();
      i = end < 0 ? value.length : end;
    }
    if (params.has(key)) throw new MultipartError('malformed', `the parameter "${key}" appears twice`);
    params.set(key, v);
  }
  return { type, params };
}

/** The boundary of a multipart/form-data Content-Type; refuses any other type or a bad boundary. */
export function boundaryOf(contentType: string | undefined): string {
  if (!contentType) throw new MultipartError('malformed', 'no Content-Type');
  const { type, params } = parseHeaderValue(contentType);
  if (type !== 'multipart/form-data') throw new MultipartError('malformed', 'the Content-Type is not multipart/form-data');
  const b = params.get('boundary');
  if (!b) throw new MultipartError('malformed', 'the Content-Type has no boundary');
  if (!BOUNDARY.test(b)) throw new MultipartError('malformed', 'the boundary is not 1 to 70 allowed characters');
  return b;
}

/** RFC 5987 ext-value (`UTF-8''%E2%82%AC.txt`), as some clients send `filename*`. */
function extValue(v: string): string {
  const m = /^utf-8'[^']*'(.*)$/i.exec(v);
  if (!m) throw new MultipartError('malformed', 'filename* is not UTF-8 ext-value');
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    throw new MultipartError('malformed', 'filename* is not valid percent-encoded UTF-8');
  }
}

function readHeaders(block: Buffer): Map<string, string> {
  let text: string;
  try {
    text = utf8.decode(block);
  } catch {
    text = latin1.decode(block);
  }
  const headers = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    if (line === '') continue;
    if (line[0] === ' ' || line[0] === '\t') throw new MultipartError('malformed', 'folded part header lines are not accepted');
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartError('malformed', 'a part header line without a name');
    const name = line.slice(0, colon).toLowerCase();
    if (!TOKEN.test(name)) throw new MultipartError('malformed', 'a part header name is not a token');
    const value = line.slice(colon + 1).trim();
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) throw new MultipartError('malformed', `control characters in the part header "${name}"`);
    if (headers.has(name)) throw new MultipartError('malformed', `the part header "${name}" appears twice`);
    headers.set(name, value);
  }
  return headers;
}

/**
 * Reads a whole multipart/form-data body. Text parts (no `filename`) become fields, decoded as
 * UTF-8; parts with a `filename` become files, except the empty one a browser sends for a file
 * input left empty. The preamble and epilogue are ignored, as RFC 2046 says.
 */
export function parseMultipart(body: Buffer, boundary: string, limits: MultipartLimits): MultipartForm {
  const dash = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const form: MultipartForm = { fields: [], files: [] };
  // The first delimiter opens the body, or follows a preamble on a line of its own.
  let at: number;
  if (body.subarray(0, dash.length).equals(dash)) at = 0;
  else {
    const first = body.indexOf(delimiter);
    if (first < 0) throw new MultipartError('malformed', 'the body does not contain the boundary');
    at = first + 2;
  }
  let parts = 0;
  for (;;) {
    let p = at + dash.length;
    if (body[p] === 0x2d && body[p + 1] === 0x2d) return form; // "--": the closing delimiter
    while (body[p] === 0x20 || body[p] === 0x09) p++; // transport padding
    if (!body.subarray(p, p + 2).equals(CRLF)) {
      throw new MultipartError('malformed', p >= body.length ? 'the body ends before the closing boundary' : 'the boundary is followed by something other than a line break');
    }
    p += 2;
    if (++parts > limits.maxParts) throw new MultipartError('malformed', `more than ${limits.maxParts} parts`);
    let headers: Map<string, string>;
    let start: number;
    if (body.subarray(p, p + 2).equals(CRLF)) {
      headers = new Map();
      start = p + 2;
    } else {
      const end = body.indexOf(HEADER_END, p);
      if (end < 0 || end - p > limits.maxHeaderBytes) {
        throw new MultipartError('malformed', end < 0 ? 'a part header block does not end' : `a part header block is over ${limits.maxHeaderBytes} bytes`);
      }
      headers = readHeaders(body.subarray(p, end));
      start = end + 4;
    }
    const next = body.indexOf(delimiter, start);
    if (next < 0) throw new MultipartError('malformed', 'the body ends before the closing boundary');
    addPart(form, headers, body.subarray(start, next), limits);
    at = next + 2;
  }
}

function addPart(form: MultipartForm, headers: Map<string, string>, content: Buffer, limits: MultipartLimits) {
  const cd = headers.get('content-disposition');
  if (!cd) throw new MultipartError('malformed', 'a part has no Content-Disposition');
  const { type, params } = parseHeaderValue(cd);
  if (type !== 'form-data') throw new MultipartError('malformed', 'a part is not form-data');
  const name = params.get('name');
  if (!name) throw new MultipartError('malformed', 'a part has no name');
  const encoding = headers.get('content-transfer-encoding')?.toLowerCase();
  if (encoding && !['binary', '8bit', '7bit'].includes(encoding)) {
    throw new MultipartError('malformed', `the transfer encoding "${encoding}" is not accepted`, { field: name });
  }
  const starred = params.get('filename*');
  const filename = starred !== undefined ? extValue(starred) : params.get('filename');
  if (filename === undefined) {
    if (content.length > limits.maxFieldBytes) throw new MultipartError('too_large', `the field "${name}" is over ${limits.maxFieldBytes} bytes`, { field: name });
    let value: string;
    try {
      value = utf8.decode(content);
    } catch {
      throw new MultipartError('malformed', `the field "${name}" is not valid UTF-8`, { field: name });
    }
    form.fields.push({ name, value });
    return;
  }
  if (filename === '' && content.length === 0) return; // a file input left empty
  if (form.files.length + 1 > limits.maxFiles) throw new MultipartError('malformed', `more than ${limits.maxFiles} files`, { field: name });
  if (content.length > limits.maxFileBytes) throw new MultipartError('too_large', `the file "${filename}" is over ${limits.maxFileBytes} bytes`, { field: name, filename });
  const ct = headers.get('content-type');
  form.files.push({ name, filename, contentType: ct ? parseHeaderValue(ct).type || null : null, content });
}
