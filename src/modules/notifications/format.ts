import { hmacHex } from '../../lib/crypto.ts';
import type { ChannelKind } from '../../db/schema.ts';

/** What a webhook sender needs of a delivery. */
export interface Outgoing {
  id: string;
  event: string;
  dedupeKey: string;
  subject: string;
  body: string;
  /** Absolute, or null. */
  link: string | null;
  vars: Record<string, string>;
  createdAt: Date;
}

export interface HttpRequest {
  method: 'POST' | 'PUT';
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** HTML text and attribute escaping (Matrix formatted_body). */
export const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/**
 * Slack's control characters: &, < and > must be escaped, or text could form links and mentions
 * (<!channel>, <@U123>, <https://evil|innocent>).
 */
export const escapeSlack = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Mattermost renders Markdown and expands @-mentions: both are neutralised (a backslash before
 * Markdown punctuation, a zero-width joiner after @), and angle brackets escaped as for Slack.
 */
export const escapeMattermost = (s: string) =>
  s.replace(/([\\`*_~[\]()#|>!-])/g, '\\$1').replace(/</g, '&lt;').replace(/@/g, '@\u2060');

/** The header carrying the HMAC of a generic webhook's body. */
export const SIGNATURE_HEADER = 'X-Vigil-Signature';

/** A link only when it is http(s): a template value can never become a javascript: link. */
const safeLink = (link: string | null) => (link && /^https?:\/\//i.test(link) ? link : null);

/**
 * The HTTP request a delivery makes to a channel. `secret` is the channel's unsealed secret: the
 * HMAC key of a generic webhook, the access token of a Matrix room.
 */
export function webhookRequest(kind: ChannelKind, ch: { url: string; roomId: string | null }, secret: string | null, d: Outgoing): HttpRequest {
  const link = safeLink(d.link);
  const json = { 'Content-Type': 'application/json', 'User-Agent': 'Vigil-Notifications' };
  switch (kind) {
    case 'webhook': {
      const body = JSON.stringify({
        id: d.id, event: d.event, dedupeKey: d.dedupeKey, subject: d.subject, body: d.body, link, vars: d.vars, createdAt: d.createdAt.toISOString(),
      });
      const headers: Record<string, string> = { ...json, 'X-Vigil-Event': d.event, 'X-Vigil-Delivery': d.id };
      if (secret) headers[SIGNATURE_HEADER] = `sha256=${hmacHex(Buffer.from(secret, 'utf8'), body)}`;
      return { method: 'POST', url: ch.url, headers, body };
    }
    case 'slack': {
      const text = `*${escapeSlack(d.subject)}*\n${escapeSlack(d.body)}${link ? `\n<${escapeSlack(link).replace(/\|/g, '%7C')}|Open in Vigil>` : ''}`;
      return { method: 'POST', url: ch.url, headers: json, body: JSON.stringify({ text, mrkdwn: true, unfurl_links: false }) };
    }
    case 'mattermost': {
      const text = `**${escapeMattermost(d.subject)}**\n${escapeMattermost(d.body)}${link ? `\n[Open in Vigil](${link.replace(/[()\s]/g, encodeURIComponent)})` : ''}`;
      return { method: 'POST', url: ch.url, headers: json, body: JSON.stringify({ text, username: 'Vigil' }) };
    }
    case 'matrix': {
      const base = ch.url.replace(/\/+$/, '');
      // The delivery id is the transaction id: a retried PUT is the same event, never a second message.
      const url = `${base}/_matrix/client/v3/rooms/${encodeURIComponent(ch.roomId ?? '')}/send/m.room.message/${encodeURIComponent(d.id)}`;
      const plain = `${d.subject}\n${d.body}${link ? `\n${link}` : ''}`;
      const html = `<strong>${escapeHtml(d.subject)}</strong><br>${escapeHtml(d.body).replace(/\n/g, '<br>')}${link ? `<br><a href="${escapeHtml(link)}">Open in Vigil</a>` : ''}`;
      const headers: Record<string, string> = { ...json };
      if (secret) headers.Authorization = `Bearer ${secret}`;
      return { method: 'PUT', url, headers, body: JSON.stringify({ msgtype: 'm.text', body: plain, format: 'org.matrix.custom.html', formatted_body: html }) };
    }
  }
}

/** Verifies a generic webhook's signature header (for receivers, and tests). */
export function verifySignature(secret: string, body: string, header: string | undefined): boolean {
  return header === `sha256=${hmacHex(Buffer.from(secret, 'utf8'), body)}`;
}
