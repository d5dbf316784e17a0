import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type DbHandle } from './index.ts';

describe('embedded store in a worker thread', () => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await openDb({ store: 'pglite' });
  });
  afterAll(() => h?.close());

  it('keeps the event loop free while the database works', async () => {
    const started = performance.now();
    let ticks = 0;
    let worstGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
      ticks++;
    }, 10);
    // A CPU-bound query that takes a second or more inside PostgreSQL.
    await sql`select count(*) from generate_series(1, 4000000)`.execute(h.db);
    clearInterval(timer);
    const took = performance.now() - started;
    expect(took).toBeGreaterThan(300);
    // Had the query run on this thread, no timer would have fired until it ended.
    expect(ticks).toBeGreaterThan(took / 10 / 4);
    expect(worstGap).toBeLessThan(Math.max(250, took / 3));
  });

  it('keeps transactions whole: a failure rolls back every statement', async () => {
    await sql`create table t (id int primary key)`.execute(h.db);
    await expect(
      h.db.transaction().execute(async (tx) => {
        await sql`insert into t values (1)`.execute(tx);
        await sql`insert into t values (1)`.execute(tx);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    const r = await sql<{ n: number }>`select count(*)::int as n from t`.execute(h.db);
    expect(r.rows[0]!.n).toBe(0);
  });

  it('runs concurrent callers one at a time without mixing them into a transaction', async () => {
    await sql`create table c (v int)`.execute(h.db);
    const inTx = h.db.transaction().execute(async (tx) => {
      await sql`insert into c values (1)`.execute(tx);
      await new Promise((r) => setTimeout(r, 50));
      throw new Error('roll back');
    });
    const outside = sql`insert into c values (2)`.execute(h.db);
    await expect(inTx).rejects.toThrow('roll back');
    await outside;
    const r = await sql<{ v: number }>`select v from c order by v`.execute(h.db);
    expect(r.rows.map((x) => x.v)).toEqual([2]);
  });

  it('returns int8 as numbers and reports database errors with their SQLSTATE', async () => {
    const r = await sql<{ n: number }>`select 9007199254740991::int8 as n`.execute(h.db);
    expect(r.rows[0]!.n).toBe(9007199254740991);
    await expect(sql`select * from no_such_table`.execute(h.db)).rejects.toMatchObject({ code: '42P01' });
  });
});
