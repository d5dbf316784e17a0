import { hash, verify } from '@node-rs/argon2';
import { VigilError } from '../../lib/errors.ts';

// argon2id with the OWASP-recommended minimum (19 MiB, 2 passes); runs on libuv's thread pool.
const ARGON2ID = 2; // Algorithm.Argon2id (a const enum, which plain type stripping cannot read)
const PARAMS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, PARAMS);
}

/** A hash of a random string, verified against when the user does not exist, so timing says nothing. */
let decoy: Promise<string> | undefined;

export async function verifyPassword(stored: string | undefined, password: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  if (!stored) {
    decoy ??= hashPassword('decoy-password-never-matches');
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}

const COMMON = new Set([
  'password1234', 'password12345', 'password123!', '123456789012', 'qwertyuiop12', 'administrator',
  'letmein12345', 'welcome12345', 'changeme1234', 'iloveyou1234', 'passw0rd1234', 'qwerty123456',
]);

/** Length-based policy (NIST SP 800-63B): 12 to 256 characters, not the username, not a known weak one. */
export function checkPasswordPolicy(password: string, username: string): void {
  const problems: string[] = [];
  if ([...password].length < MIN_PASSWORD_LENGTH) problems.push(`must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) problems.push(`must be at most ${MAX_PASSWORD_LENGTH} characters`);
  if (username.length >= 4 && password.toLowerCase().includes(username.toLowerCase())) problems.push('must not contain the username');
  if (COMMON.has(password.toLowerCase()) || /^(.)\1+$/.test(password)) problems.push('is too common');
  if (problems.length) {
    throw new VigilError('VIG_AUTH_PASSWORD_WEAK', {
      errors: problems.map((message) => ({ path: 'newPassword', message })),
    });
  }
}
