import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/actor.ts';
import { groupCommit } from '../../lib/group-commit.ts';
import { makeApp, type Session, type TestApp, userWith } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import { createReportService } from './service.ts';

/**
 * API submissions that arrive together share a transaction (group commit): a burst of them costs a
 * few transactions instead of one each, all queued on the audit chain's head. Every submission is
 * still answered with its own report, keys still replay, and one that fails fails alone.
 */
describe.each(stores())('report submissions arriving together on %s', (store) => {
  let t: TestApp;
  let handler: Session & { id: string };
  beforeAll(async () => {
    t = await makeApp(store);
    handler = await userWith(t, ['handler']);
  });
  afterAll(() => t?.close());

  const post = (payload: Record<string, unknown>, key?: string) => t.app.inject({
    method: 'POST', url: '/api/v1/reports', headers: { ...handler.headers, ...(key ? { 'idempotency-key': key } : {}) }, payload,
  });
  /** Transactions that wrote these reports (rows written by one transaction share its xmin). */
  const transactionsOf = async (ids: string[]) => Number((await sql<{ n: string }>`select count(distinct xmin::text) as n from report where id = any(${ids}::uuid[])`
    .execute(t.db.db)).rows[0]!.n);

  it('answers each of 60 concurrent submissions with its own report, written in far fewer transactions, each audited', async () => {
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => post({ title: `Phishing wave ${i}`, body: `lure ${i}`, tlp: i % 2 ? 'GREEN' : 'AMBER' }, `burst-${i}`)));
    for (const [i, r] of answers.entries()) {
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json()).toMatchObject({ title: `Phishing wave ${i}`, body: `lure ${i}`, tlp: i % 2 ? 'GREEN' : 'AMBER', status: 'new', raw: { contentType: 'application/json' } });
    }
    const ids = answers.map((r) => r.json().id as string);
    expect(new Set(answers.map((r) => r.json().reference)).size).toBe(60);
    expect(await transactionsOf(ids)).toBeLessThan(20);
    // The stored bytes are each request's own.
    const raw = await t.app.inject({ method: 'GET', url: `/api/v1/reports/${ids[7]}/raw`, headers: handler.headers });
    expect(JSON.parse(raw.body)).toMatchObject({ title: 'Phishing wave 7' });
    const audited = await t.db.db.selectFrom('auditLog').select('entityId').where('action', '=', 'report.received').where('entityId', 'in', ids).execute();
    expect(audited).toHaveLength(60);
    const admin = await userWith(t, ['admin']);
    const verify = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: admin.headers });
    expect(verify.json()).toMatchObject({ ok: true });
    // A retry of any of them replays its report.
    const again = await post({ title: 'Phishing wave 7', body: 'lure 7', tlp: 'GREEN' }, 'burst-7');
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(ids[7]);
  });

  it('replays a key sent twice in the same burst, and refuses it with another body', async () => {
    const fill = Array.from({ length: 10 }, (_, i) => post({ title: `filler ${i}` }));
    const [a, b, c, ...rest] = await Promise.all([
      post({ title: 'Same call' }, 'twice'), post({ title: 'Same call' }, 'twice'), post({ title: 'Another call' }, 'twice'), ...fill,
    ]);
    for (const r of rest) expect(r.statusCode).toBe(201);
    const made = [a!, b!].filter((r) => r.statusCode === 201);
    expect(made).toHaveLength(1);
    const replay = [a!, b!].find((r) => r.statusCode === 200)!;
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json().id).toBe(made[0]!.json().id);
    expect(c!.statusCode).toBe(422);
    expect(c!.json().code).toBe('VIG_IDEMPOTENCY_KEY_REUSED');
    const stored = await t.db.db.selectFrom('report').select('id').where('title', 'in', ['Same call', 'Another call']).execute();
    expect(stored).toHaveLength(1);
  });

  it('fails a submission that breaks its batch alone: the others are written', async () => {
    // A receipt hook that throws for one report, as a broken part of the transaction would.
    const reports = createReportService({
      db: t.db.db, audit: t.services.audit, settings: t.services.settings, clock: systemClock,
      onReceived: async (_tx, row) => {
        if (row.title === 'poison') throw new Error('the receipt could not be queued');
      },
    });
    const actor = { userId: handler.id, username: 'handler', roles: ['handler' as const], via: 'session' as const, ip: null, requestId: null };
    const raw = (title: string) => ({ contentType: 'application/json', content: Buffer.from(JSON.stringify({ title })) });
    const titles = ['ok 1', 'ok 2', 'poison', 'ok 3', 'ok 4'];
    const settled = await Promise.allSettled(titles.map((title) => reports.submit(actor, { title }, raw(title))));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((settled[2] as PromiseRejectedResult).reason.message).toBe('the receipt could not be queued');
    const stored = await t.db.db.selectFrom('report').select('title').where('title', 'in', titles).execute();
    expect(stored.map((r) => r.title).sort()).toEqual(['ok 1', 'ok 2', 'ok 3', 'ok 4']);
  });
});

describe('group commit', () => {
  it('writes a lone item at once, and items that arrive meanwhile together, at most max at a time', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const q = groupCommit(async (items: number[]) => {
      batches.push(items);
      if (batches.length === 1) await gate;
      return items.map((i) => (i === 5 ? { ok: false as const, error: new Error('five') } : { ok: true as const, value: i * 10 }));
    }, { max: 3 });
    const first = q.add(0);
    const rest = [1, 2, 3, 4, 5, 6].map((i) => q.add(i));
    expect(q.waiting).toBe(6);
    release();
    expect(await first).toBe(0);
    const settled = await Promise.allSettled(rest);
    expect(batches).toEqual([[0], [1, 2, 3], [4, 5, 6]]);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([10, 20, 30, 40, 'five', 60]);
  });

  it('fails every item of a batch whose writer throws, and goes on with the next', async () => {
    let calls = 0;
    const q = groupCommit(async (items: number[]) => {
      calls++;
      if (calls === 2) throw new Error('store gone');
      return items.map((i) => ({ ok: true as const, value: i }));
    }, { max: 10 });
    const a = q.add(1);
    const b = [q.add(2), q.add(3)];
    expect(await a).toBe(1);
    await expect(b[0]).rejects.toThrow('store gone');
    await expect(b[1]).rejects.toThrow('store gone');
    expect(await q.add(4)).toBe(4);
  });
});
