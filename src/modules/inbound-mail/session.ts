import type { SMTPServerAddress, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import type { Config } from '../../config.ts';
import { messageIdOf } from './mime.ts';
import { mailIntakeRepo } from './repo.ts';
import type { SmtpDeps } from './smtp.ts';

export const RATE_WINDOW_SECONDS = 3600;

/** An SMTP reply with its code: smtp-server sends `responseCode` and the message. */
export function reply(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * Whether the listener takes mail for an address: VIGIL_SMTP_ACCEPT lists addresses and
 * `@domain`s (comma-separated, any case); an empty list takes every recipient.
 */
export function recipientFilter(accept: string): (address: string) => boolean {
  const entries = accept.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (entries.length === 0) return () => true;
  const domains = entries.filter((e) => e.startsWith('@'));
  const addresses = new Set(entries.filter((e) => !e.startsWith('@')));
  return (address) => {
    const a = address.trim().toLowerCase();
    return addresses.has(a) || domains.some((d) => a.endsWith(d));
  };
}

/**
 * Bytes of DATA held in memory by all sessions at once: past it, a message is read on but not kept
 * and gets 452 (try later), so many large messages at once cannot exhaust the process's memory.
 */
export interface DataBudget {
  held: number;
  readonly max: number;
}

/** The DATA of a message; 'too_large' past `maxBytes`, 'no_room' past the shared budget (read to the end, not kept). */
function collect(stream: SMTPServerDataStream, maxBytes: number, budget: DataBudget): Promise<Buffer | 'too_large' | 'no_room'> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] | null = [];
    let size = 0;
    let held = 0;
    let noRoom = false;
    const release = () => {
      budget.held -= held;
      held = 0;
      chunks = null;
    };
    stream.on('data', (c: Buffer) => {
      size += c.length;
      if (!chunks) return;
      if (size > maxBytes || budget.held + c.length > budget.max) {
        noRoom = true;
        return release();
      }
      chunks.push(c);
      held += c.length;
      budget.held += c.length;
    });
    stream.once('error', (e) => {
      release();
      reject(e);
    });
    stream.once('end', () => {
      const tooLarge = stream.sizeExceeded || size > maxBytes;
      const content = chunks && !tooLarge ? Buffer.concat(chunks) : null;
      release();
      resolve(content ?? (tooLarge || !noRoom ? 'too_large' : 'no_room'));
    });
  });
}

export interface SessionContext {
  d: SmtpDeps;
  config: Config;
  budget: DataBudget;
  /** Runs database work of a session, counted so parses can yield to it. */
  tracked: <T>(work: () => Promise<T>) => Promise<T>;
  /** Hands a stored item to the background parse. */
  stored: (id: string) => void;
}

/** What the listener does at MAIL FROM, RCPT TO and DATA. */
export function sessionHandlers({ d, config, budget, tracked, stored }: SessionContext) {
  const maxBytes = config.VIGIL_SMTP_MAX_BYTES;
  const accepts = recipientFilter(config.VIGIL_SMTP_ACCEPT);

  /** Size announced too big: 552. Sender or peer over its hourly rate: 451, so its MTA retries later. */
  async function mailFrom(address: SMTPServerAddress, session: SMTPServerSession): Promise<void> {
    const announced = address.args ? Number(address.args.SIZE) : NaN;
    if (announced > maxBytes) throw reply(552, `Message size ${announced} exceeds the limit of ${maxBytes} bytes`);
    const sender = address.address.toLowerCase();
    const keys = [`ip:${session.remoteAddress}`, ...(sender ? [`from:${sender}`] : [])];
    let counts: Map<string, number>;
    try {
      counts = await tracked(() => mailIntakeRepo.hit(d.db, keys, d.clock.now(), RATE_WINDOW_SECONDS));
    } catch (err) {
      d.log.error({ err }, 'smtp rate check failed');
      throw reply(451, 'Temporary failure; try again later');
    }
    const over = [...counts].find(([, n]) => n > config.VIGIL_SMTP_RATE_PER_HOUR);
    if (over) {
      d.log.warn({ key: over[0], hits: over[1], remoteAddress: session.remoteAddress }, 'smtp sender over its rate');
      throw reply(451, `Too many messages from ${over[0].startsWith('ip:') ? 'your address' : 'this sender'}; try again later`);
    }
  }

  /** Stores the message raw; the 250 (with the item id) follows the commit, then the parse is queued. */
  async function data(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    let content: Buffer | 'too_large' | 'no_room';
    try {
      content = await collect(stream, maxBytes, budget);
    } catch (err) {
      d.log.warn({ err }, 'smtp data stream failed');
      throw reply(451, 'Reading the message failed; try again later');
    }
    if (content === 'too_large') throw reply(552, `Message exceeds the limit of ${maxBytes} bytes`);
    if (content === 'no_room') {
      d.log.warn({ remoteAddress: session.remoteAddress, held: budget.held }, 'smtp data budget full: message deferred');
      throw reply(452, 'Too much mail arriving at once; try again later');
    }
    const env = session.envelope;
    const item = {
      channel: 'email' as const, receivedAt: d.clock.now(), contentType: 'message/rfc822', content, messageId: messageIdOf(content),
      envelope: {
        transport: 'smtp', mailFrom: env.mailFrom ? env.mailFrom.address : null, rcptTo: env.rcptTo.map((r) => r.address),
        // The reverse lookup is off (it can stall each connection on DNS): the name is the one the client gave in EHLO.
        remoteAddress: session.remoteAddress, clientHostname: session.hostNameAppearsAs || null, tls: session.secure,
      },
    };
    let id: string;
    try {
      id = (await tracked(() => d.intake.store(item))).id;
    } catch (err) {
      d.log.error({ err }, 'storing an e-mail failed');
      throw reply(451, 'Could not store the message; try again later');
    }
    stored(id);
    return `OK: stored as ${id}`;
  }

  return {
    onMailFrom: (address: SMTPServerAddress, session: SMTPServerSession, cb: (err?: Error | null) => void) =>
      void mailFrom(address, session).then(() => cb(), cb),
    onRcptTo: (address: SMTPServerAddress, _session: SMTPServerSession, cb: (err?: Error | null) => void) =>
      cb(accepts(address.address) ? null : reply(550, `<${address.address}>: no such mailbox here`)),
    onData: (stream: SMTPServerDataStream, session: SMTPServerSession, cb: (err?: Error | null, message?: string) => void) =>
      void data(stream, session).then((message) => cb(null, message), cb),
  };
}
