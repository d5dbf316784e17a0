import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import type { Clock } from '../../lib/actor.ts';
import type { IntakeItemService } from '../intake/index.ts';
import { parseQueue } from './parse-queue.ts';
import { mailIntakeRepo } from './repo.ts';
import { RATE_WINDOW_SECONDS, sessionHandlers } from './session.ts';

export interface MailLog {
  info(o: object, msg: string): void;
  warn(o: object, msg: string): void;
  error(o: object, msg: string): void;
}

export interface SmtpListener {
  port: number;
  /** Stops accepting, lets open sessions end, waits for the parses under way. */
  close(): Promise<void>;
}

export interface SmtpDeps {
  db: Db;
  clock: Clock;
  intake: IntakeItemService;
  log: MailLog;
}

/**
 * Parses run behind the 250, so storing new messages never waits for them: several at a time on
 * PostgreSQL (a parse spends most of its time outside the audit chain's lock), one at a time on
 * the embedded store, whose single connection runs one transaction at a time anyway.
 */
const PARSE_CONCURRENCY = { postgres: 4, pglite: 1 } as const;
/** Under a flood on the embedded store, parses still start at least this often. */
const MAX_PARSE_DEFER_MS = 1000;
/** An intake MX talks to relays, not to the whole world at once; beyond this, clients wait for a slot. */
const MAX_CLIENTS = 256;
/** Message bytes all sessions may hold in memory at once (at least two messages of the largest size). */
const DATA_BUDGET_BYTES = 256 * 1024 ** 2;
const CLOSE_TIMEOUT_MS = 10_000;
const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * The intake MX: takes reports by SMTP without authentication, stores each message raw and
 * answers 250 only once it is committed, then parses it in the background. Oversized messages
 * get 552, unknown recipients 550, a sender or peer over its hourly rate 451 (try later).
 */
export async function startSmtpListener(
  d: SmtpDeps, config: Config, at: { port: number; host?: string | undefined; dataBudgetBytes?: number },
): Promise<SmtpListener> {
  const tls = config.VIGIL_SMTP_TLS_CERT && config.VIGIL_SMTP_TLS_KEY
    ? { cert: readFileSync(config.VIGIL_SMTP_TLS_CERT), key: readFileSync(config.VIGIL_SMTP_TLS_KEY) }
    : null;
  // Database work of the sessions in flight (rate checks, stores); on the embedded store parses yield to it.
  let busy = 0;
  const queue = parseQueue((id) => d.intake.parse(id), d.log, {
    concurrency: PARSE_CONCURRENCY[config.store], maxDeferMs: MAX_PARSE_DEFER_MS, ...(config.store === 'pglite' ? { busy: () => busy > 0 } : {}),
  });
  const tracked = async <T>(work: () => Promise<T>): Promise<T> => {
    busy++;
    try {
      return await work();
    } finally {
      if (--busy === 0) queue.kick();
    }
  };
  const server = new SMTPServer({
    name: config.VIGIL_SMTP_HOSTNAME,
    banner: 'Vigil incident intake',
    size: config.VIGIL_SMTP_MAX_BYTES,
    authOptional: true,
    disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(tls ?? {}),
    hideENHANCEDSTATUSCODES: false,
    disableReverseLookup: true,
    maxClients: MAX_CLIENTS,
    closeTimeout: CLOSE_TIMEOUT_MS,
    logger: false,
    ...sessionHandlers({
      d, config, tracked, stored: (id) => queue.push(id),
      budget: { held: 0, max: at.dataBudgetBytes ?? Math.max(DATA_BUDGET_BYTES, 2 * config.VIGIL_SMTP_MAX_BYTES) },
    }),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host ?? config.VIGIL_SMTP_HOST ?? config.HOST, () => {
      server.off('error', reject);
      // From now on a client that misbehaves or drops its connection must never take the process down.
      server.on('error', (err) => d.log.warn({ err }, 'smtp connection error'));
      resolve();
    });
  });
  const prune = setInterval(() => {
    mailIntakeRepo.prune(d.db, new Date(d.clock.now().getTime() - RATE_WINDOW_SECONDS * 1000)).catch((err: unknown) => d.log.warn({ err }, 'pruning smtp rate counters failed'));
  }, PRUNE_EVERY_MS);
  prune.unref();
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    async close() {
      clearInterval(prune);
      await new Promise<void>((r) => server.close(() => r()));
      const left = await queue.stop();
      if (left) d.log.info({ pending: left }, 'e-mails left to parse at the next start');
    },
  };
}

/**
 * `vigil serve`'s listener: none when VIGIL_SMTP_PORT is 0. A listener that cannot start (port
 * taken, unreadable certificate) is logged as an error and the HTTP side serves on: senders' MTAs
 * keep the mail queued and retry, so nothing is lost while it is fixed.
 */
export async function startSmtpIntake(d: SmtpDeps, config: Config): Promise<SmtpListener | null> {
  if (config.VIGIL_SMTP_PORT === 0) return null;
  const host = config.VIGIL_SMTP_HOST ?? config.HOST;
  try {
    const listener = await startSmtpListener(d, config, { port: config.VIGIL_SMTP_PORT, host });
    d.log.info({ host, port: listener.port, starttls: !!(config.VIGIL_SMTP_TLS_CERT && config.VIGIL_SMTP_TLS_KEY) }, 'SMTP intake listening');
    return listener;
  } catch (err) {
    d.log.error({ err, host, port: config.VIGIL_SMTP_PORT }, 'SMTP intake could not start: no e-mail is received until it is fixed');
    return null;
  }
}
