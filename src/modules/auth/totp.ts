import { generateSecret, generateURI, verify } from 'otplib';
import { randomInt } from 'node:crypto';
import { sha256Hex } from '../../lib/crypto.ts';

/** RFC 6238 TOTP: SHA-1, 6 digits, 30-second steps, one step of clock drift either way. */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export function totpUri(secret: string, issuer: string, account: string): string {
  return generateURI({ issuer, label: account, secret });
}

/**
 * Checks a code; returns its time step when valid and later than the last step used, so a code
 * seen once (shoulder-surfed, replayed) is refused the second time.
 */
export async function checkTotp(secret: string, code: string, lastStep: number | null): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  try {
    const r = await verify({
      secret,
      token: code,
      epochTolerance: 30,
      ...(lastStep != null ? { afterTimeStep: lastStep } : {}),
    });
    return r.valid && 'epoch' in r ? Math.floor(r.epoch / 30) : null;
  } catch {
    return null;
  }
}

const CODE_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** Ten one-time recovery codes like `k7fq-2mzp-x9ad` (60 bits each). */
export function newRecoveryCodes(n = 10): string[] {
  return Array.from({ length: n }, () =>
    Array.from({ length: 3 }, () => Array.from({ length: 4 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('')).join('-'),
  );
}

export function normaliseRecoveryCode(code: string): string {
  return code.trim().toLowerCase().replace(/[\s-]/g, '');
}

export function hashRecoveryCode(code: string): string {
  return sha256Hex(`vigil-recovery:${normaliseRecoveryCode(code)}`);
}
