import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db, Executor } from '../../db/index.ts';
import { canonicalJson } from '../../lib/canonical-json.ts';
import { seal, sha256Hex, unseal } from '../../lib/crypto.ts';
import { everyTick } from '../../lib/rounds.ts';
import { VERSION } from '../../version.ts';
import { anchorRepo, type ChainHead } from './anchor.repo.ts';
import { GENESIS_HASH } from './service.ts';

/**
 * Audit anchors. The hash chain shows a record altered, removed from the middle or reordered, but
 * not records cut off its end: a shorter chain is still a valid chain. An anchor is the head (seq
 * and hash) at a moment, signed with the instance's Ed25519 key and kept away from the database
 * (a folder that is backed up elsewhere, or mailed out); `vigil audit verify --anchor FILE` then
 * shows that the chain still holds that record with that hash.
 */
export interface Anchor {
  format: 'vigil-audit-anchor';
  version: 1;
  /** The chain's last record when the anchor was made (0 and the genesis hash for an empty chain). */
  seq: number;
  hash: string;
  createdAt: string;
  vigilVersion: string;
  /** Ed25519 public key, SPKI DER in base64; keyId is the first 16 hex characters of its SHA-256. */
  publicKey: string;
  keyId: string;
  /** Ed25519 signature (base64) over the canonical JSON of every other field. */
  signature: string;
}

export interface AnchorKey {
  privateKey: KeyObject;
  publicKey: string;
  keyId: string;
}

export const keyIdOf = (publicKeyB64: string) => sha256Hex(Buffer.from(publicKeyB64, 'base64')).slice(0, 16);

/** The instance's anchor key, generated (and its private half sealed) at first use. */
export async function anchorKey(db: Executor, secretKey: Buffer, now = new Date()): Promise<AnchorKey> {
  let row = await anchorRepo.key(db);
  if (!row) {
    const pair = generateKeyPairSync('ed25519');
    const pub = pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const priv = pair.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
    await anchorRepo.insertKey(db, pub, seal(secretKey, priv), now);
    row = (await anchorRepo.key(db))!;
  }
  let der: string;
  try {
    der = unseal(secretKey, row.sealedPrivateKey);
  } catch {
    throw new AnchorError('The audit anchor key cannot be opened with this secret key (VIGIL_SECRET_KEY or secret.key differs from the one it was sealed with).');
  }
  return { privateKey: createPrivateKey({ key: Buffer.from(der, 'base64'), format: 'der', type: 'pkcs8' }), publicKey: row.publicKey, keyId: keyIdOf(row.publicKey) };
}

export class AnchorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnchorError';
  }
}

const signedPart = (a: Omit<Anchor, 'signature'> & { signature?: string }) => {
  const { signature: _s, ...rest } = a;
  return Buffer.from(canonicalJson(rest));
};

/** Signs the chain's current head. */
export async function makeAnchor(db: Executor, secretKey: Buffer, now = new Date()): Promise<Anchor> {
  const key = await anchorKey(db, secretKey, now);
  const head: ChainHead = (await anchorRepo.head(db)) ?? { seq: 0, hash: GENESIS_HASH };
  const body: Omit<Anchor, 'signature'> = {
    format: 'vigil-audit-anchor', version: 1, seq: head.seq, hash: head.hash, createdAt: now.toISOString(),
    vigilVersion: VERSION, publicKey: key.publicKey, keyId: key.keyId,
  };
  return { ...body, signature: sign(null, signedPart(body), key.privateKey).toString('base64') };
}

/** Writes an anchor to `dir` as `audit-anchor-<time>-seq<seq>.json`; returns its path. */
export async function writeAnchor(dir: string, a: Anchor): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `audit-anchor-${a.createdAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-seq${a.seq}.json`);
  await writeFile(path, JSON.stringify(a, null, 2) + '\n', { mode: 0o600 });
  return path;
}

export interface AnchorCheck {
  ok: boolean;
  /** One sentence for people: what was checked, or what is wrong. */
  message: string;
  anchor?: Pick<Anchor, 'seq' | 'hash' | 'createdAt' | 'keyId'>;
}

/** Parses an anchor file and checks its signature (with the key it names), nothing else. */
export function checkAnchorSignature(text: string): { anchor: Anchor } | { error: string } {
  let a: Anchor;
  try {
    a = JSON.parse(text) as Anchor;
  } catch {
    return { error: 'not an anchor file (not JSON)' };
  }
  if (a?.format !== 'vigil-audit-anchor' || a.version !== 1 || !Number.isSafeInteger(a.seq) || a.seq < 0 || !/^[0-9a-f]{64}$/.test(String(a.hash))
    || typeof a.publicKey !== 'string' || typeof a.signature !== 'string') {
    return { error: 'not a Vigil audit anchor (format, version, seq, hash, publicKey or signature missing)' };
  }
  let ok = false;
  try {
    const pub = createPublicKey({ key: Buffer.from(a.publicKey, 'base64'), format: 'der', type: 'spki' });
    ok = pub.asymmetricKeyType === 'ed25519' && verify(null, signedPart(a), pub, Buffer.from(a.signature, 'base64'));
  } catch {
    ok = false;
  }
  if (!ok || a.keyId !== keyIdOf(a.publicKey)) return { error: 'the anchor\'s signature does not verify: the file was altered or not made by Vigil' };
  return { anchor: a };
}

/**
 * Checks an anchor against the chain: a valid signature by this instance's anchor key (or, when
 * given, the public key kept off-site), and a record `seq` in the chain with the anchored hash.
 */
export async function verifyAnchor(db: Executor, text: string, opts: { trustedPublicKey?: string } = {}): Promise<AnchorCheck> {
  const s = checkAnchorSignature(text);
  if ('error' in s) return { ok: false, message: `Anchor REJECTED: ${s.error}.` };
  const a = s.anchor;
  const summary = { seq: a.seq, hash: a.hash, createdAt: a.createdAt, keyId: a.keyId };
  const trusted = opts.trustedPublicKey ?? (await anchorRepo.key(db))?.publicKey;
  if (trusted && keyIdOf(trusted) !== a.keyId) {
    return { ok: false, anchor: summary, message: `Anchor REJECTED: signed by key ${a.keyId}, not by this Vigil's anchor key ${keyIdOf(trusted)}.` };
  }
  if (a.seq === 0) return { ok: true, anchor: summary, message: 'Anchor valid: it was made on an empty chain.' };
  const rec = await anchorRepo.record(db, a.seq);
  if (!rec) {
    const head = await anchorRepo.head(db);
    return {
      ok: false, anchor: summary,
      message: `Audit chain TRUNCATED: the anchor of ${a.createdAt} holds record ${a.seq}, but the chain ${head ? `ends at record ${head.seq}` : 'is empty'}; records after ${head?.seq ?? 0} were deleted.`,
    };
  }
  if (rec.hash !== a.hash) {
    return { ok: false, anchor: summary, message: `Audit chain REWRITTEN: record ${a.seq} has hash ${rec.hash}, the anchor of ${a.createdAt} says ${a.hash}.` };
  }
  return { ok: true, anchor: summary, message: `Anchor valid: record ${a.seq} still has the hash anchored on ${a.createdAt}.` };
}

/** The newest anchor file in `dir` (by modification time), or null. */
async function newestAnchorMs(dir: string): Promise<number | null> {
  let newest: number | null = null;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!/^audit-anchor-.*\.json$/.test(name)) continue;
    const st = await stat(join(dir, name)).catch(() => null);
    if (st && (newest === null || st.mtimeMs > newest)) newest = st.mtimeMs;
  }
  return newest;
}

export interface AnchorWorkerDeps {
  db: Db;
  secretKey: Buffer;
  dir: string;
  /** A new anchor once the newest in `dir` is this old (a day by default). */
  everyMs: number;
  log: { info(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
  /** Called with each anchor written (the place to send it out of the team's reach). */
  written?: (a: Anchor, path: string) => Promise<void>;
}

/** Writes an anchor at start when the last is due, then looks again every hour (or `everyMs`, if shorter). */
export function startAnchorWorker(d: AnchorWorkerDeps) {
  const tick = async () => {
    const last = await newestAnchorMs(d.dir);
    if (last !== null && Date.now() - last < d.everyMs) return;
    const a = await makeAnchor(d.db, d.secretKey);
    const path = await writeAnchor(d.dir, a);
    d.log.info({ seq: a.seq, path }, 'audit anchor written');
    await d.written?.(a, path);
  };
  const first = tick().catch((err: unknown) => d.log.error({ err }, 'audit anchor failed'));
  const ticker = everyTick('audit anchor', tick, Math.min(d.everyMs, 3_600_000), d.log);
  return {
    async stop() {
      await ticker.stop();
      await first;
    },
  };
}

export const readAnchorFile = (path: string) =>
  readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new AnchorError(`Cannot read the anchor ${path}: ${e.code ?? e.message}.`);
  });
