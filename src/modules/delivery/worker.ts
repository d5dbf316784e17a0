// The one delivery worker: claims due deliveries of the kinds it has handlers for (FOR UPDATE SKIP
// LOCKED with a lease, so several workers never take the same one and a dead worker's deliveries
// are taken over when their lease runs out), hands each to its kind's handler outside any
// transaction, and records every attempt. A transient failure waits 1 min, 2, 4 … up to 1 h and
// gives up after `maxAttempts`; a permanent one fails at once.
import type { Db } from '../../db/index.ts';
import type { DeliveryVia } from '../../db/schema.ts';
import type { Clock } from '../../lib/actor.ts';
import { roundLoop, type RoundResult } from '../../lib/rounds.ts';
import { deliveryRepo, type ClaimedDelivery } from './repo.ts';
import { createRelay, redactUrl, type Relay } from './smtp.ts';
import { PermanentDeliveryError, type DeliveryHandler, type DeliveryLogger, type HandlerContext, type Outcome } from './types.ts';

export type { RoundResult } from '../../lib/rounds.ts';

export const BACKOFF_BASE_MS = 60_000;
export const BACKOFF_MAX_MS = 3_600_000;
export const DEFAULT_MAX_ATTEMPTS = 10;

/** The wait after the n-th failed attempt: 1 min, 2, 4, … at most 1 h. */
export const backoffMs = (attempt: number) => Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));

export interface DeliveryWorkerOptions {
  db: Db;
  clock: Clock;
  handlers: readonly DeliveryHandler[];
  /** VIGIL_SMTP_RELAY_URL; without it 'smtp' deliveries stay queued (no attempts spent) until one is set. */
  relayUrl: string | undefined;
  log: DeliveryLogger;
  /** How often to look for due deliveries when the last look found none. */
  pollMs?: number;
  /** Deliveries claimed per round. */
  batch?: number;
  /** How long a claimed delivery stays with its worker before another may take it over (a kind may set its own). */
  leaseMs?: number;
  /** Attempts before a delivery is given up as 'failed'. */
  maxAttempts?: number;
  /** SMTP connect/greeting timeout (the socket idle timeout is 4 times this). */
  smtpTimeoutMs?: number;
}

const ABANDONED = 'the sender stopped before recording an outcome';

export function createDeliveryWorker(o: DeliveryWorkerOptions) {
  const pollMs = o.pollMs ?? 3000;
  const batch = o.batch ?? 20;
  const leaseMs = o.leaseMs ?? 5 * 60_000;
  const maxAttempts = o.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const handlers = new Map(o.handlers.map((h) => [h.kind, h]));
  const relay: Relay | null = o.relayUrl ? createRelay({ relayUrl: o.relayUrl, timeoutMs: o.smtpTimeoutMs, log: o.log }) : null;
  const vias: DeliveryVia[] = relay ? ['smtp', 'http', 'internal'] : ['http', 'internal'];

  async function attempt(d: ClaimedDelivery, ctx: HandlerContext): Promise<Outcome> {
    const h = handlers.get(d.kind)!;
    try {
      return await h.deliver(d, ctx);
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 2000);
      if (err instanceof PermanentDeliveryError) return { outcome: 'failed', response: message, code: null };
      o.log.error({ err, delivery: d.id, kind: d.kind }, 'delivery: the handler failed');
      return { outcome: 'deferred', response: message, code: null };
    }
  }

  async function workOne(d: ClaimedDelivery, ctx: HandlerContext): Promise<'sent' | 'deferred' | 'failed'> {
    if (d.was === 'sending') {
      // The previous worker took it and never said how it went (it died or overran its lease).
      await deliveryRepo.addAttempt(o.db, { deliveryId: d.id, at: o.clock.now(), outcome: 'abandoned', response: ABANDONED, code: null });
    }
    const r = await attempt(d, ctx);
    const outcome = r.outcome === 'deferred' && d.attempts >= maxAttempts ? 'failed' : r.outcome;
    const now = o.clock.now();
    await o.db.transaction().execute(async (tx) => {
      await deliveryRepo.addAttempt(tx, { deliveryId: d.id, at: now, outcome, response: r.response, code: r.code });
      const held = await deliveryRepo.settle(tx, d.id, d.attempts, {
        status: outcome === 'sent' ? 'sent' : outcome === 'failed' ? 'failed' : 'queued',
        nextAttemptAt: outcome === 'deferred' ? new Date(now.getTime() + backoffMs(d.attempts)) : now,
        lastError: outcome === 'sent' ? null : r.response,
        sentAt: outcome === 'sent' ? now : null,
      });
      if (held && outcome === 'sent') await handlers.get(d.kind)!.onSent?.(tx, d);
    });
    return outcome;
  }

  /** One round: claims what is due and works it. Tests drive the worker with this and a test clock. */
  async function round(): Promise<RoundResult> {
    const now = o.clock.now();
    const leases: Record<string, Date> = {};
    for (const h of handlers.values()) if (h.leaseMs) leases[h.kind] = new Date(now.getTime() + h.leaseMs);
    const claimed = await deliveryRepo.claimDue(o.db, now, new Date(now.getTime() + leaseMs), batch, { kinds: [...handlers.keys()], vias, leases });
    const result: RoundResult = { claimed: claimed.length, sent: 0, deferred: 0, failed: 0 };
    const memos = new Map<string, Promise<unknown>>();
    const ctx: HandlerContext = {
      db: o.db, clock: o.clock, relay, log: o.log,
      memo: <T>(key: string, make: () => Promise<T>) => {
        if (!memos.has(key)) memos.set(key, make());
        return memos.get(key) as Promise<T>;
      },
    };
    const one = (d: ClaimedDelivery) => workOne(d, ctx).catch((err: unknown) => {
      o.log.error({ err, delivery: d.id }, 'delivery: recording an attempt failed');
      return 'deferred' as const;
    });
    // Mail goes to the relay one message after the other, and queued work is done in the order it
    // was queued (an incident's events one after the other); webhooks each on their own, so one
    // slow receiver does not hold up the others of the round.
    const serial = async (via: DeliveryVia) => {
      const out: ('sent' | 'deferred' | 'failed')[] = [];
      for (const d of claimed.filter((c) => c.via === via)) out.push(await one(d));
      return out;
    };
    const outcomes = await Promise.all([serial('smtp'), serial('internal'), ...claimed.filter((c) => c.via === 'http').map(async (d) => [await one(d)])]);
    for (const x of outcomes.flat()) result[x]++;
    return result;
  }

  const loop = roundLoop({ round, batch, pollMs, name: 'deliveries', log: o.log });
  return {
    runOnce: loop.runOnce,
    start: loop.start,
    relayConfigured: !!relay,
    /** Stops polling, lets the round in progress finish, closes the relay connection. */
    async stop() {
      await loop.stop();
      relay?.close();
    },
  };
}
export type DeliveryWorker = ReturnType<typeof createDeliveryWorker>;

/** The worker `vigil serve` runs: every kind; e-mail only when a relay is configured, which it says once. */
export function startDeliveryWorker(o: DeliveryWorkerOptions): DeliveryWorker {
  const w = createDeliveryWorker(o);
  w.start();
  if (o.relayUrl) o.log.info({ relay: redactUrl(o.relayUrl) }, 'outgoing mail: sending through the relay');
  else o.log.info({}, 'outgoing mail is off: VIGIL_SMTP_RELAY_URL is not set, e-mail (receipts, updates, notifications, reports) stays queued');
  return w;
}
