// Helpers for the e-mail intake tests: raw messages built by hand (so the bytes are known) and
// waiting for the background parse of an item.
import type { TestApp } from '../../../test/app.ts';
import { messageIdOf } from './mime.ts';

export interface RawMailInput {
  from?: string;
  to?: string;
  subject?: string;
  body?: string;
  messageId?: string;
  headers?: Record<string, string>;
  attachments?: { filename: string; contentType: string; content: Buffer }[];
}

let n = 0;

/** A message as a mail client would send it, CRLF line ends; multipart/mixed when it has attachments. */
export function rawMail(m: RawMailInput = {}): Buffer {
  const head = [
    `From: ${m.from ?? 'Alice Reporter <alice@example.org>'}`,
    `To: ${m.to ?? 'csirt@example.org'}`,
    `Subject: ${m.subject ?? 'Phishing wave'}`,
    `Date: Tue, 03 Mar 2026 10:00:00 +0000`,
    `Message-ID: ${m.messageId ?? `<test-${process.pid}-${++n}-${Date.now()}@example.org>`}`,
    'MIME-Version: 1.0',
    ...Object.entries(m.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
  ];
  const body = m.body ?? 'We received mails linking to https://login.example.net from 203.0.113.7.';
  if (!m.attachments?.length) {
    return Buffer.from([...head, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', body, ''].join('\r\n'));
  }
  const b = `b-${++n}`;
  const parts = [
    `--${b}`, 'Content-Type: text/plain; charset=utf-8', '', body,
    ...m.attachments.flatMap((a) => [
      `--${b}`, `Content-Type: ${a.contentType}; name="${a.filename}"`, `Content-Disposition: attachment; filename="${a.filename}"`,
      'Content-Transfer-Encoding: base64', '', a.content.toString('base64').replace(/.{76}/g, '$&\r\n'),
    ]),
    `--${b}--`, '',
  ];
  return Buffer.from([...head, `Content-Type: multipart/mixed; boundary="${b}"`, '', ...parts].join('\r\n'));
}

/** Waits until an intake item is parsed or failed (the listener parses after its 250). */
export async function settled(t: TestApp, id: string, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const item = await t.db.db.selectFrom('intakeItem').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    if (item.state !== 'pending') return item;
    if (Date.now() > until) throw new Error(`intake item ${id} still pending after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Stores a raw message as the import does (no SMTP) and parses it at once. */
export async function deliver(t: TestApp, raw: Buffer, envelope: Record<string, unknown> = { transport: 'smtp', mailFrom: 'alice@example.org', remoteAddress: '192.0.2.1' }) {
  const item = await t.services.intake.store({ channel: 'email', receivedAt: new Date(), contentType: 'message/rfc822', content: raw, envelope, messageId: messageIdOf(raw) });
  const r = await t.services.intake.parse(item.id);
  return { item, ...r };
}
