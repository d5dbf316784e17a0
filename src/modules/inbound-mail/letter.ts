import type { ParsedMail } from 'mailparser';
import type { IncomingFile } from '../intake/index.ts';
import { MailParseError } from './mime.ts';
import type { OpenedMail } from './open.ts';
import { pgpLine, type PgpInfo } from './pgp.ts';
import { capped, cleanText, emailOf, oneLine } from './text.ts';

/** How an e-mail item came, as the SMTP listener and the import record it. */
export interface MailEnvelope {
  transport?: 'smtp' | 'import';
  mailFrom?: string | null;
  remoteAddress?: string | null;
}

/** A message as the report, reply or communication shows it. */
export interface Letter {
  title: string;
  body: string;
  /** The text without the PGP line: what deduplication compares. */
  text: string;
  reporterName: string | null;
  reporterEmail: string | null;
  files: IncomingFile[];
  pgp: PgpInfo | null;
  autoSubmitted: boolean;
}

/**
 * Whether nobody should answer this message automatically (no receipt): an auto-reply or bulk
 * mail by its headers, a bounce (empty MAIL FROM or a delivery report), a mailing list, or a
 * message imported from a file (an old mailbox must not make hundreds of receipts go out).
 */
export function notToAnswer(mail: ParsedMail, envelope: MailEnvelope): boolean {
  if (envelope.transport === 'import') return true;
  if (envelope.transport === 'smtp' && envelope.mailFrom === '') return true;
  const header = (name: string) =>
    mail.headerLines.filter((h) => h.key === name).map((h) => h.line.slice(h.line.indexOf(':') + 1).trim().toLowerCase());
  if (header('auto-submitted').some((v) => v && !v.startsWith('no'))) return true;
  if (header('precedence').some((v) => /^(bulk|junk|list|auto_reply)\b/.test(v))) return true;
  if (header('x-auto-response-suppress').some((v) => /\b(all|autoreply|oof)\b/.test(v))) return true;
  if (header('list-id').length || header('x-autoreply').length || header('x-autorespond').length) return true;
  return /^multipart\/report\b/.test(header('content-type')[0] ?? '');
}

/** What a report, reply or communication keeps of an opened message; throws when there is nothing to read. */
export function letterOf(opened: OpenedMail, envelope: MailEnvelope): Letter {
  const from = opened.mail.from?.value.find((a) => a.address) ?? opened.mail.from?.value[0];
  let text = cleanText(opened.text);
  if (!text.trim() && opened.mail.textConversionError) text = `[the HTML body could not be turned into text: ${opened.mail.textConversionError.message}]`;
  text = capped(text);
  const files = opened.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content }));
  const reporterName = oneLine(from?.name, 200) || null;
  const title = oneLine(cleanText(opened.mail.subject ?? ''), 300);
  // Judged on the message alone: an envelope sender does not make an empty message a report.
  if (!emailOf(from?.address) && !reporterName && !title && !text.trim() && files.length === 0) {
    throw new MailParseError('nothing to read: the message has no sender, subject, text or attachments');
  }
  const reporterEmail = emailOf(from?.address) ?? emailOf(envelope.mailFrom);
  // What had to be repaired to read it, said above the text (like the PGP line); never part of deduplication.
  const head = [...(opened.pgp ? [pgpLine(opened.pgp)] : []), ...opened.notes.map((n) => `[Parse note: ${oneLine(n, 500)}]`)];
  return {
    title: title || '(no subject)',
    body: head.length ? `${head.join('\n')}\n\n${text}` : text,
    text, reporterName, reporterEmail, files, pgp: opened.pgp, autoSubmitted: notToAnswer(opened.mail, envelope),
  };
}
