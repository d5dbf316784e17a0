import { Readable } from 'node:stream';
import type { Executor } from '../../db/index.ts';
import { VigilError } from '../../lib/errors.ts';
import type { createBlobStore } from '../evidence/index.ts';

type BlobStore = ReturnType<typeof createBlobStore>;

export interface IncomingFile {
  filename: string | null | undefined;
  contentType: string | null | undefined;
  content: Uint8Array;
}

export interface SavedAttachment {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string | null;
  stored: boolean;
  flags: string[];
}

const ARCHIVE_EXT = /\.(zip|rar|7z|tar|gz|tgz|bz2|xz|cab|iso|jar|lzh|arj|ace|zst)$/i;
const EXECUTABLE_EXT = /\.(exe|dll|scr|com|bat|cmd|ps1|vbs|js|jse|wsf|hta|msi|lnk|jar|sh|elf|apk)$/i;

/** What the first bytes say a file is, where that matters for handling (archives, executables). */
function sniff(b: Uint8Array): 'archive' | 'executable' | null {
  const h = (n: number) => b[n] ?? -1;
  if (h(0) === 0x50 && h(1) === 0x4b && (h(2) === 3 || h(2) === 5 || h(2) === 7)) return 'archive'; // zip
  if (h(0) === 0x52 && h(1) === 0x61 && h(2) === 0x72 && h(3) === 0x21) return 'archive'; // rar
  if (h(0) === 0x37 && h(1) === 0x7a && h(2) === 0xbc && h(3) === 0xaf) return 'archive'; // 7z
  if (h(0) === 0x1f && h(1) === 0x8b) return 'archive'; // gzip
  if (h(0) === 0x42 && h(1) === 0x5a && h(2) === 0x68) return 'archive'; // bzip2
  if (h(0) === 0xfd && h(1) === 0x37 && h(2) === 0x7a && h(3) === 0x58) return 'archive'; // xz
  if (h(0) === 0x4d && h(1) === 0x5a) return 'executable'; // MZ
  if (h(0) === 0x7f && h(1) === 0x45 && h(2) === 0x4c && h(3) === 0x46) return 'executable'; // ELF
  return null;
}

/**
 * A file name safe to show and to offer for download: the last path segment, control characters
 * and path separators removed, at most 255 characters; `attachment` when nothing is left.
 */
export function safeFilename(name: string | null | undefined): string {
  const last = (name ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = last.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '').replace(/^\.+/, '').trim();
  return (cleaned || 'attachment').slice(0, 255);
}

/**
 * Keeps a report's files in the content-addressed blob store and lists them on the report.
 * Archives are never unpacked, and are flagged with executables; a file over the limit is listed
 * (name, type, size, flag `too_large`) but its bytes are not kept apart from the raw message.
 */
export async function saveAttachments(
  x: Executor,
  blobs: BlobStore,
  target: { reportId: string; messageId?: string | null },
  files: IncomingFile[],
  maxBytes: number,
  at: Date,
): Promise<SavedAttachment[]> {
  const out: SavedAttachment[] = [];
  for (const f of files) {
    const filename = safeFilename(f.filename);
    const contentType = (f.contentType ?? 'application/octet-stream').toLowerCase().slice(0, 200);
    const flags: string[] = [];
    const kind = sniff(f.content);
    if (kind === 'archive' || ARCHIVE_EXT.test(filename)) flags.push('archive');
    if (kind === 'executable' || EXECUTABLE_EXT.test(filename)) flags.push('executable');
    if (filename !== (f.filename ?? '')) flags.push('renamed');
    let sha256: string | null = null;
    let stored = false;
    if (f.content.byteLength === 0) flags.push('empty');
    else if (f.content.byteLength > maxBytes) flags.push('too_large');
    else {
      try {
        sha256 = (await blobs.put(Readable.from([Buffer.from(f.content)]), maxBytes)).sha256;
        stored = true;
      } catch (e) {
        if (!(e instanceof VigilError)) throw e;
        flags.push('too_large');
      }
    }
    const row = await x
      .insertInto('reportAttachment')
      .values({ reportId: target.reportId, messageId: target.messageId ?? null, filename, contentType, size: f.content.byteLength, sha256, stored, flags, createdAt: at })
      .returning('id')
      .executeTakeFirstOrThrow();
    out.push({ id: row.id, filename, contentType, size: f.content.byteLength, sha256, stored, flags });
  }
  return out;
}
