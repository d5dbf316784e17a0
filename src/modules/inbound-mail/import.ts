import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Db } from '../../db/index.ts';
import type { Clock } from '../../lib/actor.ts';
import { VigilError } from '../../lib/errors.ts';
import { type IntakeItemService, sha256Of } from '../intake/index.ts';
import type { SettingsService } from '../settings/index.ts';
import { mailKindOf } from './intake.ts';
import { messageIdOf } from './mime.ts';
import { progressBar } from '../../lib/progress.ts';
import { mailIntakeRepo } from './repo.ts';

export interface ImportDeps {
  db: Db;
  clock: Clock;
  intake: IntakeItemService;
  settings: SettingsService;
}

export interface ImportSummary {
  messages: number;
  stored: number;
  /** Already in Vigil byte for byte (an earlier import of the same file): not stored again. */
  skipped: number;
  parsed: number;
  failed: number;
  repeats: number;
  /** Replies threaded onto a report or incident. */
  replies: number;
  /** The first few failures, for the operator (all of them wait in the unparsed queue). */
  failures: ImportFailure[];
}

/** A message that could not be parsed: where it came from (file, and its place in an mbox), its item and why. */
export interface ImportFailure {
  file: string;
  /** The message's place in its mbox (0 for the first), or the file's place among the .eml files given. */
  index: number;
  mbox: boolean;
  itemId: string;
  error: string;
}

interface Message {
  content: Buffer;
  file: string;
  index: number;
  /** The mbox separator line (`From sender date`): when and from whom the mailbox got it (mbox messages only). */
  mboxFrom?: string;
  /** Bytes of the input read so far, for the progress bar. */
  position: number;
}

const FROM_ = Buffer.from('From ');

/** Drops the empty line an mbox puts after each message (before the next separator). */
function withoutSeparatorLine(b: Buffer): Buffer {
  if (b.length >= 4 && b.toString('latin1', b.length - 4) === '\r\n\r\n') return b.subarray(0, b.length - 2);
  if (b.length >= 2 && b[b.length - 1] === 0x0a && b[b.length - 2] === 0x0a) return b.subarray(0, b.length - 1);
  return b;
}

/** `>From `, `>>From `… at the start of a line lose one `>` (mboxrd quoting). */
function unquoted(line: Buffer): Buffer {
  let i = 0;
  while (line[i] === 0x3e) i++;
  return i > 0 && line.subarray(i, i + 5).equals(FROM_) ? line.subarray(1) : line;
}

/**
 * The messages of an mbox file, read as a stream: a message starts at each line beginning with
 * `From `, quoted `>From ` lines are unquoted. Only the message being read is held in memory.
 */
export async function* mboxMessages(path: string): AsyncGenerator<Message> {
  const file = resolve(path);
  let carry = Buffer.alloc(0);
  /** Where in the file `carry` (and so the buffer being split) starts. */
  let offset = 0;
  let lines: Buffer[] = [];
  let mboxFrom: string | null = null;
  let index = 0;
  const finish = (end: number): Message => ({ content: withoutSeparatorLine(Buffer.concat(lines)), file, index: index++, mboxFrom: mboxFrom!, position: end });
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const ready: Message[] = [];
    let start = 0;
    for (let nl = buf.indexOf(0x0a); nl !== -1; nl = buf.indexOf(0x0a, start)) {
      const line = buf.subarray(start, nl + 1);
      if (line.subarray(0, 5).equals(FROM_)) {
        if (mboxFrom !== null) ready.push(finish(offset + start));
        mboxFrom = line.toString('latin1').slice(5).trim();
        lines = [];
      } else if (mboxFrom === null) {
        if (line.toString('latin1').trim()) {
          throw new VigilError('VIG_MAIL_IMPORT_INVALID', { file, reason: 'not an mbox file: the first line does not start with "From "' });
        }
      } else lines.push(unquoted(line));
      start = nl + 1;
    }
    offset += start;
    // Copied: a slice would keep the whole chunk alive for the sake of a partial line.
    carry = Buffer.from(buf.subarray(start));
    yield* ready;
  }
  if (carry.length && mboxFrom !== null) lines.push(unquoted(carry));
  if (mboxFrom !== null) yield finish(offset + carry.length);
}

async function* emlMessages(paths: string[]): AsyncGenerator<Message> {
  let position = 0;
  for (const [index, path] of paths.entries()) {
    const content = await readFile(resolve(path));
    position += content.length;
    yield { content, file: resolve(path), index, position };
  }
}

/** Every path must be a readable file before anything is imported. */
async function sizeOf(paths: string[]): Promise<number> {
  let total = 0;
  for (const p of paths) {
    const s = await stat(p).catch(() => null);
    if (!s?.isFile()) throw new VigilError('VIG_MAIL_IMPORT_INVALID', { file: p, reason: s ? 'not a file' : 'no such file' });
    total += s.size;
  }
  return total;
}

/**
 * Stores each message raw (channel email, envelope `{ transport: 'import', file, index }`) and
 * parses it, one after another so a reply finds the report it answers. A message already stored
 * with the same bytes is skipped: importing a file twice makes nothing twice.
 */
async function importAll(d: ImportDeps, messages: AsyncIterable<Message>, total: number, out?: NodeJS.WriteStream): Promise<ImportSummary> {
  // Reports take the team's reference prefix: on a store no server has set up yet, every message would fail.
  await d.settings.current().catch((e: unknown) => {
    throw e instanceof VigilError && e.code === 'VIG_UNAVAILABLE' ? new VigilError('VIG_UNAVAILABLE', { reason: 'the team is not set up yet: start `vigil serve` once first' }) : e;
  });
  const s: ImportSummary = { messages: 0, stored: 0, skipped: 0, parsed: 0, failed: 0, repeats: 0, replies: 0, failures: [] };
  const bar = progressBar(total, out);
  try {
    for await (const m of messages) {
      s.messages++;
      if (await mailIntakeRepo.hasEmail(d.db, sha256Of(m.content))) {
        s.skipped++;
      } else {
        const item = await d.intake.store({
          channel: 'email', receivedAt: d.clock.now(), contentType: 'message/rfc822', content: m.content, messageId: messageIdOf(m.content),
          envelope: { transport: 'import', file: m.file, index: m.index, ...(m.mboxFrom ? { mboxFrom: m.mboxFrom } : {}) },
        });
        s.stored++;
        const r = await d.intake.parse(item.id);
        if (r.state === 'parsed') {
          s.parsed++;
          const kind = mailKindOf(r.outcome);
          if (kind === 'repeat') s.repeats++;
          if (kind === 'reply' || kind === 'communication') s.replies++;
        } else {
          s.failed++;
          if (s.failures.length < 10) s.failures.push({ file: m.file, index: m.index, mbox: m.mboxFrom !== undefined, itemId: item.id, error: r.error ?? 'unknown' });
        }
      }
      bar.update(m.position, s.messages);
    }
  } finally {
    bar.finish();
  }
  return s;
}

export async function importEml(d: ImportDeps, paths: string[], out?: NodeJS.WriteStream): Promise<ImportSummary> {
  return importAll(d, emlMessages(paths), await sizeOf(paths), out);
}

export async function importMbox(d: ImportDeps, path: string, out?: NodeJS.WriteStream): Promise<ImportSummary> {
  return importAll(d, mboxMessages(path), await sizeOf([path]), out);
}

/** The line the CLI prints for a failed message: its file (and place in the mbox), its item, why. */
export function failureLine(f: ImportFailure): string {
  const where = f.mbox ? `${f.file} (message ${f.index + 1} of the mbox, index ${f.index})` : f.file;
  return `  failed ${where}, item ${f.itemId}: ${f.error}`;
}

/** The line the CLI prints at the end, whatever happened. */
export function summaryLine(what: string, s: ImportSummary): string {
  return `${basename(what)}: ${s.messages} messages; ${s.stored} stored, ${s.skipped} already imported; ` +
    `${s.parsed} parsed (${s.repeats} repeats, ${s.replies} replies), ${s.failed} failed.`;
}
