import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, makeApp, userWith, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import { systemActor } from '../../lib/actor.ts';
import { hashRecord, verifyChain } from './service.ts';

describe.each(stores())('audit trail on %s', (store) => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof adminSession>>;
  beforeAll(async () => {
    t = await makeApp(store);
    admin = await adminSession(t);
    for (let i = 0; i < 5; i++) await userWith(t, ['viewer']);
  });
  afterAll(() => t?.close());

  const tamper = async (statement: string) => {
    await sql.raw('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update').execute(t.db.db);
    try {
      await sql.raw(statement).execute(t.db.db);
    } finally {
      await sql.raw('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update').execute(t.db.db);
    }
  };

  it('writes the record in the same transaction as the change (a rolled-back change leaves none)', async () => {
    const before = await verifyChain(t.db.db);
    await expect(
      t.db.db.transaction().execute(async (tx) => {
        await t.services.audit.record(tx, systemActor('cli'), { action: 'test.rolled_back', entity: 'test' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const after = await verifyChain(t.db.db);
    expect(after.checked).toBe(before.checked);
  });

  it('chains records gap-free and verifies them', async () => {
    const r = await verifyChain(t.db.db);
    expect(r.ok).toBe(true);
    expect(r.checked).toBeGreaterThan(6);
    const rows = await t.db.db.selectFrom('auditLog').select(['seq', 'prevHash', 'hash']).orderBy('seq').execute();
    rows.forEach((row, i) => {
      expect(row.seq).toBe(i + 1);
      if (i > 0) expect(row.prevHash).toBe(rows[i - 1]!.hash);
    });
  });

  it('keeps one gap-free chain when many transactions append at once', async () => {
    const before = await verifyChain(t.db.db);
    await Promise.all(Array.from({ length: 40 }, (_, i) =>
      t.db.db.transaction().execute(async (tx) => {
        await t.services.audit.record(tx, systemActor('cli'), { action: 'test.concurrent', entity: 'test', entityId: String(i), after: { i } });
      })));
    const after = await verifyChain(t.db.db);
    expect(after).toMatchObject({ ok: true, checked: before.checked + 40 });
    const head = await sql<{ seq: string; hash: string }>`select seq, hash from audit_head`.execute(t.db.db);
    const last = await t.db.db.selectFrom('auditLog').select(['seq', 'hash', 'hashForm']).orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    expect({ seq: Number(head.rows[0]!.seq), hash: head.rows[0]!.hash }).toEqual({ seq: last.seq, hash: last.hash });
    expect(last.hashForm).toBe(2);
  });

  it('verifies a chain that continues form-1 records (written before the head row) with form-2 ones', async () => {
    const fresh = await makeApp(store);
    try {
      // Rewrite the first records as an older Vigil wrote them: form 1, hashed by the application.
      const rows = await fresh.db.db.selectFrom('auditLog').selectAll().orderBy('seq').execute();
      expect(rows.length).toBeGreaterThan(1);
      await sql.raw('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update').execute(fresh.db.db);
      let prev = '0'.repeat(64);
      for (const r of rows) {
        const hash = hashRecord({ ...r, prevHash: prev, hashForm: 1 });
        await sql`update audit_log set hash_form = 1, prev_hash = ${prev}, hash = ${hash} where seq = ${r.seq}`.execute(fresh.db.db);
        prev = hash;
      }
      await sql`update audit_head set hash = ${prev}`.execute(fresh.db.db);
      await sql.raw('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update').execute(fresh.db.db);
      await fresh.db.db.transaction().execute((tx) => fresh.services.audit.record(tx, systemActor('cli'), { action: 'test.after_upgrade', entity: 'test' }));
      const ok = await verifyChain(fresh.db.db);
      expect(ok).toMatchObject({ ok: true, checked: rows.length + 1 });
      // A form-2 record altered afterwards is named.
      await sql.raw('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update').execute(fresh.db.db);
      await sql`update audit_log set action = 'test.altered' where seq = ${rows.length + 1}`.execute(fresh.db.db);
      expect(await verifyChain(fresh.db.db)).toMatchObject({ ok: false, firstBroken: { seq: rows.length + 1 } });
      // Claiming the other hash form does not hide a change either.
      await sql`update audit_log set action = 'test.after_upgrade', hash_form = 1 where seq = ${rows.length + 1}`.execute(fresh.db.db);
      expect(await verifyChain(fresh.db.db)).toMatchObject({ ok: false, firstBroken: { seq: rows.length + 1 } });
    } finally {
      await fresh.close();
    }
  });

  it('refuses UPDATE, DELETE and TRUNCATE with a trigger', async () => {
    await expect(sql`update audit_log set action = 'x' where seq = 1`.execute(t.db.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log where seq = 1`.execute(t.db.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_log`.execute(t.db.db)).rejects.toThrow(/append-only/);
  });

  it('lists with filters and a cursor for admins, and verifies over the API', async () => {
    const page1 = await t.app.inject({ method: 'GET', url: '/api/v1/audit?limit=3', headers: admin.headers });
    expect(page1.statusCode).toBe(200);
    const b1 = page1.json();
    expect(b1.items).toHaveLength(3);
    expect(b1.items[0].seq).toBeGreaterThan(b1.items[2].seq);
    const page2 = (await t.app.inject({ method: 'GET', url: `/api/v1/audit?limit=3&cursor=${b1.nextCursor}`, headers: admin.headers })).json();
    expect(page2.items[0].seq).toBe(b1.items[2].seq - 1);
    const created = (await t.app.inject({ method: 'GET', url: '/api/v1/audit?action=user.created&entity=user', headers: admin.headers })).json();
    expect(created.items.length).toBe(6);
    expect(created.items.every((i: { action: string }) => i.action === 'user.created')).toBe(true);
    expect(JSON.stringify(created)).not.toMatch(/passwordHash|argon2/);
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/audit?cursor=nonsense', headers: admin.headers });
    expect(bad.json().code).toBe('VIG_AUDIT_CURSOR_INVALID');
    const v = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: admin.headers });
    expect(v.json()).toMatchObject({ ok: true });
  });

  it('names the first altered record', async () => {
    await tamper(`update audit_log set actor_name = 'mallory' where seq = 4`);
    const r = await verifyChain(t.db.db);
    expect(r).toMatchObject({ ok: false, checked: 3, firstBroken: { seq: 4 } });
    expect(r.firstBroken!.reason).toMatch(/altered/);
    const api = (await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: admin.headers })).json();
    expect(api).toMatchObject({ ok: false, firstBroken: { seq: 4 } });
  });

  it('names a deleted record and a reordered one', async () => {
    const fresh = await makeApp(store);
    try {
      for (let i = 0; i < 4; i++) await userWith(fresh, ['viewer']);
      await sql.raw('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update').execute(fresh.db.db);
      await sql`delete from audit_log where seq = 3`.execute(fresh.db.db);
      const del = await verifyChain(fresh.db.db);
      expect(del).toMatchObject({ ok: false, firstBroken: { seq: 4 } });
      expect(del.firstBroken!.reason).toMatch(/missing/);
      // Renumber to hide the gap: the chain still breaks where the record was taken out.
      await sql`update audit_log set seq = -seq where seq > 3`.execute(fresh.db.db);
      await sql`update audit_log set seq = -seq - 1 where seq < 0`.execute(fresh.db.db);
      const renumbered = await verifyChain(fresh.db.db);
      expect(renumbered).toMatchObject({ ok: false, firstBroken: { seq: 3 } });
      // Swap two records' contents by exchanging their sequence numbers.
      const other = await makeApp(store);
      try {
        for (let i = 0; i < 3; i++) await userWith(other, ['viewer']);
        await sql.raw('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update').execute(other.db.db);
        await sql`update audit_log set seq = -seq where seq in (2, 3)`.execute(other.db.db);
        await sql`update audit_log set seq = case seq when -2 then 3 when -3 then 2 end where seq < 0`.execute(other.db.db);
        const swapped = await verifyChain(other.db.db);
        expect(swapped).toMatchObject({ ok: false, firstBroken: { seq: 2 } });
      } finally {
        await other.close();
      }
    } finally {
      await fresh.close();
    }
  });
});
