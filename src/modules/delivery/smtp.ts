// The SMTP relay every kind that sends e-mail goes through, and the one place that tells what an
// SMTP answer means: 2xx sent, 4xx or no answer (connection refused, timeout) try again later,
// 5xx refused for good.
import { createTransport, type SendMailOptions, type Transporter } from 'nodemailer';
import type { Outcome } from './types.ts';

export interface Relay {
  /** Hands one message to the relay; resolves to the outcome (never throws for an SMTP failure). */
  send(message: SendMailOptions): Promise<Outcome>;
  transport: Transporter;
  close(): void;
}

interface SmtpError extends Error {
  code?: string;
  response?: string;
  responseCode?: number;
}

/** The outcome of a message the relay accepted. */
export function smtpSent(info: { response?: string }): Outcome {
  const response = info.response ?? '';
  return { outcome: 'sent', response, code: Number.parseInt(response, 10) || null };
}

/** What an SMTP failure means: a 5xx reply is permanent, anything else (4xx, no connection, a timeout) transient. */
export function smtpFailure(e: unknown): Outcome {
  const err = e as SmtpError;
  const code = typeof err.responseCode === 'number' ? err.responseCode : null;
  const response = (err.response ?? `${err.code ? `${err.code}: ` : ''}${err.message}`).slice(0, 2000);
  return { outcome: code !== null && code >= 500 ? 'failed' : 'deferred', response, code };
}

/**
 * A relay connection from VIGIL_SMTP_RELAY_URL. Timeouts stay well inside a lease: a relay that
 * accepts connections and then hangs costs one attempt, never a second copy sent by another worker
 * that took the row over.
 */
export function createRelay(o: { relayUrl: string; timeoutMs?: number; log?: { warn(obj: object, msg?: string): void } }): Relay {
  const timeout = o.timeoutMs ?? 15_000;
  const transport = createTransport({ url: o.relayUrl, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: 4 * timeout });
  // Each send reports its own failure; an error the transport raises outside a send must not end the process.
  transport.on('error', (err) => o.log?.warn({ err }, 'smtp relay transport error'));
  return {
    transport,
    async send(message) {
      try {
        return smtpSent(await transport.sendMail({ disableFileAccess: true, disableUrlAccess: true, ...message }));
      } catch (e) {
        return smtpFailure(e);
      }
    },
    close: () => transport.close(),
  };
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
