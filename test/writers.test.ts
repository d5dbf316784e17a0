import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock, type Actor } from '../src/lib/actor.ts';
import { drainQueued } from '../src/modules/delivery/testkit.ts';
import { verifyChain } from '../src/modules/audit/service.ts';
import type { DeclareInput } from '../src/modules/incidents/service.ts';
import { makeApp, userWith, type TestApp } from './app.ts';
import { stores } from './db.ts';

/**
 * Writers must not wait on each other (issue 16, part 2): an incident's reference and its audit
 * records are written as its transaction's last statements (src/db/commit-hooks.ts), so the year's
 * counter row and the audit chain's head are locked from there to the commit only.
 */
const input = (title: string, over: Partial<DeclareInput> = {}): DeclareInput => ({
  title, impact: 'low', urgency: 'medium', classifications: [{ class: 'information-gathering', type: 'scanner' }], ...over,
});

describe.each(stores())('concurrent writers on %s', (store) => {
  let t: TestApp;
  let handler: Actor;
  beforeAll(async () => {
    t = await makeApp(store);
    const u = await userWith(t, ['handler']);
    handler = { userId: u.id, username: u.username, roles: ['handler'], via: 'session', ip: null, requestId: null };
  });
  afterAll(() => t?.close());

  const numbers = async () => {
    const rows = await t.db.db.selectFrom('incident').select('reference').execute();
    return rows.map((r) => r.reference);
  };

  it('50 concurrent creations get unique, gap-free references in commit order, and the chain verifies', async () => {
    const before = await verifyChain(t.db.db);
    const made = await Promise.all(Array.from({ length: 50 }, (_, i) => t.services.incidents.declare(handler, input(`Scan ${i}`))));
    // Every caller sees its final reference, never the provisional one.
    expect(made.every((v) => /^[A-Z]+-\d{4}-\d{5}$/.test(v.reference))).toBe(true);
    const refs = await numbers();
    expect(new Set(refs).size).toBe(refs.length);
    const ns = refs.map((r) => Number(r.split('-').at(-1))).sort((a, b) => a - b);
    expect(ns).toEqual(Array.from({ length: ns.length }, (_, i) => i + 1));
    const after = await verifyChain(t.db.db);
    expect(after.ok).toBe(true);
    expect(after.checked).toBe(before.checked + 50);
    // Commit order: the chain's declaration records (written with the number, at commit) come in the order of the numbers.
    const declared = await t.db.db.selectFrom('auditLog').select(['seq', 'after']).where('action', '=', 'incident.declared').orderBy('seq').execute();
    const inChain = declared.map((r) => Number(String((r.after as { reference: string }).reference).split('-').at(-1)));
    expect(inChain).toEqual([...inChain].sort((a, b) => a - b));
    expect(inChain).toHaveLength(50);
    // The declaration's audit record names its reference, as before; its timeline event names none.
    for (const v of made.slice(0, 5)) {
      const own = await t.db.db.selectFrom('auditLog').select(['action', 'after']).where('entityId', '=', v.id).orderBy('seq').execute();
      expect(own).toMatchObject([{ action: 'incident.declared', after: { reference: v.reference, title: v.title } }]);
    }
  });

  it('a declaration escalated at once pages with its final reference', async () => {
    await userWith(t, ['manager']);
    const v = await t.services.incidents.declare(handler, input('Ransomware at the hospital', { impact: 'high', urgency: 'high' }));
    expect(['P1', 'P2']).toContain(v.priority);
    const events = await t.db.db.selectFrom('incidentEvent').select(['kind', 'data']).where('incidentId', '=', v.id).orderBy('id').execute();
    expect(events.map((e) => e.kind)).toContain('escalation.started');
    // Its pages were queued as facts in the declaring transaction; the delivery worker renders them after the commit.
    await drainQueued(t, systemClock);
    const texts = await sql<{ text: string }>`select coalesce(subject, '') || ' ' || coalesce(body, '') || ' ' || coalesce(vars::text, '') as text
      from notification_delivery where event = 'escalation.level'`.execute(t.db.db);
    for (const r of texts.rows) {
      expect(r.text).not.toContain('~');
    }
    expect(texts.rows.some((r) => r.text.includes(v.reference))).toBe(true);
    expect(await t.db.db.selectFrom('incident').select('reference').where('id', '=', v.id).executeTakeFirstOrThrow()).toEqual({ reference: v.reference });
  });

  it('a failed declaration leaves no gap and no audit record', async () => {
    const before = await numbers();
    const chain = await verifyChain(t.db.db);
    await expect(t.db.db.transaction().execute(async (tx) => {
      await t.services.incidents.declareIn(tx, handler, input('Rolled back'), { referenceAtCommit: true });
      throw new Error('boom');
    })).rejects.toThrow('boom');
    const next = await t.services.incidents.declare(handler, input('After the rollback'));
    expect(Number(next.reference.split('-').at(-1))).toBe(before.length + 1);
    expect((await verifyChain(t.db.db)).checked).toBe(chain.checked + 1);
  });

  it.runIf(store === 'postgres')('a second creation goes through while the first is open, up to its last statements', async () => {
    // The first declaration does all its work and stays open before its commit.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let opened!: () => void;
    const open = new Promise<void>((r) => (opened = r));
    const first = t.db.db.transaction().execute(async (tx) => {
      const v = await t.services.incidents.declareIn(tx, handler, input('First, held open'), { referenceAtCommit: true });
      // Its audit records too, through another writer of the chain (a setting change).
      await t.services.audit.record(tx, handler, { action: 'test.held_open', entity: 'test' });
      opened();
      await gate;
      return v;
    });
    await open;
    const within = (p: Promise<unknown>, ms: number) =>
      Promise.race([p.then(() => 'done'), new Promise((r) => setTimeout(() => r('blocked'), ms))]);
    // A whole second declaration, and an audited report, commit while the first is still open.
    const second = t.services.incidents.declare(handler, input('Second, straight through'));
    expect(await within(second, 5000)).toBe('done');
    const v2 = await second;
    release();
    const v1 = await first;
    // Numbers in commit order: the second committed first.
    expect(Number(v1.reference.split('-').at(-1))).toBe(Number(v2.reference.split('-').at(-1)) + 1);
    expect((await verifyChain(t.db.db)).ok).toBe(true);

    // The contrast, so this test can fail: numbered at once (as from triage), the first holds the
    // counter's lock and a second creation waits until it ends.
    let release2!: () => void;
    const gate2 = new Promise<void>((r) => (release2 = r));
    let opened2!: () => void;
    const open2 = new Promise<void>((r) => (opened2 = r));
    const held = t.db.db.transaction().execute(async (tx) => {
      await t.services.incidents.declareIn(tx, handler, input('Numbered at once'));
      opened2();
      await gate2;
    });
    await open2;
    const waiting = t.services.incidents.declare(handler, input('Waits'));
    expect(await within(waiting, 1500)).toBe('blocked');
    release2();
    await held;
    await waiting;
    expect((await verifyChain(t.db.db)).ok).toBe(true);
  });
});
