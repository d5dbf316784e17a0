/**
 * Telling "the database cannot be reached or does not answer" apart from every other failure, so
 * the API can answer 503 (try again) rather than 500, and start-up can wait for the database.
 */

/** Socket errors on the way to the database. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/**
 * PostgreSQL SQLSTATEs meaning "not now": connection exceptions (08), insufficient resources (53:
 * too many connections, out of memory, disk full), shutting down or starting up (57P01–57P03),
 * and a statement cancelled by statement_timeout (57014).
 */
const UNAVAILABLE_SQLSTATE = /^(08[0-9A-Z]{3}|53[0-9A-Z]{3}|57P0[123]|57014)$/;

/** What node-postgres and its pool say when a connection fails, times out or dies. */
const DRIVER_MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /Connection terminated/i,
  /Query read timeout/i,
  /Client has encountered a connection error and is not queryable/i,
  /Client was closed and is not queryable/i,
  /Postgres connection has been discarded/i,
];

/** Whether the error (or one it wraps) says the database is unreachable, overloaded or not answering. */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || UNAVAILABLE_SQLSTATE.test(e.code))) return true;
  if (typeof e.message === 'string' && DRIVER_MESSAGES.some((m) => m.test(e.message as string))) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isDatabaseUnavailable(x, depth + 1))) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}

/** The database named by a URL, for messages: host, port and database, never the user or password. */
export function describeDatabase(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return 'the database';
  }
}

/** The one-line reason of a connection failure ("connection refused", "no answer within 5000 ms"). */
export function unavailableReason(err: unknown, connectMs?: number): string {
  const chain: unknown[] = [err];
  for (let i = 0; i < 5 && (chain.at(-1) as { cause?: unknown } | null)?.cause; i++) chain.push((chain.at(-1) as { cause: unknown }).cause);
  if (chain.some((x) => /timeout/i.test((x as { message?: string } | null)?.message ?? ''))) return connectMs ? `no answer within ${connectMs} ms` : 'no answer';
  const root = chain.at(-1);
  const e = root as { code?: string; message?: string; errors?: { code?: string }[] } | null;
  const code = e?.code ?? e?.errors?.find((x) => x.code)?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ECONNRESET') return 'connection reset';
  if (code === 'ETIMEDOUT' || /timeout/i.test(e?.message ?? '')) return connectMs ? `no answer within ${connectMs} ms` : 'no answer';
  return (e?.message ?? String(root)).split('\n')[0]!.slice(0, 200);
}

/** Start-up could not reach the database: a one-line message, no stack trace. */
export class DatabaseUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}
