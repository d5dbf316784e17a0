import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hmacHex } from '../../lib/crypto.ts';

/** A backup that cannot be made, read or restored; the message is for the operator. */
export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

export const MANIFEST = 'manifest.json';

/** What a backup folder holds; written last, so a folder without one is an unfinished backup. */
export interface Manifest {
  format: 'vigil-backup';
  version: 1;
  vigilVersion: string;
  store: 'pglite' | 'postgres';
  createdAt: string;
  /** The last migration applied to the database in the backup. */
  migration: string | null;
  /** pgdata.tar.gz (PGlite's data folder) or database.pgdump (pg_dump's custom format). */
  database: { file: string; sha256: string; size: number };
  /** Every blob a row in the database refers to, under blobs/<aa>/<bb>/<sha256>. */
  blobs: { sha256: string; size: number }[];
  /** The audit chain's last record in the database (0 and the genesis hash when empty). */
  auditHead: { seq: number; hash: string };
  /**
   * Identifies the secret key the database's sealed secrets (MFA seeds, the anchor key) need,
   * without revealing it: HMAC-SHA-256 of a fixed text under the key, 16 hex characters.
   */
  secretKeyId: string;
}

export const secretKeyId = (key: Buffer) => hmacHex(key, 'vigil backup key id').slice(0, 16);

export const blobPath = (root: string, sha256: string) => join(root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);

export async function fileSha256(path: string): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    h.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: h.digest('hex'), size };
}

export async function readManifest(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST), 'utf8');
  } catch {
    throw new BackupError(`${dir} holds no ${MANIFEST}: it is not a Vigil backup, or the backup did not finish.`);
  }
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch {
    throw new BackupError(`${join(dir, MANIFEST)} is not valid JSON.`);
  }
  if (m?.format !== 'vigil-backup' || m.version !== 1 || (m.store !== 'pglite' && m.store !== 'postgres') || !m.database?.file || !Array.isArray(m.blobs)) {
    throw new BackupError(`${join(dir, MANIFEST)} is not a Vigil backup manifest of a version this Vigil reads.`);
  }
  if (!/^[\w.-]+$/.test(m.database.file) || m.blobs.some((b) => !/^[0-9a-f]{64}$/.test(String(b?.sha256)))) {
    throw new BackupError(`${join(dir, MANIFEST)} names files outside the backup folder.`);
  }
  return m;
}
