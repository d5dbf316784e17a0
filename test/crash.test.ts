import http from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { stores, type Store } from './db.ts';
import { apiJson as json, apiSignIn as signIn, serve, serverStore, type Served } from './process.ts';

/**
 * Raw-first, proven the hard way: a burst of reports and alerts over the API is cut by SIGKILL
 * in the middle; after a restart every item whose sender got its 2xx exists exactly once, and
 * nothing exists twice. On both stores, with a real server process.
 */
const PASSWORD = 'Crash-Test-Admin-Pass-1';
const CHOSEN = 'Crash-Test-Chosen-Pass-2';
const BURST = 10_000;
const KILL_AFTER_ACKS = 600;

function post(agent: http.Agent, port: number, path: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe.each(stores())('SIGKILL in the middle of an intake burst on %s', (store: Store) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('keeps every acknowledged report and alert exactly once', { timeout: 240_000 }, async () => {
    const st = await serverStore(store, cleanups, 'vigil-crash-');
    const env: Record<string, string> = { ...st.env, VIGIL_ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'warn', VIGIL_SMTP_PORT: '0' };
    let server: Served = await serve(env);
    cleanups.push(() => void server.stop('SIGKILL'));

    // A handler's API token and a monitoring source, as a team would set them up.
    const first = await signIn(server.port, 'admin', PASSWORD);
    await json(server.port, 'POST', '/auth/password', { currentPassword: PASSWORD, newPassword: CHOSEN }, first);
    const admin = await signIn(server.port, 'admin', CHOSEN);
    const made = await json(server.port, 'POST', '/users', { username: 'crash-handler', displayName: 'Crash handler', roles: ['handler'] }, admin);
    const h0 = await signIn(server.port, 'crash-handler', made.temporaryPassword);
    await json(server.port, 'POST', '/auth/password', { currentPassword: made.temporaryPassword, newPassword: CHOSEN }, h0);
    const handler = await signIn(server.port, 'crash-handler', CHOSEN);
    const { token } = await json(server.port, 'POST', '/account/tokens', { name: 'crash', expiresInDays: 1 }, handler);
    const source = await json(server.port, 'POST', '/intake/sources', { name: 'crash-siem', mapping: { title: '$.name', fingerprint: ['$.name'] } }, admin);

    // The burst: reports and alerts, 16 at a time; the server is killed once enough are acknowledged.
    const acked = { reports: new Set<string>(), alerts: new Set<string>() };
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    let next = 0;
    let killed = false;
    const port = server.port;
    const proc = server.proc;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < BURST) {
        const i = next++;
        try {
          if (i % 2 === 0) {
            const title = `crash-report-${i}`;
            const r = await post(agent, port, '/api/v1/reports', { authorization: `Bearer ${token}`, 'idempotency-key': `k-${i}` }, JSON.stringify({ title, body: `item ${i}` }));
            if (r.status === 201) acked.reports.add(title);
          } else {
            const name = `crash-alert-${i}`;
            const r = await post(agent, port, '/api/v1/intake/alerts', { authorization: `Bearer ${source.token}` }, JSON.stringify({ name }));
            if (r.status === 202) acked.alerts.add(name);
          }
        } catch {
          /* the server is gone: this item was never acknowledged */
        }
        if (!killed && acked.reports.size + acked.alerts.size >= KILL_AFTER_ACKS) {
          killed = true;
          proc.kill('SIGKILL');
        }
        if (killed && proc.exitCode === null && proc.signalCode === null) await new Promise((r) => setTimeout(r, 5));
        if (killed) break;
      }
    }));
    agent.destroy();
    await server.exited;
    expect(killed).toBe(true);
    expect(acked.reports.size).toBeGreaterThan(0);
    expect(acked.alerts.size).toBeGreaterThan(0);

    // Restart on the same store; it must come up (stale lock, half-done transactions rolled back).
    server = await serve(env);
    await server.stop('SIGTERM');

    const db = await st.open();
    try {
      const reports = await db.db.selectFrom('report').select(['title', (eb) => eb.fn.countAll<string>().as('n')]).where('title', 'like', 'crash-report-%').groupBy('title').execute();
      const alerts = await db.db.selectFrom('alert').select(['title', (eb) => eb.fn.countAll<string>().as('n')]).where('title', 'like', 'crash-alert-%').groupBy('title').execute();
      const reportCount = new Map(reports.map((r) => [r.title, Number(r.n)]));
      const alertCount = new Map(alerts.map((r) => [r.title, Number(r.n)]));
      expect([...reportCount.values()].every((n) => n === 1), 'no report twice').toBe(true);
      expect([...alertCount.values()].every((n) => n === 1), 'no alert twice').toBe(true);
      expect([...acked.reports].filter((t) => reportCount.get(t) !== 1), 'acknowledged reports missing').toEqual([]);
      expect([...acked.alerts].filter((t) => alertCount.get(t) !== 1), 'acknowledged alerts missing').toEqual([]);
      // Every alert kept its raw body, every report its raw bytes.
      const bare = await db.db.selectFrom('alert').leftJoin('alertArrival', 'alertArrival.alertId', 'alert.id').select('alert.id').where('alertArrival.alertId', 'is', null).execute();
      expect(bare).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
