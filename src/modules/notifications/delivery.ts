// Notifications as a kind of the delivery layer: one notification to one recipient, by e-mail
// through the relay (PGP/MIME-signed with the team key when one is configured) or to a webhook
// channel (generic JSON, Slack, Mattermost, Matrix). In-app notifications are 'sent' when written.
import type { DeliveryHandler, Outcome } from '../delivery/index.ts';
import { PermanentDeliveryError, smtpFailure, smtpSent } from '../delivery/index.ts';
import { unseal } from '../../lib/crypto.ts';
import { keyLoader } from '../inbound-mail/index.ts';
import { createNotificationMailer, type Mailer } from './email.ts';
import { webhookRequest } from './format.ts';
import { NOTIFICATION, notificationRepo } from './repo.ts';

export function notificationHandler(o: {
  secretKey: Buffer;
  from: string;
  /** VIGIL_PGP_KEY_FILE / VIGIL_PGP_PASSPHRASE: sign e-mail with the team key. */
  pgpKeyFile?: string | undefined;
  pgpPassphrase?: string | undefined;
  /** The whole HTTP request's timeout. */
  timeoutMs?: number;
}): DeliveryHandler {
  const timeout = o.timeoutMs ?? 15_000;
  const keys = keyLoader(o.pgpKeyFile, o.pgpPassphrase);
  // One mailer per relay connection (each worker has its own).
  const mailers = new WeakMap<object, Mailer>();

  return {
    kind: NOTIFICATION,
    async deliver(d, ctx): Promise<Outcome> {
      const n = await notificationRepo.message(ctx.db, d.id);
      if (!n) throw new PermanentDeliveryError('the notification is no longer stored');
      if (n.medium === 'email') {
        const transport = ctx.relay!.transport;
        let mailer = mailers.get(transport);
        if (!mailer) mailers.set(transport, (mailer = createNotificationMailer({ transport, from: o.from, signingKey: async () => (await keys())?.decryption[0] ?? null })));
        try {
          return smtpSent(await mailer.send({ to: n.address!, subject: n.subject, text: n.body, deliveryId: d.id }));
        } catch (e) {
          return smtpFailure(e);
        }
      }
      if (n.medium !== 'webhook') return { outcome: 'sent', response: 'in the inbox', code: null };
      const ch = n.channelId ? await notificationRepo.channelFull(ctx.db, n.channelId) : undefined;
      if (!ch) return { outcome: 'failed', response: 'the channel was deleted', code: null };
      if (!ch.enabled) return { outcome: 'failed', response: 'the channel is disabled', code: null };
      let secret: string | null = null;
      try {
        secret = ch.secretSealed ? unseal(o.secretKey, ch.secretSealed) : null;
      } catch {
        return { outcome: 'failed', response: 'the channel secret cannot be unsealed (was VIGIL_SECRET_KEY changed?)', code: null };
      }
      const req = webhookRequest(ch.kind, ch, secret, {
        id: d.id, event: n.event, dedupeKey: n.dedupeKey, subject: n.subject, body: n.body, link: n.link, vars: n.vars, createdAt: n.createdAt,
      });
      try {
        const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body, redirect: 'error', signal: AbortSignal.timeout(timeout) });
        const text = (await res.text().catch(() => '')).slice(0, 300).replace(/\s+/g, ' ');
        const response = `HTTP ${res.status}${text ? `: ${text}` : ''}`;
        if (res.ok) return { outcome: 'sent', response, code: res.status };
        const transient = res.status >= 500 || res.status === 408 || res.status === 429;
        return { outcome: transient ? 'deferred' : 'failed', response, code: res.status };
      } catch (e) {
        // Never the URL (a Slack or Mattermost URL is itself a secret): only the cause.
        const err = e as Error & { cause?: { code?: string; message?: string } };
        const why = err.name === 'TimeoutError' ? `no answer within ${timeout} ms` : (err.cause?.code ?? err.cause?.message ?? err.message);
        return { outcome: 'deferred', response: `cannot reach the webhook: ${String(why).replaceAll(req.url, '(url)')}`.slice(0, 2000), code: null };
      }
    },
  };
}
