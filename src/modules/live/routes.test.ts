import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiOf, makeApp, type Session, type TestApp, userWith } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';

interface Stream {
  events: { event: string; data: unknown }[];
  /** Resolves with the first event matching, or rejects after `ms`. */
  next(match: (e: { event: string; data: unknown }) => boolean, ms?: number): Promise<{ event: string; data: unknown }>;
  ended: Promise<void>;
  close(): void;
}

describe.each(stores())('live updates on %s', (store) => {
  let t: TestApp;
  let base: string;
  let handler: Session & { id: string };
  let outsider: Session;
  let acme: Session;
  beforeAll(async () => {
    t = await makeApp(store, { VIGIL_LIVE_POLL_MS: '100', VIGIL_LIVE_HEARTBEAT_MS: '300' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    handler = await userWith(t, ['handler']);
    outsider = await userWith(t, ['handler']);
    acme = await userWith(t, ['reporter']);
  });
  afterAll(() => t?.close());

  const { call, declare } = apiOf(() => t, () => handler, { title: 'Live' });

  async function open(who: Session): Promise<Stream> {
    const ctl = new AbortController();
    const res = await fetch(`${base}/api/v1/live`, { headers: { cookie: who.cookie }, signal: ctl.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events: { event: string; data: unknown }[] = [];
    const waiters = new Set<() => void>();
    const ended = (async () => {
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buf += value;
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event) events.push({ event, data: data ? JSON.parse(data) : null });
            for (const w of waiters) w();
          }
        }
      } catch {
        // aborted
      }
    })();
    return {
      events,
      ended,
      close: () => ctl.abort(),
      next(match, ms = 5000) {
        return new Promise((resolve, reject) => {
          const check = () => {
            const found = events.find(match);
            if (found) {
              waiters.delete(check);
              clearTimeout(timer);
              resolve(found);
            }
          };
          const timer = setTimeout(() => {
            waiters.delete(check);
            reject(new Error(`no matching event in ${ms} ms; got ${JSON.stringify(events)}`));
          }, ms);
          waiters.add(check);
          check();
        });
      },
    };
  }

  const hasIncident = (id: string) => (e: { event: string; data: unknown }) =>
    e.event === 'change' && (e.data as { incidents: string[] }).incidents.includes(id);

  it('tells each console only of changes it may see', async () => {
    const mine = await open(handler);
    const theirs = await open(outsider);
    const reporter = await open(acme);
    await mine.next((e) => e.event === 'ready');
    const red = await declare({ tlp: 'RED', title: 'Insider' });
    const amber = await declare({ title: 'Phishing' });
    await mine.next(hasIncident(red.id));
    await mine.next(hasIncident(amber.id));
    await theirs.next(hasIncident(amber.id));
    // The outsider is no role holder of the RED incident: never told it exists.
    await call(handler, 'POST', `/incidents/${red.id}/notes`, { body: 'still secret' });
    await call(handler, 'POST', `/incidents/${amber.id}/notes`, { body: 'marker' });
    await theirs.next((e) => hasIncident(amber.id)(e) && theirs.events.filter(hasIncident(amber.id)).length >= 2);
    expect(theirs.events.some(hasIncident(red.id))).toBe(false);
    // A reporter hears of its own reports only, and nothing about incidents.
    const r = (await call(acme, 'POST', '/reports', { title: 'Our site is down' })).json();
    await (await call(handler, 'POST', '/reports', { title: 'Someone else' })).json();
    await reporter.next((e) => e.event === 'change' && (e.data as { reports: string[] }).reports.includes(r.id));
    await mine.next((e) => e.event === 'change' && (e.data as { reports: string[] }).reports.includes(r.id));
    expect(reporter.events.filter((e) => e.event === 'change').every((e) => (e.data as { incidents: string[] }).incidents.length === 0)).toBe(true);
    expect(reporter.events.flatMap((e) => (e.event === 'change' ? (e.data as { reports: string[] }).reports : []))).toEqual([r.id]);
    for (const s of [mine, theirs, reporter]) s.close();
  });

  it('ends the stream when the user signs out, and does not keep an idle session alive', async () => {
    const who = await userWith(t, ['viewer']);
    // Last seen two minutes ago: any ordinary request would now move it forward.
    const before = new Date(Date.now() - 120_000);
    await t.db.db.updateTable('userSession').set({ lastSeenAt: before }).where('userId', '=', who.id).execute();
    const s = await open(who);
    await s.next((e) => e.event === 'ready');
    const after = (await t.db.db.selectFrom('userSession').select('lastSeenAt').where('userId', '=', who.id).executeTakeFirstOrThrow()).lastSeenAt;
    expect(after.getTime()).toBe(before.getTime());
    await call(who, 'POST', '/auth/logout');
    const end = await s.next((e) => e.event === 'end');
    expect(end.data).toEqual({ reason: 'signed-out' });
    await s.ended;
  });

  it('refuses callers without a session', async () => {
    const res = await fetch(`${base}/api/v1/live`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('VIG_AUTH_REQUIRED');
  });
});
