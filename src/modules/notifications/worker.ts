import type { Db } from '../../db/index.ts';
import type { NotificationOutcome, NotificationStatus } from '../../db/schema.ts';
import type { Clock } from '../../lib/actor.ts';
import { unseal } from '../../lib/crypto.ts';
import { backoffMs, redactUrl, type MailLogger } from '../mailer/worker.ts';
import { roundLoop, type RoundResult } from '../../lib/rounds.ts';
import { keyLoader } from '../mail/pgp.ts';
import { createNotificationMailer, type Mailer } from './email.ts';
import { webhookRequest } from './format.ts';
import { notificationRepo, type ClaimedDelivery } from './repo.ts';

export interface NotificationWorkerOptions {
  db: Db;
  clock: Clock;
  secretKey: Buffer;
  /** VIGIL_SMTP_RELAY_URL; without it e-mail deliveries stay queued (webhooks still go). */
  relayUrl: string | undefined;
  from: string;
  /** VIGIL_PGP_KEY_FILE / VIGIL_PGP_PASSPHRASE: sign e-mail with the team key. */
  pgpKeyFile?: string | undefined;
  pgpPassphrase?: string | undefined;
  log: MailLogger;
  pollMs?: number;
  batch?: number;
  leaseMs?: number;
  maxAttempts?: number;
  /** SMTP connect/greeting timeout, and the whole HTTP request's timeout. */
  timeoutMs?: number;
}

type Result = { outcome: Exclude<NotificationOutcome, 'abandoned'>; response: string; code: number | null };

/**
 * Delivers queued notifications: e-mail through the relay, webhooks over HTTP. Same discipline as
 * the reporter mail worker: claims with FOR UPDATE SKIP LOCKED and a lease, sends outside any
 * transaction, logs every attempt, backs off 1 min, 2, 4 … 1 h, gives up after `maxAttempts`
 * (or at once on a permanent refusal: SMTP 5xx, HTTP 4xx other than 408/429).
 */
export function createNotificationWorker(o: NotificationWorkerOptions) {
  const pollMs = o.pollMs ?? 3000;
  const batch = o.batch ?? 20;
  const leaseMs = o.leaseMs ?? 5 * 60_000;
  const maxAttempts = o.maxAttempts ?? 10;
  const timeout = o.timeoutMs ?? 15_000;
  const keys = keyLoader(o.pgpKeyFile, o.pgpPassphrase);
  const mailer: Mailer | null = o.relayUrl
    ? createNotificationMailer({ relayUrl: o.relayUrl, from: o.from, timeoutMs: timeout, signingKey: async () => (await keys())?.decryption[0] ?? null })
    : null;

  async function email(d: ClaimedDelivery): Promise<Result> {
    if (!mailer) return { outcome: 'deferred', response: 'no SMTP relay is configured (VIGIL_SMTP_RELAY_URL)', code: null }; // not claimed then; defensive
    try {
      const info = await mailer.send({ to: d.address!, subject: d.subject, text: d.body, deliveryId: d.id });
      return { outcome: 'sent', response: info.response, code: Number.parseInt(info.response, 10) || null };
    } catch (e) {
      const err = e as Error & { code?: string; response?: string; responseCode?: number };
      const code = typeof err.responseCode === 'number' ? err.responseCode : null;
      const response = (err.response ?? `${err.code ? `${err.code}: ` : ''}${err.message}`).slice(0, 2000);
      return { outcome: code !== null && code >= 500 ? 'failed' : 'deferred', response, code };
    }
  }

  async function webhook(d: ClaimedDelivery): Promise<Result> {
    const ch = d.channelId ? await notificationRepo.channelFull(o.db, d.channelId) : undefined;
    if (!ch) return { outcome: 'failed', response: 'the channel was deleted', code: null };
    if (!ch.enabled) return { outcome: 'failed', response: 'the channel is disabled', code: null };
    let secret: string | null = null;
    try {
      secret = ch.secretSealed ? unseal(o.secretKey, ch.secretSealed) : null;
    } catch {
      return { outcome: 'failed', response: 'the channel secret cannot be unsealed (was VIGIL_SECRET_KEY changed?)', code: null };
    }
    const req = webhookRequest(ch.kind, ch, secret, {
      id: d.id, event: d.event, dedupeKey: d.dedupeKey, subject: d.subject, body: d.body, link: d.link, vars: d.vars, createdAt: d.createdAt,
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
  }

  async function sendOne(d: ClaimedDelivery): Promise<'sent' | 'deferred' | 'failed'> {
    if (d.was === 'sending') {
      await notificationRepo.addAttempt(o.db, { deliveryId: d.id, at: o.clock.now(), outcome: 'abandoned', response: 'the sender stopped before recording an outcome', code: null });
    }
    const r = d.medium === 'email' ? await email(d) : await webhook(d);
    const outcome = r.outcome === 'deferred' && d.attempts >= maxAttempts ? 'failed' : r.outcome;
    const now = o.clock.now();
    const status: NotificationStatus = outcome === 'sent' ? 'sent' : outcome === 'failed' ? 'failed' : 'queued';
    await o.db.transaction().execute(async (tx) => {
      await notificationRepo.addAttempt(tx, { deliveryId: d.id, at: now, outcome, response: r.response, code: r.code });
      await notificationRepo.settle(tx, d.id, d.attempts, {
        status,
        nextAttemptAt: outcome === 'deferred' ? new Date(now.getTime() + backoffMs(d.attempts)) : now,
        lastError: outcome === 'sent' ? null : r.response,
        sentAt: outcome === 'sent' ? now : null,
      });
    });
    return outcome;
  }

  async function round(): Promise<RoundResult> {
    const now = o.clock.now();
    // Without a relay, e-mail stays queued (no attempts spent) and goes out once one is configured.
    const claimed = await notificationRepo.claimDue(o.db, now, new Date(now.getTime() + leaseMs), batch, mailer ? ['email', 'webhook'] : ['webhook']);
    const result: RoundResult = { claimed: claimed.length, sent: 0, deferred: 0, failed: 0 };
    // Each delivery on its own: one slow webhook does not hold up the others of the round.
    const outcomes = await Promise.all(claimed.map((d) => sendOne(d).catch((err: unknown) => {
      o.log.error({ err, delivery: d.id }, 'notifications: recording an attempt failed');
      return 'deferred' as const;
    })));
    for (const x of outcomes) result[x]++;
    return result;
  }

  const loop = roundLoop({ round, batch, pollMs, name: 'notifications', log: o.log });
  return {
    runOnce: loop.runOnce,
    start: loop.start,
    async stop() {
      await loop.stop();
      mailer?.close();
    },
  };
}
export type NotificationWorker = ReturnType<typeof createNotificationWorker>;

/** The worker `vigil serve` runs (webhooks always; e-mail when a relay is configured). */
export function startNotificationWorker(o: NotificationWorkerOptions): NotificationWorker {
  const w = createNotificationWorker(o);
  w.start();
  o.log.info({ relay: o.relayUrl ? redactUrl(o.relayUrl) : null, signed: !!o.pgpKeyFile }, 'notifications: delivering');
  return w;
}
