import * as openpgp from 'openpgp';
import { VigilError } from '../../lib/errors.ts';

const invalid = (message: string) => new VigilError('VIG_CONTACT_PGP_KEY_INVALID', { errors: [{ path: 'body.pgpKey', message }] });

/**
 * Reads an armoured OpenPGP public key: its normalised armour and its fingerprint (40 or 64 hex
 * digits, upper case). A private key, a key that does not parse, or text that is no key is refused.
 */
export async function readPublicKey(text: string): Promise<{ armored: string; fingerprint: string }> {
  const trimmed = text.trim();
  if (/-----BEGIN PGP PRIVATE KEY BLOCK-----/.test(trimmed)) throw invalid('this is a private key: paste the public key only (and treat the private key as exposed)');
  if (!/-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]+-----END PGP PUBLIC KEY BLOCK-----/.test(trimmed)) {
    throw invalid('not an armoured public key (-----BEGIN PGP PUBLIC KEY BLOCK----- … -----END PGP PUBLIC KEY BLOCK-----)');
  }
  let key: openpgp.Key;
  try {
    key = await openpgp.readKey({ armoredKey: trimmed });
  } catch (e) {
    throw invalid(`the key could not be read: ${e instanceof Error ? e.message.replace(/^Error[^:]*: /, '').slice(0, 200) : 'malformed'}`);
  }
  if (key.isPrivate()) throw invalid('this is a private key: paste the public key only');
  return { armored: key.armor(), fingerprint: key.getFingerprint().toUpperCase() };
}
