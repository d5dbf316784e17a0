import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server for tests and development: it listens on a free local port, accepts any
 * sender and recipient without authentication or TLS, and keeps what it receives in memory. It
 * can be told to answer with an SMTP error (4xx: try later, 5xx: refused) or to stop listening
 * altogether (connections refused), to exercise retries. Test infrastructure, not a mock: the
 * code under test talks SMTP to it over TCP.
 */
export interface SinkMessage {
  from: string | null;
  to: string[];
  raw: Buffer;
  parsed: ParsedMail;
  receivedAt: Date;
}

export interface SmtpSink {
  readonly port: number;
  /** smtp://127.0.0.1:port, for VIGIL_SMTP_RELAY_URL. */
  readonly url: string;
  readonly messages: SinkMessage[];
  /**
   * Connection errors the sink saw (a client reset or killed in the middle of a message): kept
   * here for tests to look at, never thrown, since a sender dying must not fail the test run.
   */
  readonly errors: Error[];
  /** Answer every message with this SMTP error from now on (e.g. 451 or 550); null accepts again. */
  failWith(code: number | null, text?: string): void;
  /** Stops listening: connections are refused until `up()`. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  /** Resolves once `n` messages have arrived (or rejects after `ms`). */
  waitFor(n: number, ms?: number): Promise<SinkMessage[]>;
  close(): Promise<void>;
}

export async function startSmtpSink(opts: { host?: string; port?: number } = {}): Promise<SmtpSink> {
  const host = opts.host ?? '127.0.0.1';
  const messages: SinkMessage[] = [];
  const errors: Error[] = [];
  let failure: { code: number; text: string } | null = null;
  let waiters: (() => void)[] = [];

  const build = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      banner: 'vigil test sink',
      closeTimeout: 100,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (failure) {
            const err = Object.assign(new Error(failure.text), { responseCode: failure.code });
            return callback(err);
          }
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then(
            (parsed) => {
              const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : null;
              messages.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw, parsed, receivedAt: new Date() });
              callback();
              const ready = waiters;
              waiters = [];
              for (const w of ready) w();
            },
            (e: Error) => callback(e),
          );
        });
      },
    });

  // smtp-server re-emits a connection's socket error (ECONNRESET when the sender is killed during
  // DATA) on the server: without a listener that is an uncaught exception in the test process.
  const make = () => {
    const s = build();
    s.on('error', (e: Error) => void errors.push(e));
    return s;
  };
  let server = make();
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      const net = server.listen(port, host, () => {
        server.off('error', reject);
        resolve((net.address() as AddressInfo).port);
      });
    });
  const port = await listen(opts.port ?? 0);
  let listening = true;

  const closeServer = () => new Promise<void>((resolve) => server.close(() => resolve()));

  return {
    port,
    url: `smtp://${host}:${port}`,
    messages,
    errors,
    failWith(code, text) {
      failure = code === null ? null : { code, text: text ?? (code >= 500 ? 'Requested action not taken: mailbox unavailable' : 'Try again later') };
    },
    async down() {
      if (!listening) return;
      listening = false;
      await closeServer();
    },
    async up() {
      if (listening) return;
      server = make();
      await listen(port);
      listening = true;
    },
    async waitFor(n, ms = 10_000) {
      const deadline = Date.now() + ms;
      while (messages.length < n) {
        if (Date.now() > deadline) throw new Error(`the sink got ${messages.length} messages, not ${n}, within ${ms} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return messages.slice(0, n);
    },
    async close() {
      if (listening) await closeServer();
      listening = false;
    },
  };
}

/**
 * Development: `node test/smtp-sink.ts [port]` runs a sink (default port 1025) that prints each
 * message it receives; point Vigil at it with VIGIL_SMTP_RELAY_URL=smtp://127.0.0.1:1025.
 */
if (import.meta.main) {
  const sink = await startSmtpSink({ port: Number(process.argv[2] ?? 1025) });
  process.stdout.write(`SMTP sink listening on ${sink.url} (Ctrl-C to stop)\n`);
  let shown = 0;
  setInterval(() => {
    for (; shown < sink.messages.length; shown++) {
      const m = sink.messages[shown]!;
      process.stdout.write(`\n--- ${m.receivedAt.toISOString()} from ${m.from ?? '<>'} to ${m.to.join(', ')}\n${m.raw.toString('utf8')}\n`);
    }
  }, 200);
}
