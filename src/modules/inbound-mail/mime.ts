/**
 * The little MIME reading Vigil does on raw bytes itself, where a parsed view is not enough: the
 * Message-ID before anything is parsed (threading), and the exact bytes of the parts of a
 * PGP/MIME message (a signature covers the signed part byte for byte, RFC 3156).
 * Headers are read as latin1, which keeps every byte, so nothing here can fail on bad encodings.
 */

/** A message that cannot be understood: its text becomes the intake item's failure reason. */
export class MailParseError extends Error {
  constructor(message: string, opts?: ErrorOptions) {
    super(message, opts);
    this.name = 'MailParseError';
  }
}

export interface Entity {
  /** The header block, unfolded lines not yet joined: as received, latin1. */
  head: string;
  body: Buffer;
}

/**
 * The message with bare-CR line ends (old Mac mailers) made CRLF, when bare CRs are its line
 * ends; otherwise the same buffer. Used for every reading of headers too (Message-ID).
 */
export function normaliseLineEnds(raw: Buffer): Buffer {
  let bareCr = 0;
  let lf = 0;
  const end = Math.min(raw.length, 1 << 20);
  for (let i = 0; i < end; i++) {
    if (raw[i] === 0x0a) lf++;
    else if (raw[i] === 0x0d && raw[i + 1] !== 0x0a) bareCr++;
  }
  if (bareCr === 0 || bareCr < lf) return raw;
  return Buffer.from(raw.toString('latin1').replace(/\r(?!\n)/g, '\r\n'), 'latin1');
}

/** Splits a message or part at the first empty line; no empty line means all head, no body. */
export function splitEntity(raw: Uint8Array): Entity {
  const b = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  // A body that starts at once (no headers at all) begins with the line break.
  if (b[0] === 0x0a) return { head: '', body: b.subarray(1) };
  if (b[0] === 0x0d && b[1] === 0x0a) return { head: '', body: b.subarray(2) };
  let i = b.indexOf(0x0a);
  while (i !== -1) {
    if (b[i + 1] === 0x0a) return { head: b.toString('latin1', 0, i + 1), body: b.subarray(i + 2) };
    if (b[i + 1] === 0x0d && b[i + 2] === 0x0a) return { head: b.toString('latin1', 0, i + 1), body: b.subarray(i + 3) };
    i = b.indexOf(0x0a, i + 1);
  }
  return { head: b.toString('latin1'), body: Buffer.alloc(0) };
}

/** Header fields in order, continuation lines kept with their field (raw, line breaks included). */
export function headerFields(head: string): { name: string; raw: string }[] {
  const out: { name: string; raw: string }[] = [];
  for (const line of head.split(/(?<=\n)/)) {
    if (/^[ \t]/.test(line) && out.length) out[out.length - 1]!.raw += line;
    else if (line.trim()) out.push({ name: (/^([^:\s]+)\s*:/.exec(line)?.[1] ?? '').toLowerCase(), raw: line });
  }
  return out;
}

/** The unfolded values of every field with this name. */
export function headerValues(head: string, name: string): string[] {
  const n = name.toLowerCase();
  return headerFields(head)
    .filter((f) => f.name === n)
    .map((f) => f.raw.slice(f.raw.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim());
}

/** Every `<id>` in a Message-ID, In-Reply-To or References value, brackets kept. */
export function messageIdsIn(value: string | undefined | null): string[] {
  return [...(value ?? '').matchAll(/<([^<>\s]{1,900})>/g)].map((m) => `<${m[1]}>`);
}

/** The Message-ID of a raw message, for threading replies onto it; null when it has none. */
export function messageIdOf(raw: Uint8Array): string | null {
  const v = headerValues(splitEntity(normaliseLineEnds(Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength))).head, 'message-id')[0];
  if (!v) return null;
  const bracketed = messageIdsIn(v)[0];
  if (bracketed) return bracketed;
  // Some senders leave the brackets out; a lone token is still an id.
  return /^[^\s<>]{1,900}$/.test(v) ? `<${v}>` : null;
}

export interface ContentType {
  type: string;
  params: Record<string, string>;
}

/** The Content-Type of a head: lower-case type, parameters by lower-case name (text/plain if none). */
export function contentTypeOf(head: string): ContentType {
  const v = headerValues(head, 'content-type')[0] ?? '';
  const type = (/^\s*([^;\s]+)/.exec(v)?.[1] ?? 'text/plain').toLowerCase();
  const params: Record<string, string> = {};
  for (const m of v.matchAll(/;\s*([A-Za-z0-9*._-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]+)/g)) {
    const raw = m[2]!;
    params[m[1]!.toLowerCase()] = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
  }
  return { type, params };
}

/**
 * The parts of a multipart body, byte for byte: what lies between a boundary line and the line
 * break before the next one (RFC 2046: that line break belongs to the boundary).
 */
export function multipartParts(body: Buffer, boundary: string): Buffer[] {
  const text = body.toString('latin1');
  const esc = boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const delimiter = new RegExp(`(?:^|\\r?\\n)--${esc}(--)?[ \\t]*(?:\\r?\\n|$)`, 'g');
  const parts: Buffer[] = [];
  let start = -1;
  for (const m of text.matchAll(delimiter)) {
    if (start >= 0) parts.push(body.subarray(start, m.index));
    if (m[1]) return parts;
    start = m.index + m[0].length;
  }
  // No closing boundary (a cut-off message): the last part runs to the end.
  if (start >= 0 && start < body.length) parts.push(body.subarray(start));
  return parts;
}

/** The decoded body of a part (base64 and quoted-printable; anything else as it is). */
export function decodedBody(part: Entity): Buffer {
  const cte = (headerValues(part.head, 'content-transfer-encoding')[0] ?? '').toLowerCase();
  if (cte === 'base64') return Buffer.from(part.body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  if (cte === 'quoted-printable') {
    const s = part.body.toString('latin1').replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(s, 'latin1');
  }
  return part.body;
}

/** Lines ending in CRLF, as signatures over MIME parts are computed (RFC 3156 §5). */
export function toCrlf(b: Buffer): Buffer {
  return Buffer.from(b.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}

/**
 * A message made of the outer header (addresses, subject, dates: everything but the Content-*
 * fields) and an inner MIME entity (a decrypted or signed part, with its own Content-* fields).
 */
export function rewrap(outerHead: string, inner: Buffer): Buffer {
  const kept = headerFields(outerHead)
    .filter((f) => !f.name.startsWith('content-') && f.name !== 'mime-version')
    .map((f) => (f.raw.endsWith('\n') ? f.raw : `${f.raw}\r\n`));
  // Some senders encrypt bare text, not a MIME entity: give it a head of its own.
  const entity = /^[A-Za-z0-9-]+:[ \t]/.test(inner.toString('latin1', 0, 80)) || inner[0] === 0x0d || inner[0] === 0x0a
    ? inner
    : Buffer.concat([Buffer.from('Content-Type: text/plain; charset=utf-8\r\n\r\n'), inner]);
  return Buffer.concat([Buffer.from(kept.join('') + 'MIME-Version: 1.0\r\n', 'latin1'), entity]);
}
