import { buildApp, loggerOptions } from './app.ts';
import { bootstrap } from './bootstrap.ts';
import type { Config } from './config.ts';
import { openRuntime } from './runtime.ts';
import { systemClock } from './lib/actor.ts';
import { startDeliveryWorker, type DeliveryWorker } from './modules/delivery/index.ts';
import { startEscalationWorker, type EscalationWorker } from './modules/escalation/worker.ts';
import { startSlaWorker, type SlaWorker } from './modules/sla/watch.ts';
import { startReportScheduler } from './modules/kpi-documents/delivery.ts';
import type { Ticker } from './lib/rounds.ts';
import { startSmtpIntake, type SmtpListener } from './modules/inbound-mail/smtp.ts';
import { startBlobSweeper, type BlobSweeper } from './modules/evidence/sweeper.ts';
import { startBackupServices } from './modules/backup/serve.ts';
import { startFeedWorker } from './modules/feeds/worker.ts';

/** `vigil serve`: open the store, migrate, create the first admin if needed, serve until a signal. */
export async function serve(config: Config): Promise<void> {
  const started = performance.now();
  const rt = await openRuntime(config, { waitForDatabase: true });
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let sweeper: BlobSweeper | null = null;
  let backups: Awaited<ReturnType<typeof startBackupServices>> | null = null;
  let deliverer: DeliveryWorker | null = null;
  let escalator: EscalationWorker | null = null;
  let slaWatcher: SlaWorker | null = null;
  let reporter: Ticker | null = null;
  let feedWorker: Ticker | null = null;
  let smtp: SmtpListener | null = null;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      process.stderr.write(`\n${signal} again: exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    app?.log.info({ signal }, 'shutting down');
    // Whatever hangs, the process ends: the connections' deadline plus time for the rest.
    setTimeout(() => {
      process.stderr.write(`shutdown did not finish within ${2 * config.VIGIL_SHUTDOWN_TIMEOUT_MS + 5000} ms: exiting now\n`);
      process.exit(1);
    }, 2 * config.VIGIL_SHUTDOWN_TIMEOUT_MS + 5000).unref();
    try {
      // No new requests from now; those in flight get until the deadline, then their connections close.
      const closingHttp = closeHttp(app, config.VIGIL_SHUTDOWN_TIMEOUT_MS);
      closingHttp.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
      await smtp?.close();
      await deliverer?.stop();
      await slaWatcher?.stop();
      await reporter?.stop();
      await feedWorker?.stop();
      await escalator?.stop();
      await sweeper?.stop();
      await backups?.stop();
      await closingHttp;
    } finally {
      await rt.close();
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  try {
    const first = await bootstrap(rt.handle.db, rt.services, config);
    app = await buildApp({ config, db: rt.handle.db, secretKey: rt.secretKey, services: rt.services, logger: loggerOptions(config.LOG_LEVEL) });
    await app.listen({ port: config.PORT, host: config.HOST });
    // Every delivery of every kind (reporter mail, notifications, scheduled reports, queued incident work).
    deliverer = startDeliveryWorker({
      db: rt.handle.db, clock: systemClock, handlers: rt.services.deliveryHandlers, relayUrl: config.VIGIL_SMTP_RELAY_URL, log: app.log,
      pollMs: config.VIGIL_NOTIFICATION_POLL_MS, leaseMs: config.VIGIL_NOTIFICATION_LEASE_MS,
    });
    escalator = startEscalationWorker({ escalation: rt.services.escalation, tickMs: config.VIGIL_ESCALATION_TICK_MS, log: app.log });
    slaWatcher = startSlaWorker({ watcher: rt.services.slaWatch, tickMs: config.VIGIL_SLA_TICK_MS, log: app.log });
    reporter = startReportScheduler({ schedules: rt.services.reportSchedules, tickMs: config.VIGIL_REPORT_TICK_MS, log: app.log });
    // Reports feeds delivered: read one after the other; one a crash left half-read is read again.
    feedWorker = startFeedWorker({ feeds: rt.services.feeds, pollMs: config.VIGIL_FEED_POLL_MS, log: app.log });
    smtp = await startSmtpIntake({ db: rt.handle.db, clock: systemClock, intake: rt.services.intake, log: app.log }, config);
    // Unfinished uploads a crash or a cut connection left, and files no row refers to: at start and then regularly.
    sweeper = startBlobSweeper({
      db: rt.handle.db, blobs: rt.services.blobs, graceMs: config.VIGIL_BLOB_GRACE_MINUTES * 60_000, everyMs: config.VIGIL_BLOB_SWEEP_MINUTES * 60_000, log: app.log,
    });
    // `vigil backup` reaching the embedded store through this process, and the daily signed audit anchor.
    backups = await startBackupServices(rt, app.log);
    // Items a crash left stored but unparsed (their senders had their 250 / 2xx): parsed now, in the background.
    const log = app.log;
    void rt.services.intake.resume().then((n) => n && log.info({ items: n }, 'parsed intake items left pending'), (err: unknown) => log.error({ err }, 'resuming intake items failed'));
    const url = config.VIGIL_PUBLIC_URL ?? `http://localhost:${config.PORT}`;
    if (first) printFirstAdmin(first.username, first.password, url);
    app.log.info({ store: rt.handle.store, url, startupMs: Math.round(performance.now() - started) }, 'Vigil is serving');
  } catch (e) {
    await smtp?.close().catch(() => undefined);
    await deliverer?.stop().catch(() => undefined);
    await slaWatcher?.stop().catch(() => undefined);
    await reporter?.stop().catch(() => undefined);
    await feedWorker?.stop().catch(() => undefined);
    await escalator?.stop().catch(() => undefined);
    await sweeper?.stop().catch(() => undefined);
    await backups?.stop().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await rt.close();
    throw e;
  }
}

/**
 * Stops the HTTP server: no new connections, idle ones closed now, requests in flight given until
 * the deadline; then their connections are closed too (a client that never finishes its upload
 * cannot hold up a shutdown).
 */
async function closeHttp(app: { close(): Promise<unknown>; server: { closeAllConnections(): void }; log: { warn(msg: string): void } } | undefined, deadlineMs: number) {
  if (!app) return;
  const deadline = setTimeout(() => {
    app.log.warn('requests still open at the shutdown deadline: closing their connections');
    app.server.closeAllConnections();
  }, deadlineMs);
  try {
    await app.close();
  } finally {
    clearTimeout(deadline);
  }
}

/** Printed once, on the console only (never through the logger), at the very first start. */
function printFirstAdmin(username: string, password: string | null, url: string) {
  const lines = [
    '',
    '  ┌─ Vigil is set up ──────────────────────────────────────────────',
    `  │ Open ${url} and sign in as "${username}".`,
    password
      ? `  │ Password (shown only this once): ${password}`
      : '  │ Password: the value of VIGIL_ADMIN_PASSWORD.',
    '  │ You will be asked to choose a new password at first sign-in.',
    '  └────────────────────────────────────────────────────────────────',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
