// Shared set-up of the notification tests: a Vigil whose relay is the real local SMTP sink, a real
// local HTTP server as webhook receiver, a test clock, and a worker driven round by round.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeApp, testClock, type TestApp } from '../../../test/app.ts';
import type { Store } from '../../../test/db.ts';
import { startSmtpSink, type SmtpSink } from '../../../test/smtp-sink.ts';
import type { Clock } from '../../lib/actor.ts';
import { deliveryWorker, drainQueued } from '../delivery/testkit.ts';
import type { DeliveryWorker, DeliveryWorkerOptions } from '../delivery/index.ts';

/** The kinds of notifications: one to a recipient, and the work an incident event queues. */
export const NOTIFICATION_KINDS = ['notification', 'notification.incident_event'];

export const FROM = 'CERT Test <cert@cert.test>';
export const silentLog = { info() {}, warn() {}, error() {} };

export interface Hit {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP server that records what it receives; it can answer with an error or stop listening. */
export interface HookServer {
  readonly url: string;
  readonly hits: Hit[];
  failWith(status: number | null): void;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startHookServer(): Promise<HookServer> {
  const hits: Hit[] = [];
  let status: number | null = null;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    // A sender that dies mid-request must not become an unhandled error in the test process.
    req.on('error', () => res.destroy());
    res.on('error', () => undefined);
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (status) {
        res.writeHead(status, { 'content-type': 'text/plain' }).end('nope');
        return;
      }
      hits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  };
  const make = () => createServer(handler).on('clientError', (_err, socket) => socket.destroy());
  let server: Server = make();
  const listen = (port: number) => new Promise<number>((resolve) => server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  const port = await listen(0);
  let listening = true;
  const stop = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    failWith: (s) => void (status = s),
    async down() {
      if (listening) await stop();
      listening = false;
    },
    async up() {
      if (listening) return;
      server = make();
      await listen(port);
      listening = true;
    },
    async close() {
      if (listening) await stop();
      listening = false;
    },
  };
}

export interface NotifyTest {
  t: TestApp;
  sink: SmtpSink;
  hooks: HookServer;
  clock: Clock & { advance(ms: number): void };
  /** A delivery worker over notifications. */
  worker: DeliveryWorker;
  newWorker(over?: Partial<DeliveryWorkerOptions>): DeliveryWorker;
  /** Does the work incident events queued (their notifications are written then). */
  drain(): Promise<number>;
  close(): Promise<void>;
}

export async function notifyTest(store: Store, env: Record<string, string> = {}): Promise<NotifyTest> {
  const sink = await startSmtpSink();
  const hooks = await startHookServer();
  const clock = testClock(new Date('2026-06-01T08:00:00.000Z'));
  const t = await makeApp(store, { VIGIL_SMTP_RELAY_URL: sink.url, VIGIL_MAIL_FROM: FROM, VIGIL_PUBLIC_URL: 'https://vigil.cert.test', ...env }, clock);
  const workers: DeliveryWorker[] = [];
  const newWorker = (over: Partial<DeliveryWorkerOptions> = {}) => {
    const w = deliveryWorker(t, clock, { relayUrl: sink.url, kinds: NOTIFICATION_KINDS, smtpTimeoutMs: 2000, ...over });
    workers.push(w);
    return w;
  };
  return {
    t, sink, hooks, clock, newWorker,
    worker: newWorker(),
    drain: () => drainQueued(t, clock),
    async close() {
      for (const w of workers) await w.stop();
      await t.close();
      await sink.close();
      await hooks.close();
    },
  };
}
