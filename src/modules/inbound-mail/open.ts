import { simpleParser, type Attachment, type ParsedMail } from 'mailparser';
import { contentTypeOf, decodedBody, MailParseError, multipartParts, normaliseLineEnds, rewrap, splitEntity, toCrlf } from './mime.ts';
import { isUtf8, readableCopy } from './repair.ts';
import { decrypt, mergePgp, verifyCleartext, verifyDetached, type PgpInfo, type PgpKeys } from './pgp.ts';

/** A message made readable: the parsed MIME of what the sender wrote, after any PGP layers. */
export interface OpenedMail {
  mail: ParsedMail;
  /** The plain text body (HTML converted when there is no text part), inline PGP blocks opened. */
  text: string;
  attachments: Attachment[];
  pgp: PgpInfo | null;
  /** What had to be repaired to read the message (a boundary, a charset), for the report to say. */
  notes: string[];
}

export type KeySource = () => Promise<PgpKeys | null>;

const PARSER_OPTIONS = {
  keepCidLinks: true, // the HTML is only converted to text; inlining images would just cost memory
  skipTextToHtml: true,
  skipTextLinks: true,
  // A huge HTML part is listed, not converted: converting it could take seconds of CPU.
  maxHtmlLengthToParse: 5_000_000,
  checksumAlgo: false as const,
};

const ARMOURED_MESSAGE = /-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/g;
const CLEARSIGNED = /-----BEGIN PGP SIGNED MESSAGE-----[\s\S]*?-----END PGP SIGNATURE-----/g;
/** The control parts of PGP/MIME, never shown as attachments. */
const PGP_CONTROL = new Set(['application/pgp-encrypted', 'application/pgp-signature']);

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Verification works without the team key (every signer is then unknown); a broken key file must not stop it. */
const verificationKeys = (keys: KeySource) => keys().catch(() => null);

/**
 * Opens the PGP/MIME layers (RFC 3156): multipart/encrypted is decrypted with the team key,
 * multipart/signed is verified over its signed part's exact bytes; what remains is the message.
 */
async function unwrap(raw: Buffer, keys: KeySource): Promise<{ source: Buffer; pgp: PgpInfo | null }> {
  let source = raw;
  let pgp: PgpInfo | null = null;
  const outer = splitEntity(source);
  const ct = contentTypeOf(outer.head);
  if (ct.type === 'multipart/encrypted') {
    const parts = multipartParts(outer.body, ct.params.boundary ?? '').map(splitEntity);
    const payload = parts.find((p) => contentTypeOf(p.head).type === 'application/octet-stream') ?? parts[1];
    if (!payload) throw new MailParseError('multipart/encrypted message without its encrypted part');
    const data = decodedBody(payload);
    const armoured = data.toString('latin1');
    const r = await decrypt(armoured.includes('-----BEGIN PGP MESSAGE-----') ? armoured : data, await keys());
    pgp = mergePgp(pgp, { decrypted: true, signature: r.signature, signer: r.signer });
    source = rewrap(outer.head, r.data);
  }
  const layer = splitEntity(source);
  const st = contentTypeOf(layer.head);
  if (st.type === 'multipart/signed' && (st.params.protocol ?? '').toLowerCase() === 'application/pgp-signature') {
    const [signed, signature] = multipartParts(layer.body, st.params.boundary ?? '');
    if (signed && signature) {
      const sig = decodedBody(splitEntity(signature));
      const armoured = sig.toString('latin1');
      const v = await verifyDetached(toCrlf(signed), armoured.includes('-----BEGIN PGP SIGNATURE-----') ? armoured : sig, await verificationKeys(keys));
      pgp = mergePgp(pgp, v);
      source = rewrap(layer.head, signed);
    }
  }
  return { source, pgp };
}

/** Replaces each match of `re` in `text` with what `f` makes of it, in order. */
async function replaceAsync(text: string, re: RegExp, f: (block: string) => Promise<string>): Promise<string> {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(re)) {
    out += text.slice(last, m.index) + (await f(m[0]));
    last = m.index + m[0].length;
  }
  return out + text.slice(last);
}

/** Inline PGP in the text body: armoured messages are decrypted, clear-signed blocks verified. */
async function openInline(text: string, pgp: PgpInfo | null, keys: KeySource): Promise<{ text: string; pgp: PgpInfo | null }> {
  let info = pgp;
  if (text.includes('-----BEGIN PGP MESSAGE-----')) {
    text = await replaceAsync(text, ARMOURED_MESSAGE, async (block) => {
      const r = await decrypt(block, await keys());
      info = mergePgp(info, { decrypted: true, signature: r.signature, signer: r.signer });
      return utf8.decode(r.data);
    });
  }
  if (text.includes('-----BEGIN PGP SIGNED MESSAGE-----')) {
    const ks = await verificationKeys(keys);
    text = await replaceAsync(text, CLEARSIGNED, async (block) => {
      const r = await verifyCleartext(block, ks);
      info = mergePgp(info, { signature: r.signature, signer: r.signer });
      return r.text;
    });
  }
  return { text, pgp: info };
}

/**
 * Parses a raw message best-effort (any charset mailparser knows is decoded, unknown ones and bad
 * bytes become U+FFFD). Throws MailParseError only for what cannot be read: a PGP message that
 * cannot be decrypted, or MIME beyond the parser's limits.
 */
export async function openMail(raw: Buffer, keys: KeySource): Promise<OpenedMail> {
  const { source: unwrapped, pgp: layered } = await unwrap(normaliseLineEnds(raw), keys);
  // The parser reads a repaired copy (line ends, boundary, charset); the stored message stays as it came.
  const { source, notes } = readableCopy(unwrapped);
  let mail: ParsedMail;
  try {
    mail = await simpleParser(source, PARSER_OPTIONS);
  } catch (e) {
    throw new MailParseError(`the message cannot be parsed as MIME: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  let body = mail.text ?? '';
  if (!body.trim() && !mail.html && mail.attachments.length === 0) {
    // Nothing the parser could place: show what the body holds rather than nothing.
    const rest = splitEntity(source).body;
    if (rest.toString('latin1').trim()) {
      body = isUtf8(rest) ? rest.toString('utf8') : new TextDecoder('windows-1252').decode(rest);
      notes.push('The parser found no text in the message; its body is shown as it came.');
    }
  }
  const { text, pgp } = await openInline(body, layered, keys);
  const attachments = mail.attachments.filter((a) => !(PGP_CONTROL.has(a.contentType.toLowerCase()) && pgp));
  return { mail, text, attachments, pgp, notes };
}
