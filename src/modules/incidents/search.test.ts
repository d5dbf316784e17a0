import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiOf, makeApp, type Session, type TestApp, userWith } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';

/**
 * Full-text search through the incidents' search documents (migration 0013): the triggers keep
 * them in step with notes, communications and reports wherever those go, restricted entries stay
 * behind need to know, and an incident whose documents could not hold everything is still found.
 */
describe.each(stores())('incident search documents on %s', (store) => {
  let t: TestApp;
  let handler: Session;
  let other: Session;
  beforeAll(async () => {
    t = await makeApp(store);
    handler = await userWith(t, ['handler']);
    other = await userWith(t, ['handler']);
  });
  afterAll(() => t?.close());

  const { call, declare } = apiOf(() => t, () => handler);
  const ids = async (who: Session, q: string) =>
    (await call(who, 'GET', `/incidents?q=${encodeURIComponent(q)}`)).json().items.map((i: { id: string }) => i.id).sort();
  const report = async (title: string, body: string) => (await call(handler, 'POST', '/reports', { title, body })).json();
  const docs = async (id: string) =>
    (await sql<{ body: string | null; restricted: string | null; partial: boolean }>`
      select search_body::text as body, search_restricted::text as restricted, search_partial as partial from incident where id = ${id}`.execute(t.db.db)).rows[0]!;

  it('finds words of notes, communications and task notes; restricted ones only with a need to know', async () => {
    const inc = await declare();
    await call(handler, 'POST', `/incidents/${inc.id}/notes`, { body: 'Seen **quokkaware** beaconing' });
    await call(handler, 'POST', `/incidents/${inc.id}/communications`, { direction: 'outbound', channel: 'phone', party: 'ISP', body: 'Asked them to sinkhole wombatnet' });
    const task = (await call(handler, 'POST', `/incidents/${inc.id}/tasks`, { phase: 'analysis', title: 'Look' })).json();
    expect((await call(handler, 'POST', `/tasks/${task.id}/notes`, { body: 'dumped numbatcrypt config' })).statusCode).toBe(201);
    await call(handler, 'POST', `/incidents/${inc.id}/notes`, { body: 'Source inside bilbyco says so', tlp: 'AMBER+STRICT' });
    for (const word of ['quokkaware', 'wombatnet', 'numbatcrypt']) {
      expect(await ids(handler, word)).toEqual([inc.id]);
      expect(await ids(other, word)).toEqual([inc.id]);
    }
    expect(await ids(handler, 'bilbyco')).toEqual([inc.id]);
    expect(await ids(other, 'bilbyco')).toEqual([]);
    expect((await call(other, 'GET', '/incidents/count?q=bilbyco')).json().count).toBe(0);
    const d = await docs(inc.id);
    expect(d.body).toContain('quokkaware');
    expect(d.body).not.toContain('bilbyco');
    expect(d.restricted).toContain('bilbyco');
    expect(d.partial).toBe(false);
    // Phrases: words next to each other, in the same order.
    expect(await ids(other, '"sinkhole wombatnet"')).toEqual([inc.id]);
    expect(await ids(other, '"wombatnet sinkhole"')).toEqual([]);
  });

  it('follows reports when they are linked, reopened, merged and moved with an incident merge', async () => {
    const a = await declare();
    const b = await declare();
    const r1 = await report('Mail from the wallabyhost server', 'Headers attached');
    const r2 = await report('Another one', 'Also potorooscan probes');
    expect(await ids(handler, 'wallabyhost')).toEqual([]);
    expect((await call(handler, 'POST', `/reports/${r1.id}/link`, { incident: b.id, version: r1.version })).statusCode).toBe(200);
    expect(await ids(handler, 'wallabyhost')).toEqual([b.id]);
    // A repeat merged into r1 follows it to B.
    expect((await call(handler, 'POST', `/reports/${r2.id}/merge`, { into: r1.id, version: r2.version })).statusCode).toBe(200);
    expect(await ids(handler, 'potorooscan')).toEqual([b.id]);
    // Back to the queue: B no longer matches.
    const linked = (await call(handler, 'GET', `/reports/${r2.id}`)).json();
    expect((await call(handler, 'POST', `/reports/${r2.id}/reopen`, { reason: 'wrong incident', version: linked.version })).statusCode).toBe(200);
    expect(await ids(handler, 'potorooscan')).toEqual([]);
    // Merging B into A moves r1: A matches, B (closed as a duplicate) no longer does.
    const bNow = (await call(handler, 'GET', `/incidents/${b.id}`)).json();
    expect((await call(handler, 'POST', `/incidents/${a.id}/merge`, { sourceId: b.id, sourceVersion: bNow.version })).statusCode).toBe(200);
    expect(await ids(handler, 'wallabyhost')).toEqual([a.id]);
  });

  it('still finds everything in an incident whose notes outgrow its search documents, and keeps restricted ones back', async () => {
    const inc = await declare({ title: 'Very long investigation' });
    // Four notes of ~78 KB: more than a document holds (256 KiB), so the last is searched on its own.
    const filler = (n: number) => Array.from({ length: 9_900 }, (_, i) => `w${n}x${i}`).join(' ');
    for (let n = 0; n < 4; n++) {
      expect((await call(handler, 'POST', `/incidents/${inc.id}/notes`, { body: `${filler(n)}` })).statusCode).toBe(201);
    }
    await call(handler, 'POST', `/incidents/${inc.id}/notes`, { body: 'finally the dunnartkit dropper' });
    await call(handler, 'POST', `/incidents/${inc.id}/notes`, { body: `${filler(7)} quollsecret`, tlp: 'RED' });
    const d = await docs(inc.id);
    expect(d.partial).toBe(true);
    expect(await ids(other, 'w0x17')).toEqual([inc.id]);
    expect(await ids(other, 'w3x9000')).toEqual([inc.id]);
    expect(await ids(other, 'dunnartkit')).toEqual([inc.id]);
    expect(await ids(handler, 'quollsecret')).toEqual([inc.id]);
    expect(await ids(other, 'quollsecret')).toEqual([]);
    expect(await ids(other, 'w9x1')).toEqual([]);
  });

  it('pages through a word in thousands of incidents, newest first, before and after the planner knows it is common', async () => {
    // More matches than a search reads through the indexes alone (3,000), every third one RED.
    await sql`insert into incident (reference, title, status, impact, urgency, priority, tlp, pap, created_at, updated_at)
      select 'BULK-' || g, 'Bulk dingoflux case ' || g, 'new', 'low', 'low', 'P4', case when g % 3 = 0 then 'RED' else 'GREEN' end, 'GREEN',
             timestamptz '2026-01-01' + g * interval '1 minute', timestamptz '2026-01-01'
        from generate_series(1, 3300) g`.execute(t.db.db);
    // The newest 50 GREEN ones, as the rule and the order say, then the next page from the cursor.
    const expected = Array.from({ length: 3300 }, (_, k) => 3300 - k).filter((g) => g % 3 !== 0).map((g) => `BULK-${g}`);
    const pages = async () => {
      const first = (await call(other, 'GET', '/incidents?q=dingoflux&limit=50')).json();
      const second = (await call(other, 'GET', `/incidents?q=dingoflux&limit=50&cursor=${encodeURIComponent(first.nextCursor)}`)).json();
      return [...first.items, ...second.items].map((i: { reference: string }) => i.reference);
    };
    expect(await pages()).toEqual(expected.slice(0, 100));
    await sql`analyze incident`.execute(t.db.db);
    expect(await pages()).toEqual(expected.slice(0, 100));
    expect((await call(other, 'GET', '/incidents/count?q=dingoflux')).json().count).toBe(2200);
    expect((await call(other, 'GET', '/incidents?q=dingoflux%20nosuchword')).json().items).toEqual([]);
  });
});
