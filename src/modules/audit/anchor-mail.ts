// Each new audit anchor mailed to an address outside the team (VIGIL_AUDIT_ANCHOR_MAIL_TO): a kind
// of the delivery layer, `audit_anchor`, whose delivery carries the anchor itself. An anchor only
// shows a cut chain if whoever cuts it cannot reach the anchor too; a mailbox of another team (or
// a write-once archive that takes mail) is out of their reach.
import { basename } from 'node:path';
import type { Executor } from '../../db/index.ts';
import type { Clock } from '../../lib/actor.ts';
import { deliveries, PermanentDeliveryError, type DeliveryHandler } from '../delivery/index.ts';
import type { Anchor } from './anchor.ts';

/** The delivery kind of an anchor mailed out. */
export const AUDIT_ANCHOR_MAIL = 'audit_anchor';

/** What the delivery keeps: the anchor file's name and its text, exactly as written. */
interface AnchorMail {
  filename: string;
  text: string;
  seq: number;
  createdAt: string;
  keyId: string;
  publicKey: string;
}

/**
 * Queues the mail of an anchor just written to `path` (once per anchor: its key, record and time).
 * The delivery worker sends it through the relay, with retries, like any other mail; without a
 * relay it waits, queued, until one is set.
 */
export async function queueAnchorMail(x: Executor, o: { to: string; anchor: Anchor; path: string; text: string; clock: Clock }): Promise<boolean> {
  const a = o.anchor;
  const mail: AnchorMail = { filename: basename(o.path), text: o.text, seq: a.seq, createdAt: a.createdAt, keyId: a.keyId, publicKey: a.publicKey };
  const row = await deliveries.enqueue(x, {
    kind: AUDIT_ANCHOR_MAIL, dedupeKey: `${a.keyId}:${a.seq}:${a.createdAt}`, via: 'smtp', recipient: o.to,
    summary: `Audit anchor of record ${a.seq} (${a.createdAt})`, payload: { anchor: mail }, createdAt: o.clock.now(),
  });
  return !!row;
}

/** The message: what the attachment is, and how to check the audit chain against it. */
export function anchorMessage(m: AnchorMail, teamFrom: string) {
  return {
    subject: `Vigil audit anchor: record ${m.seq}, ${m.createdAt}`,
    text: [
      'Hello,',
      '',
      `Attached is a signed audit anchor (${m.filename}) from the Vigil that sends as ${teamFrom}.`,
      '',
      `It states that at ${m.createdAt} the team's audit trail held ${m.seq} records, the last with the hash`,
      'named in the file, signed with the instance\'s Ed25519 key:',
      `  key id:     ${m.keyId}`,
      `  public key: ${m.publicKey}`,
      '',
      'The audit trail is a hash chain: it shows a record altered or removed from its middle, but not',
      'records cut off its end. This anchor shows that too, as long as it is kept where the people who',
      'run that Vigil cannot change or delete it. Please keep this message; nothing needs to be done',
      'with it now.',
      '',
      'To check the audit trail against it (on the Vigil server, with its settings):',
      '',
      `  vigil audit verify --anchor ${m.filename}`,
      '',
      'or, against the public key above kept here (a key replaced in the database then fails):',
      '',
      `  vigil audit verify --anchor ${m.filename} --public-key ${m.publicKey}`,
      '',
      '"Anchor valid" means the trail still holds that record with that hash; "TRUNCATED" or "BROKEN"',
      'means records were removed or changed since. An anchor whose file was altered fails its signature.',
      '',
      'This message was sent automatically.',
    ].join('\n'),
  };
}

export function anchorMailHandler(o: { from: string }): DeliveryHandler {
  return {
    kind: AUDIT_ANCHOR_MAIL,
    async deliver(d, ctx) {
      const m = (d.payload as { anchor?: AnchorMail }).anchor;
      if (!m?.text) throw new PermanentDeliveryError('the anchor is no longer stored with its delivery');
      const msg = anchorMessage(m, o.from);
      return ctx.relay!.send({
        from: o.from,
        to: d.recipient,
        subject: msg.subject,
        text: msg.text,
        attachments: [{ filename: m.filename, content: m.text, contentType: 'application/json' }],
        messageId: `<audit-anchor-${d.id}@${/@([^>\s]+)>?\s*$/.exec(o.from)?.[1] ?? 'vigil.localhost'}>`,
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
      });
    },
  };
}
