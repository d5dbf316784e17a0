import { readFile } from 'node:fs/promises';
import * as openpgp from 'openpgp';
import { MailParseError } from './mime.ts';

export type SignatureState = 'valid' | 'invalid' | 'unknown_key' | 'none';

/** What PGP did to a message: shown at the top of the report and kept in the audit trail. */
export interface PgpInfo {
  decrypted: boolean;
  signature: SignatureState;
  /** The signing key's id (0x + 16 hex digits), when the message is signed. */
  signer: string | null;
}

export interface PgpKeys {
  decryption: openpgp.PrivateKey[];
  verification: openpgp.PublicKey[];
}

export interface Verdict {
  signature: SignatureState;
  signer: string | null;
}

const NONE: Verdict = { signature: 'none', signer: null };
const BLOCK = /-----BEGIN PGP (PRIVATE|PUBLIC) KEY BLOCK-----[\s\S]*?-----END PGP \1 KEY BLOCK-----/g;

/**
 * The team's key file: its private key(s) decrypt; public keys appended to the same file (known
 * reporters, partner teams) and the team's own verify signatures. A protected private key needs
 * the passphrase.
 */
export async function readKeyring(text: string, passphrase: string | undefined): Promise<PgpKeys> {
  const keys: PgpKeys = { decryption: [], verification: [] };
  for (const [block, kind] of text.matchAll(BLOCK)) {
    if (kind === 'PRIVATE') {
      let key = await openpgp.readPrivateKey({ armoredKey: block });
      if (!key.isDecrypted()) {
        if (passphrase === undefined) throw new Error('the private key is protected: set VIGIL_PGP_PASSPHRASE');
        key = await openpgp.decryptKey({ privateKey: key, passphrase });
      }
      keys.decryption.push(key);
      keys.verification.push(key.toPublic());
    } else {
      keys.verification.push(...(await openpgp.readKeys({ armoredKeys: block })));
    }
  }
  if (keys.decryption.length === 0) throw new Error('no armoured private key (-----BEGIN PGP PRIVATE KEY BLOCK-----) in the file');
  return keys;
}

/**
 * Reads the key file once, when the first PGP message needs it; a failure is not kept, so a fixed
 * file is read again by the next message (or a re-run of a failed item).
 */
export function keyLoader(file: string | undefined, passphrase: string | undefined): () => Promise<PgpKeys | null> {
  let loaded: Promise<PgpKeys> | undefined;
  return async () => {
    if (!file) return null;
    loaded ??= readFile(file, 'utf8').then((t) => readKeyring(t, passphrase));
    try {
      return await loaded;
    } catch (e) {
      loaded = undefined;
      throw new MailParseError(`cannot use the team PGP key ${file}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  };
}

const hexId = (k: openpgp.KeyID) => `0x${k.toHex().toUpperCase()}`;

/** The first signature's verdict: unknown_key when no key we hold made it, else valid or invalid. */
async function verdictOf(signatures: openpgp.DecryptMessageResult['signatures'], keys: PgpKeys): Promise<Verdict> {
  const first = signatures[0];
  if (!first) return NONE;
  const signer = hexId(first.keyID);
  const known = keys.verification.some((k) => k.getKeyIDs().some((id) => id.equals(first.keyID)));
  if (!known) {
    await first.verified.catch(() => undefined); // settle it: an unhandled rejection would be logged
    return { signature: 'unknown_key', signer };
  }
  try {
    await first.verified;
    return { signature: 'valid', signer };
  } catch {
    return { signature: 'invalid', signer };
  }
}

/** Decrypts an armoured or binary OpenPGP message; signatures inside it are verified. */
export async function decrypt(data: string | Uint8Array, keys: PgpKeys | null): Promise<Verdict & { data: Buffer }> {
  if (!keys) throw new MailParseError('the message is PGP-encrypted but no team key is configured (VIGIL_PGP_KEY_FILE)');
  let message: openpgp.Message<string | Uint8Array>;
  try {
    message = typeof data === 'string' ? await openpgp.readMessage({ armoredMessage: data }) : await openpgp.readMessage({ binaryMessage: data });
  } catch (e) {
    throw new MailParseError(`the PGP message is damaged: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  try {
    const r = await openpgp.decrypt({ message, decryptionKeys: keys.decryption, verificationKeys: keys.verification, format: 'binary' });
    return { data: Buffer.from(r.data), ...(await verdictOf(r.signatures, keys)) };
  } catch (e) {
    const ids = message.getEncryptionKeyIDs().map(hexId).join(', ');
    throw new MailParseError(`cannot decrypt the PGP message (encrypted to ${ids || 'no key id'}): ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** Verifies a detached signature (multipart/signed) over the signed part's exact bytes. */
export async function verifyDetached(signed: Buffer, signature: string | Uint8Array, keys: PgpKeys | null): Promise<Verdict> {
  try {
    const sig = typeof signature === 'string' ? await openpgp.readSignature({ armoredSignature: signature }) : await openpgp.readSignature({ binarySignature: signature });
    const r = await openpgp.verify({ message: await openpgp.createMessage({ binary: signed }), signature: sig, verificationKeys: keys?.verification ?? [], format: 'binary' });
    return await verdictOf(r.signatures, keys ?? { decryption: [], verification: [] });
  } catch {
    // A signature part that does not even parse proves nothing about the message.
    return { signature: 'invalid', signer: null };
  }
}

/** Verifies an inline cleartext-signed block (-----BEGIN PGP SIGNED MESSAGE-----); returns its text. */
export async function verifyCleartext(block: string, keys: PgpKeys | null): Promise<Verdict & { text: string }> {
  try {
    const message = await openpgp.readCleartextMessage({ cleartextMessage: block });
    const r = await openpgp.verify({ message, verificationKeys: keys?.verification ?? [] });
    return { text: message.getText(), ...(await verdictOf(r.signatures, keys ?? { decryption: [], verification: [] })) };
  } catch {
    return { text: block, signature: 'invalid', signer: null };
  }
}

/** The line that opens the report body, e.g. `[PGP: decrypted; signature valid, key 0x…]`. */
export function pgpLine(p: PgpInfo): string {
  const sig =
    p.signature === 'valid' ? `signature valid, key ${p.signer}`
      : p.signature === 'invalid' ? `signature INVALID${p.signer ? `, key ${p.signer}` : ''}`
        : p.signature === 'unknown_key' ? `signed by unknown key ${p.signer}`
          : 'not signed';
  return `[PGP: ${p.decrypted ? 'decrypted; ' : ''}${sig}]`;
}

/** Combines what the layers of a message said: decrypted by any, the first signature found wins. */
export function mergePgp(a: PgpInfo | null, b: Partial<PgpInfo> & Partial<Verdict>): PgpInfo {
  const base = a ?? { decrypted: false, signature: 'none' as SignatureState, signer: null };
  const takeSig = base.signature === 'none' && b.signature && b.signature !== 'none';
  return {
    decrypted: base.decrypted || !!b.decrypted,
    signature: takeSig ? b.signature! : base.signature,
    signer: takeSig ? (b.signer ?? null) : base.signer,
  };
}
