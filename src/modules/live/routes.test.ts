import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../lib/actor.ts';
import { adminSession, apiOf, login, makeApp, type Session, type TestApp, userWith } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';

interface Stream {
  events: { event: string; data: unknown }[];
  /** Resolves with the first event matching, or rejects after `ms`. */
  next(match: (e: { event: string; data: unknown }) => boolean, ms?: number): Promise<{ event: string; data: unknown }>;
  ended: Promise<void>;
  close(): void;
}

/** Opens the live stream as `who` and collects its events. */
async function openStream(base: string, who: Session): Promise<Stream> {
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

  const open = (who: Session) => openStream(base, who);

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

/**
 * The stream filters each change with the caller's access as it is now, and ends when the
 * credentials stop holding: the heartbeat here is far off, so only the change itself can do it.
 */
describe.each(stores())('live updates follow the caller\'s current access on %s', (store) => {
  let t: TestApp;
  let base: string;
  let admin: Session;
  let author: Session & { id: string };
  beforeAll(async () => {
    t = await makeApp(store, { VIGIL_LIVE_POLL_MS: '100', VIGIL_LIVE_HEARTBEAT_MS: '300000' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    admin = await adminSession(t);
    author = await userWith(t, ['manager']);
  });
  afterAll(() => t?.close());

  const { call, declare } = apiOf(() => t, () => author, { title: 'Scoped live' });

  it('stops telling a member of a constituent once it is taken out of their scope', async () => {
    const cli = systemActor('cli');
    const north = await t.services.constituents.create(cli, { name: 'Live North' });
    const south = await t.services.constituents.create(cli, { name: 'Live South' });
    const member = await userWith(t, ['handler']);
    await t.services.users.update(cli, member.id, { constituentIds: [north.id, south.id] });
    const s = await openStream(base, member);
    await s.next((e) => e.event === 'ready');
    const before = await declare({ constituent: 'Live South' });
    await s.next(hasIncident(before.id));
    // The administrator narrows the member to North, through the API, while the stream is open.
    const narrowed = await call(admin, 'PATCH', `/users/${member.id}`, { constituentIds: [north.id] });
    expect(narrowed.statusCode, narrowed.body).toBe(200);
    const hidden = await declare({ constituent: 'Live South' });
    await call(author, 'POST', `/incidents/${before.id}/notes`, { body: 'south again' });
    const marker = await declare({ constituent: 'Live North' });
    await s.next(hasIncident(marker.id));
    const told = s.events.flatMap((e) => (e.event === 'change' ? (e.data as { incidents: string[] }).incidents : []));
    expect(told).not.toContain(hidden.id);
    expect(told.filter((id) => id === before.id)).toHaveLength(1);
    expect(s.events.some((e) => e.event === 'end')).toBe(false);
    s.close();
  });

  it('stops telling a member whose roles no longer read incidents', async () => {
    const member = await userWith(t, ['handler']);
    const s = await openStream(base, member);
    const own = await openStream(base, author);
    await s.next((e) => e.event === 'ready');
    await own.next((e) => e.event === 'ready');
    const seen = await declare();
    await s.next(hasIncident(seen.id));
    const changed = await call(admin, 'PATCH', `/users/${member.id}`, { roles: [] });
    expect(changed.statusCode, changed.body).toBe(200);
    const after = await declare();
    // Every console is told in the same poll: once the author's has heard, the member's would have.
    await own.next(hasIncident(after.id));
    await new Promise((r) => setTimeout(r, 200));
    expect(s.events.some(hasIncident(after.id))).toBe(false);
    s.close();
    own.close();
  });

  it('ends the stream as soon as its session is ended from another session', async () => {
    const member = await userWith(t, ['viewer']);
    const s = await openStream(base, member);
    await s.next((e) => e.event === 'ready');
    const second = await login(t.app, member.username, 'Correct-Horse-Battery-9');
    const sessions = (await call(second, 'GET', '/account/sessions')).json().items as { id: string; current: boolean }[];
    const first = sessions.find((x) => !x.current)!;
    expect((await call(second, 'DELETE', `/account/sessions/${first.id}`)).statusCode).toBe(204);
    const end = await s.next((e) => e.event === 'end');
    expect(end.data).toEqual({ reason: 'signed-out' });
    await s.ended;
  });

  it('ends the stream as soon as the user is disabled', async () => {
    const member = await userWith(t, ['handler']);
    const s = await openStream(base, member);
    await s.next((e) => e.event === 'ready');
    expect((await call(admin, 'POST', `/users/${member.id}/disable`)).statusCode).toBe(200);
    const end = await s.next((e) => e.event === 'end');
    expect(end.data).toEqual({ reason: 'signed-out' });
    await s.ended;
  });
});
