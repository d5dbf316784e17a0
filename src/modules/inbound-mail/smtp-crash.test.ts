import { createHash } from 'node:crypto';
import { createTransport } from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { stores, type Store } from '../../../test/db.ts';
import { freePort, serve, serverStore, type Served } from '../../../test/process.ts';
import { rawMail } from './testkit.ts';

/**
 * Raw-first over SMTP, proven the hard way: a burst of messages from eight SMTP connections is cut
 * by SIGKILL; after a restart every message that got its 250 is stored exactly once, byte for
 * byte, and is parsed into exactly one report by the restarted server. On both stores.
 */
const PASSWORD = 'Crash-Mail-Admin-Pass-1';
const CHOSEN = 'Crash-Mail-Chosen-Pass-2';
const BURST = 10_000;
const KILL_AFTER_ACKS = 300;
const CONNECTIONS = 8;

async function session(port: number) {
  const login = async (password: string) =>
    fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
  let r = await login(CHOSEN);
  if (r.status !== 200) {
    r = await login(PASSWORD);
    const { csrfToken } = (await r.json()) as { csrfToken: string };
    const cookie = r.headers.getSetCookie()[0]!.split(';')[0]!;
    await fetch(`http://127.0.0.1:${port}/api/v1/auth/password`, {
      method: 'POST', headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken }, body: JSON.stringify({ currentPassword: PASSWORD, newPassword: CHOSEN }),
    });
    r = await login(CHOSEN);
  }
  return r.headers.getSetCookie()[0]!.split(';')[0]!;
}

/** How many e-mail reports the server has made (keyset pages of 200). */
async function emailReports(port: number, cookie: string): Promise<number> {
  let n = 0;
  let cursor: string | null = null;
  do {
    const r = await fetch(`http://127.0.0.1:${port}/api/v1/reports?channel=email&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers: { cookie } });
    const page = (await r.json()) as { items: unknown[]; nextCursor: string | null };
    n += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return n;
}

describe.each(stores())('SIGKILL in the middle of an SMTP burst on %s', (store: Store) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('keeps every message that got its 250 exactly once, and parses it after the restart', { timeout: 300_000 }, async () => {
    const st = await serverStore(store, cleanups, 'vigil-smtp-crash-');
    const smtpPort = await freePort();
    const env: Record<string, string> = {
      ...st.env, VIGIL_ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'warn', VIGIL_SMTP_PORT: String(smtpPort), VIGIL_SMTP_HOST: '127.0.0.1',
      VIGIL_SMTP_RATE_PER_HOUR: '1000000',
    };
    let server: Served = await serve(env);
    cleanups.push(() => void server.stop('SIGKILL'));

    // id of the intake item (from the 250) -> sha256 of the bytes sent
    const acked = new Map<string, string>();
    const transport = createTransport({ host: '127.0.0.1', port: smtpPort, ignoreTLS: true, pool: true, maxConnections: CONNECTIONS, maxMessages: Infinity });
    let next = 0;
    let killed = false;
    const proc = server.proc;
    await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
      while (next < BURST && !killed) {
        const i = next++;
        const raw = rawMail({ subject: `crash-mail-${i}`, body: `message ${i}`, messageId: `<crash-${i}@example.org>` });
        try {
          const info = await transport.sendMail({ envelope: { from: `r${i}@example.org`, to: ['csirt@example.org'] }, raw });
          const id = /stored as ([0-9a-f-]{36})/.exec(info.response)?.[1];
          if (id) acked.set(id, createHash('sha256').update(raw).digest('hex'));
        } catch {
          /* the server is gone: this message was never acknowledged (a real MTA would retry it) */
        }
        if (!killed && acked.size >= KILL_AFTER_ACKS) {
          killed = true;
          proc.kill('SIGKILL');
        }
      }
    }));
    transport.close();
    await server.exited;
    expect(killed).toBe(true);

    // Restart: items the crash left unparsed are parsed in the background; wait for all of them.
    server = await serve(env);
    const cookie = await session(server.port);
    const until = Date.now() + 120_000;
    // At least every acknowledged message, and then no more for a while (some were stored, not acknowledged).
    let seen = -1;
    for (let n = await emailReports(server.port, cookie); (n < acked.size || n !== seen) && Date.now() < until; n = await emailReports(server.port, cookie)) {
      seen = n;
      await new Promise((r) => setTimeout(r, 1500));
    }
    await server.stop('SIGTERM');

    const db = await st.open();
    try {
      const items = await db.db.selectFrom('intakeItem').select(['id', 'sha256', 'state', 'reportId', 'messageId']).where('channel', '=', 'email').execute();
      const byId = new Map(items.map((i) => [i.id, i]));
      const missing = [...acked].filter(([id, sha]) => byId.get(id)?.sha256 !== sha);
      expect(missing, 'acknowledged messages missing or changed').toEqual([]);
      // Nothing stored twice (each message had its own Message-ID), nothing left unparsed or failed.
      const perMessage = new Map<string, number>();
      for (const i of items) perMessage.set(i.messageId!, (perMessage.get(i.messageId!) ?? 0) + 1);
      expect([...perMessage.values()].every((n) => n === 1), 'no message stored twice').toBe(true);
      expect(items.filter((i) => i.state !== 'parsed').map((i) => [i.id, i.state])).toEqual([]);
      const reports = await db.db.selectFrom('report').select(['title', (eb) => eb.fn.countAll<string>().as('n')]).where('channel', '=', 'email').groupBy('title').execute();
      expect(reports.filter((r) => Number(r.n) !== 1), 'no report twice').toEqual([]);
      expect(reports.length).toBe(items.length);
    } finally {
      await db.close();
    }
  });
});
