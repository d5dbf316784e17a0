import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openDb, type DbHandle } from '../src/db/index.ts';
import { isDatabaseUnavailable } from '../src/db/errors.ts';
import { dbTimeouts } from '../src/runtime.ts';
import { sql } from 'kysely';
import { toVigilError } from '../src/lib/http-errors.ts';
import { freshDb, stores, type TestDb } from './db.ts';
import { freePort, start, tempDir, vigil } from './process.ts';

/**
 * PostgreSQL that accepts connections and never answers (a hung server, a black-holing firewall),
 * or refuses them (down): requests and /readyz must not hang, the API answers 503 with
 * Retry-After, and `vigil serve` waits for the database with one line per try.
 */
const SECRET = Buffer.alloc(32, 9);

/** A TCP server on 127.0.0.1 that accepts every connection and never sends a byte. */
async function blackHole(): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    server,
    url: `postgres://vigil:secret-password@127.0.0.1:${port}/vigil`,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** An app on a PostgreSQL URL, with the timeouts `vigil serve` would use. */
async function appOn(url: string, env: Record<string, string> = {}) {
  const config = loadConfig({ DATABASE_URL: url, VIGIL_DATA_DIR: '/nonexistent', VIGIL_EVIDENCE_DIR: '/nonexistent/blobs', LOG_LEVEL: 'silent', ...env });
  const handle: DbHandle = await openDb({ store: 'postgres', url, timeouts: dbTimeouts(config) });
  const app = await buildApp({ config, db: handle.db, secretKey: SECRET });
  return { app, close: async () => { await app.close(); await handle.close(); } };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - t0 };
}

describe('a database that accepts connections and never answers', () => {
  let hole: Awaited<ReturnType<typeof blackHole>>;
  beforeAll(async () => {
    hole = await blackHole();
  });
  afterAll(() => hole?.close());

  it('/readyz answers 503 within two seconds, with the default timeouts', async () => {
    const a = await appOn(hole.url);
    try {
      const { value: r, ms } = await timed(() => a.app.inject({ method: 'GET', url: '/readyz' }));
      expect(r.statusCode).toBe(503);
      expect(r.json()).toEqual({ status: 'not_ready', reason: 'database not answering' });
      expect(ms).toBeLessThan(2000);
    } finally {
      await a.close();
    }
  });

  it('the API answers 503 VIG_UNAVAILABLE with Retry-After once the connect timeout passes', async () => {
    const a = await appOn(hole.url, { VIGIL_DB_CONNECT_TIMEOUT_MS: '500' });
    try {
      for (const req of [
        { method: 'GET' as const, url: '/api/v1/meta' },
        { method: 'POST' as const, url: '/api/v1/auth/login', payload: { username: 'dana', password: 'Correct-Horse-Battery-9' } },
      ]) {
        const { value: r, ms } = await timed(() => a.app.inject(req));
        expect(r.statusCode, `${req.method} ${req.url}: ${r.body}`).toBe(503);
        expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(r.headers['retry-after']).toBe('5');
        expect(r.json()).toMatchObject({ code: 'VIG_UNAVAILABLE', status: 503 });
        expect(r.body).not.toContain('secret-password');
        expect(ms).toBeLessThan(3000);
      }
    } finally {
      await a.close();
    }
  });

  it('`vigil serve` waits for it with one line per try, no stack trace, and stops on SIGTERM', { timeout: 30_000 }, async () => {
    const s = await start({ DATABASE_URL: hole.url, VIGIL_DATA_DIR: tempDir(), VIGIL_DB_CONNECT_TIMEOUT_MS: '300', LOG_LEVEL: 'warn' });
    try {
      const deadline = Date.now() + 15_000;
      while (!/trying again in 2 s/.test(s.output()) && Date.now() < deadline && s.proc.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      const out = s.output();
      expect(out).toMatch(/^Database 127\.0\.0\.1:\d+\/vigil not reachable \(no answer within 300 ms\); trying again in 1 s$/m);
      expect(out).toMatch(/trying again in 2 s$/m);
      expect(out).not.toMatch(/migration .* failed|^\s+at /m);
      expect(out).not.toContain('secret-password');
      expect(s.proc.exitCode).toBeNull();
    } finally {
      const t0 = Date.now();
      await s.stop('SIGTERM');
      expect(Date.now() - t0).toBeLessThan(5000);
    }
  });
});

describe('a database that refuses connections', () => {
  let url: string;
  beforeAll(async () => {
    url = `postgres://vigil:secret-password@127.0.0.1:${await freePort()}/vigil`;
  });

  it('/readyz and the API answer 503 at once', async () => {
    const a = await appOn(url);
    try {
      const ready = await timed(() => a.app.inject({ method: 'GET', url: '/readyz' }));
      expect(ready.value.statusCode).toBe(503);
      expect(ready.ms).toBeLessThan(2000);
      const { value: r, ms } = await timed(() => a.app.inject({ method: 'GET', url: '/api/v1/meta' }));
      expect(r.statusCode, r.body).toBe(503);
      expect(r.headers['retry-after']).toBe('5');
      expect(r.json().code).toBe('VIG_UNAVAILABLE');
      expect(ms).toBeLessThan(2000);
    } finally {
      await a.close();
    }
  });

  it('`vigil migrate` fails with one clear line', () => {
    const r = vigil(['migrate'], { DATABASE_URL: url, VIGIL_DATA_DIR: tempDir() });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^Database 127\.0\.0\.1:\d+\/vigil not reachable \(connection refused\)\. Check DATABASE_URL and that PostgreSQL is running\.$/);
  });

  it('`vigil serve` waits for it with one line per try', { timeout: 30_000 }, async () => {
    const s = await start({ DATABASE_URL: url, VIGIL_DATA_DIR: tempDir(), LOG_LEVEL: 'warn' });
    try {
      const deadline = Date.now() + 15_000;
      while (!/trying again in 2 s/.test(s.output()) && Date.now() < deadline && s.proc.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      expect(s.output()).toMatch(/^Database 127\.0\.0\.1:\d+\/vigil not reachable \(connection refused\); trying again in 1 s$/m);
      expect(s.output()).not.toMatch(/migration .* failed|^\s+at /m);
      expect(s.proc.exitCode).toBeNull();
    } finally {
      await s.stop('SIGTERM');
    }
  });
});

/**
 * On a real PostgreSQL, through a TCP relay the test can freeze: the database answers, then stops
 * answering mid-session. Queries are abandoned after the query timeout and the API says 503.
 */
describe.each(stores().filter((s) => s === 'postgres'))('a database that stops answering on %s', () => {
  let relay: Server;
  let frozen = false;
  const pairs = new Set<Socket>();
  let target: TestDb;
  let a: Awaited<ReturnType<typeof appOn>>;
  beforeAll(async () => {
    target = await freshDb('postgres');
    const to = new URL(target.url!);
    relay = createServer((client) => {
      const upstream = connect(Number(to.port || 5432), to.hostname);
      pairs.add(client).add(upstream);
      for (const s of [client, upstream]) s.on('error', () => undefined);
      client.on('data', (d) => void (!frozen && upstream.write(d)));
      upstream.on('data', (d) => void (!frozen && client.write(d)));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    const url = new URL(target.url!);
    url.host = `127.0.0.1:${(relay.address() as { port: number }).port}`;
    a = await appOn(url.toString(), { VIGIL_DB_CONNECT_TIMEOUT_MS: '500', VIGIL_DB_STATEMENT_TIMEOUT_MS: '700', VIGIL_DB_QUERY_TIMEOUT_MS: '1000' });
  });
  afterAll(async () => {
    for (const s of pairs) s.destroy();
    await a?.close().catch(() => undefined);
    await new Promise<void>((r) => relay.close(() => r()));
    await target?.close();
  });

  it('sets statement_timeout on every connection and cancels a statement over it with 503', async () => {
    const h = await openDb({ store: 'postgres', url: target.url!, timeouts: { connectMs: 2000, statementMs: 700, queryMs: 5000 } });
    try {
      const shown = await sql<{ statementTimeout: string }>`show statement_timeout`.execute(h.db);
      expect(shown.rows[0]?.statementTimeout).toBe('700ms');
      const err: unknown = await sql`select pg_sleep(2)`.execute(h.db).then(() => null, (e: unknown) => e);
      expect((err as { code?: string }).code).toBe('57014');
      expect(toVigilError(err).status).toBe(503);
    } finally {
      await h.close();
    }
  });

  it('survives the connection dying under a running query: the query fails, the process goes on', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => void uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      const url = new URL(target.url!);
      url.host = `127.0.0.1:${(relay.address() as { port: number }).port}`;
      const h = await openDb({ store: 'postgres', url: url.toString(), timeouts: { connectMs: 2000 } });
      try {
        const before = new Set(pairs);
        const running = sql`select pg_sleep(3)`.execute(h.db).then(() => null, (e: unknown) => e);
        await new Promise((r) => setTimeout(r, 300));
        for (const s of pairs) if (!before.has(s)) s.resetAndDestroy(); // the database's end of this connection dies
        const err = await running;
        expect(isDatabaseUnavailable(err), String(err)).toBe(true);
        await new Promise((r) => setTimeout(r, 100));
        expect(uncaught).toEqual([]);
      } finally {
        await h.close().catch(() => undefined);
      }
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });

  it('answers 503 within the query timeout when the database stops answering mid-session', async () => {
    const before = await a.app.inject({ method: 'GET', url: '/readyz' });
    expect(before.statusCode, before.body).toBe(200);
    const login = { method: 'POST' as const, url: '/api/v1/auth/login', payload: { username: 'dana', password: 'Correct-Horse-Battery-9' } };
    expect((await a.app.inject(login)).statusCode).toBe(401);
    frozen = true;
    const { value: r, ms } = await timed(() => a.app.inject(login));
    expect(r.statusCode, r.body).toBe(503);
    expect(r.headers['retry-after']).toBe('5');
    expect(r.json().code).toBe('VIG_UNAVAILABLE');
    expect(ms).toBeLessThan(3000);
    const ready = await timed(() => a.app.inject({ method: 'GET', url: '/readyz' }));
    expect(ready.value.statusCode).toBe(503);
    expect(ready.ms).toBeLessThan(2000);
  });
});
