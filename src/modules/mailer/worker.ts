import { createTransport } from 'nodemailer';
import type { Db } from '../../db/index.ts';
import type { Clock } from '../../lib/actor.ts';
import { addressOf } from './addresses.ts';
import { mailRepo, type ClaimedDelivery } from './repo.ts';
import { fillStatusUrl } from './templates.ts';
import { roundLoop, type RoundResult } from '../../lib/rounds.ts';

export interface MailLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface MailWorkerOptions {
  db: Db;
  clock: Clock;
  /** smtp://user:pass@host:port or smtps://… (VIGIL_SMTP_RELAY_URL). */
  relayUrl: string;
  /** The From header and envelope sender (VIGIL_MAIL_FROM). */
  from: string;
  log: MailLogger;
  /** How often to look for due deliveries when the last look found none. */
  pollMs?: number;
  /** Deliveries claimed per round. */
  batch?: number;
  /** How long a claimed delivery stays with its sender before another may take it over. */
  leaseMs?: number;
  /** Attempts before a delivery is given up as 'failed'. */
  maxAttempts?: number;
  /** How long to wait for the relay to connect and greet (the socket idle timeout is 4 times this). */
  smtpTimeoutMs?: number;
}

export const BACKOFF_BASE_MS = 60_000;
export const BACKOFF_MAX_MS = 3_600_000;

/** The wait after the n-th failed attempt: 1 min, 2, 4, … at most 1 h. */
export const backoffMs = (attempt: number) => Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));

interface SmtpError extends Error {
  code?: string;
  response?: string;
  responseCode?: number;
}

export type { RoundResult } from '../../lib/rounds.ts';

/**
 * Sends queued mail through the relay. Each round claims due deliveries (FOR UPDATE SKIP LOCKED:
 * several workers never take the same one), sends them outside any transaction (a slow or
 * unreachable relay holds no lock and blocks nothing), then records every attempt. A transient
 * failure (no connection, a 4xx reply) waits 1 min, 2, 4 … up to 1 h and gives up after
 * `maxAttempts`; a 5xx reply (the relay refuses the message for good) fails it at once. A
 * delivery left 'sending' by a worker that died is taken over when its lease runs out.
 */
export function createMailWorker(o: MailWorkerOptions) {
  const pollMs = o.pollMs ?? 3000;
  const batch = o.batch ?? 20;
  const leaseMs = o.leaseMs ?? 5 * 60_000;
  const maxAttempts = o.maxAttempts ?? 10;
  // Timeouts well inside the lease: a relay that accepts connections and then hangs costs one
  // attempt, never a second copy sent by another worker that took the row over.
  const timeout = o.smtpTimeoutMs ?? 15_000;
  const transport = createTransport({ url: o.relayUrl, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: 4 * timeout });
  // Each send reports its own failure; an error the transport raises outside a send must not end the process.
  transport.on('error', (err) => o.log.warn({ err }, 'smtp relay transport error'));

  async function sendOne(d: ClaimedDelivery): Promise<'sent' | 'deferred' | 'failed'> {
    const db = o.db;
    if (d.was === 'sending') {
      // The previous sender took it and never said how it went (it crashed or overran its lease).
      await mailRepo.addAttempt(db, { deliveryId: d.id, at: o.clock.now(), outcome: 'abandoned', response: 'the sender stopped before recording an outcome', smtpCode: null });
    }
    let outcome: 'sent' | 'deferred' | 'failed';
    let response: string;
    let smtpCode: number | null = null;
    try {
      const info = await transport.sendMail({
        from: o.from,
        to: d.recipient,
        envelope: { from: addressOf(o.from), to: [d.recipient] },
        subject: fillStatusUrl(d.subject, d.statusUrl),
        text: fillStatusUrl(d.body, d.statusUrl),
        messageId: d.messageId,
        ...(d.inReplyTo ? { inReplyTo: d.inReplyTo, references: [d.inReplyTo] } : {}),
        // RFC 3834: an automatic message; well-behaved auto-responders do not answer it.
        headers: { 'Auto-Submitted': d.kind === 'receipt' ? 'auto-replied' : 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      outcome = 'sent';
      response = info.response;
      smtpCode = Number.parseInt(info.response, 10) || null;
    } catch (e) {
      const err = e as SmtpError;
      smtpCode = typeof err.responseCode === 'number' ? err.responseCode : null;
      response = (err.response ?? `${err.code ? `${err.code}: ` : ''}${err.message}`).slice(0, 2000);
      outcome = smtpCode !== null && smtpCode >= 500 ? 'failed' : d.attempts >= maxAttempts ? 'failed' : 'deferred';
    }
    const now = o.clock.now();
    await db.transaction().execute(async (tx) => {
      await mailRepo.addAttempt(tx, { deliveryId: d.id, at: now, outcome, response, smtpCode });
      await mailRepo.settle(tx, d.id, d.attempts, {
        status: outcome === 'sent' ? 'sent' : outcome === 'failed' ? 'failed' : 'queued',
        nextAttemptAt: outcome === 'deferred' ? new Date(now.getTime() + backoffMs(d.attempts)) : now,
        lastError: outcome === 'sent' ? null : response,
        sentAt: outcome === 'sent' ? now : null,
        clearStatusUrl: outcome === 'sent',
      });
    });
    return outcome;
  }

  /** One round: claims what is due and sends it. Tests drive the worker with this and a test clock. */
  async function round(): Promise<RoundResult> {
    const now = o.clock.now();
    const claimed = await mailRepo.claimDue(o.db, now, new Date(now.getTime() + leaseMs), batch);
    const result: RoundResult = { claimed: claimed.length, sent: 0, deferred: 0, failed: 0 };
    for (const d of claimed) result[await sendOne(d)]++;
    return result;
  }

  const loop = roundLoop({ round, batch, pollMs, name: 'outgoing mail', log: o.log });
  return {
    runOnce: loop.runOnce,
    start: loop.start,
    /** Stops polling, lets the round in progress finish, closes the relay connection. */
    async stop() {
      await loop.stop();
      transport.close();
    },
  };
}
export type MailWorker = ReturnType<typeof createMailWorker>;

/**
 * The worker `vigil serve` runs: none when no relay is configured (deliveries stay queued, and
 * are sent once one is), which it says once.
 */
export function startMailWorker(o: Omit<MailWorkerOptions, 'relayUrl'> & { relayUrl: string | undefined }): MailWorker | null {
  if (!o.relayUrl) {
    o.log.info({}, 'outgoing mail is off: VIGIL_SMTP_RELAY_URL is not set, receipts and updates stay queued');
    return null;
  }
  const w = createMailWorker({ ...o, relayUrl: o.relayUrl });
  w.start();
  o.log.info({ relay: redactUrl(o.relayUrl) }, 'outgoing mail: sending through the relay');
  return w;
}

/** The relay URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'smtp://(unparsable)';
  }
}
