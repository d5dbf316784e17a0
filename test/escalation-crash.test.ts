import { afterAll, describe, expect, it } from 'vitest';
import { stores, type Store } from './db.ts';
import { apiJson as json, apiSignIn as signIn, serve, serverStore, type Served } from './process.ts';
import { startSmtpSink } from './smtp-sink.ts';

/**
 * Escalation notifications survive a SIGKILL: a real server escalates P1 incidents through three
 * levels to people by e-mail (a real local SMTP sink) and is killed while mail is going out. After
 * the restart every person gets every level of every incident, and exactly one message for it:
 * one delivery in the database, one Message-ID at the sink. A message the relay had accepted in
 * the moment before the kill could be handed over again by the restarted server; it then carries
 * the same Message-ID (mail clients keep one), and the test counts such repeats separately.
 */
const PASSWORD = 'Escalation-Crash-Pass-1';
const CHOSEN = 'Escalation-Crash-Chosen-2';
const INCIDENTS = 30;
const SEATS = ['csirt_manager', 'duty_officer', 'technical_lead'] as const;
const PER_SEAT = 2;
const KILL_AFTER_MESSAGES = 10;

describe.each(stores())('SIGKILL in the middle of an escalation on %s', (store: Store) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('notifies each person once per level of each incident', { timeout: 300_000 }, async () => {
    const sink = await startSmtpSink();
    cleanups.push(() => sink.close());
    const st = await serverStore(store, cleanups, 'vigil-escalation-crash-');
    const env: Record<string, string> = {
      ...st.env, VIGIL_ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'warn', VIGIL_SMTP_RELAY_URL: sink.url, VIGIL_MAIL_FROM: 'CSIRT <csirt@vigil.test>',
      VIGIL_ESCALATION_TICK_MS: '1000', VIGIL_NOTIFICATION_POLL_MS: '200', VIGIL_NOTIFICATION_LEASE_MS: '2000',
    };
    let server: Served = await serve(env);
    cleanups.push(() => void server.stop('SIGKILL'));
    const first = await signIn(server.port, 'admin', PASSWORD);
    await json(server.port, 'POST', '/auth/password', { currentPassword: PASSWORD, newPassword: CHOSEN }, first);
    const admin = await signIn(server.port, 'admin', CHOSEN);

    // Two people in each of three seats, each with an e-mail address.
    const people: { id: string; email: string; seat: string }[] = [];
    for (const seat of SEATS) {
      for (let i = 0; i < PER_SEAT; i++) {
        const username = `${seat.replace('_', '-')}-${i}`;
        const email = `${username}@example.org`;
        const made = await json(server.port, 'POST', '/users', { username, displayName: username, email, roles: ['manager'] }, admin);
        await json(server.port, 'PATCH', `/team/members/${made.user.id}`, { version: 0, seats: [seat] }, admin);
        people.push({ id: made.user.id, email, seat });
      }
    }
    // A drill policy for P1: the three seats one after the other, no waiting between levels.
    await json(server.port, 'POST', '/escalation/policies', {
      name: 'Crash drill', priorities: ['P1'], repeatCount: 0,
      levels: SEATS.map((seat) => ({ delayMinutes: 0, recipients: [{ kind: 'seat', seat }] })),
    }, admin);

    // The incidents are declared by a manager who holds none of the seats.
    const lead = await json(server.port, 'POST', '/users', { username: 'drill-lead', displayName: 'Drill lead', roles: ['manager'] }, admin);
    const l0 = await signIn(server.port, 'drill-lead', lead.temporaryPassword);
    await json(server.port, 'POST', '/auth/password', { currentPassword: lead.temporaryPassword, newPassword: CHOSEN }, l0);
    const manager = await signIn(server.port, 'drill-lead', CHOSEN);
    const refs: string[] = [];
    for (let i = 0; i < INCIDENTS; i++) {
      const inc = await json(server.port, 'POST', '/incidents', {
        title: `Crash drill ${i}`, impact: 'critical', urgency: 'critical', classifications: [{ class: 'malicious-code', type: 'infected-system' }],
      }, manager);
      refs.push(inc.reference);
    }
    // Mail is going out: kill the server in the middle of it.
    await sink.waitFor(KILL_AFTER_MESSAGES, 60_000);
    server.proc.kill('SIGKILL');
    await server.exited;
    // Levels still to notify at the kill (the escalation worker's own work was cut too).
    const cut = await st.open();
    const pending = Number((await cut.db.selectFrom('escalationRun').select((eb) => eb.fn.countAll<string>().as('n')).where('state', '=', 'active').executeTakeFirstOrThrow()).n);
    await cut.close();
    const atKill = sink.messages.length;
    const expected = INCIDENTS * SEATS.length * PER_SEAT;
    expect(atKill).toBeLessThan(expected);

    server = await serve(env);
    await sink.waitFor(expected, 120_000);
    // Let anything still due go out (it must not), then stop cleanly.
    await new Promise((r) => setTimeout(r, 3000));
    await server.stop('SIGTERM');

    // At the sink: per person, incident and level, one Message-ID.
    const ids = new Map<string, Set<string>>();
    let repeats = 0;
    for (const m of sink.messages) {
      const subject = m.parsed.subject ?? '';
      const ref = /\[([A-Z0-9-]+)\]/.exec(subject)?.[1];
      const level = /level (\d+)/i.exec(subject)?.[1];
      expect(ref && refs.includes(ref), `a drill message: ${subject}`).toBe(true);
      for (const to of m.to) {
        const key = `${to.toLowerCase()} ${ref} ${level}`;
        const set = ids.get(key) ?? new Set<string>();
        if (set.has(m.parsed.messageId!)) repeats++;
        set.add(m.parsed.messageId!);
        ids.set(key, set);
      }
    }
    const wanted = new Set<string>();
    for (const ref of refs) for (const [i, seat] of SEATS.entries()) for (const p of people.filter((x) => x.seat === seat)) wanted.add(`${p.email} ${ref} ${i + 1}`);
    expect([...wanted].filter((k) => !ids.has(k)), 'levels nobody was told').toEqual([]);
    expect([...ids.keys()].filter((k) => !wanted.has(k)), 'messages to the wrong people').toEqual([]);
    expect([...ids.entries()].filter(([, s]) => s.size !== 1).map(([k]) => k), 'more than one message for a level').toEqual([]);
    // Only a message accepted in the instant before the kill can arrive twice, and with the same Message-ID.
    expect(repeats).toBeLessThanOrEqual(20);
    console.log(`escalation crash on ${store}: ${atKill} of ${expected} messages out at the kill; ${sink.messages.length} received in all, ${repeats} handed over again; ${pending} escalations had levels to go`);

    const db = await st.open();
    try {
      const levels = await db.db.selectFrom('incidentEvent').select(['incidentId', (eb) => eb.fn.countAll<string>().as('n')])
        .where('kind', '=', 'escalation.level').groupBy('incidentId').execute();
      expect(levels).toHaveLength(INCIDENTS);
      expect(levels.every((l) => Number(l.n) === SEATS.length), 'each level recorded once').toBe(true);
      const mail = await db.db.selectFrom('notificationDelivery').innerJoin('delivery', 'delivery.id', 'notificationDelivery.id')
        .select(['delivery.status', (eb) => eb.fn.countAll<string>().as('n')])
        .where('medium', '=', 'email').where('event', '=', 'escalation.level').groupBy('delivery.status').execute();
      expect(mail.map((m) => ({ status: m.status, n: Number(m.n) }))).toEqual([{ status: 'sent', n: expected }]);
    } finally {
      await db.close();
    }
  });
});
