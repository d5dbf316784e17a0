// The contract between the delivery worker and the handler of each kind.
import type { Db, Executor } from '../../db/index.ts';
import type { Clock } from '../../lib/actor.ts';
import type { ClaimedDelivery } from './repo.ts';
import type { Relay } from './smtp.ts';

/** How one attempt went. 'deferred' is retried after a backoff (until the attempts run out). */
export interface Outcome {
  outcome: 'sent' | 'deferred' | 'failed';
  /** The relay's reply, the HTTP status line, the error: shown in the attempt log and as lastError. */
  response: string;
  /** The SMTP reply code or HTTP status, when there was one. */
  code: number | null;
}

export interface DeliveryLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface HandlerContext {
  db: Db;
  clock: Clock;
  /** The SMTP relay; null when none is configured (then 'smtp' deliveries are not claimed). */
  relay: Relay | null;
  log: DeliveryLogger;
  /** Computes a value once per worker round (a KPI report sent to several recipients is made once). */
  memo<T>(key: string, make: () => Promise<T>): Promise<T>;
}

/**
 * A kind of delivery: reporter mail, a notification, a scheduled report, the work an incident
 * event queued, and the kinds to come (abuse notifications, pushes to sharing partners). The
 * worker claims, leases, counts attempts, backs off, gives up and logs; the handler only does the
 * one attempt and says how it went.
 */
export interface DeliveryHandler {
  kind: string;
  /** How long a claim lasts for this kind (default: the worker's lease). */
  leaseMs?: number;
  /**
   * Makes one attempt, outside any transaction (a slow relay or receiver holds no lock). Throwing
   * counts as 'deferred' with the error's message, or 'failed' for a PermanentDeliveryError.
   */
  deliver(d: ClaimedDelivery, ctx: HandlerContext): Promise<Outcome>;
  /** Runs in the transaction that records a 'sent' outcome (e.g. forgets a secret the message carried). */
  onSent?(tx: Executor, d: ClaimedDelivery): Promise<void>;
}

/** An error that retrying cannot cure (a template that does not render, a deleted destination). */
export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}
