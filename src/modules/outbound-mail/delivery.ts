// Reporter mail as a kind of the delivery layer: one message to a reporter, sent through the relay.
import type { DeliveryHandler } from '../delivery/index.ts';
import { PermanentDeliveryError } from '../delivery/index.ts';
import { addressOf } from './addresses.ts';
import { mailRepo, REPORTER_MAIL } from './repo.ts';
import { fillStatusUrl } from './templates.ts';

export function reporterMailHandler(o: { from: string }): DeliveryHandler {
  return {
    kind: REPORTER_MAIL,
    async deliver(d, ctx) {
      const m = await mailRepo.message(ctx.db, d.id);
      if (!m) throw new PermanentDeliveryError('the message is no longer stored');
      return ctx.relay!.send({
        from: o.from,
        to: m.recipient,
        envelope: { from: addressOf(o.from), to: [m.recipient] },
        subject: fillStatusUrl(m.subject, m.statusUrl),
        text: fillStatusUrl(m.body, m.statusUrl),
        messageId: m.messageId,
        ...(m.inReplyTo ? { inReplyTo: m.inReplyTo, references: [m.inReplyTo] } : {}),
        // RFC 3834: an automatic message; well-behaved auto-responders do not answer it.
        headers: { 'Auto-Submitted': m.kind === 'receipt' ? 'auto-replied' : 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
      });
    },
    // The private status link is kept only until the relay accepted the message that carries it.
    onSent: async (tx, d) => void (await mailRepo.clearStatusUrl(tx, d.id)),
  };
}
