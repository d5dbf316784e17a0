import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, apiOf, auditCount, makeApp, testClock, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import { onDutyAnyAt, onDutyAt } from './duty.ts';

const NIGHTS = { kind: 'shifts_24x7', shifts: [{ start: '06:00', end: '14:00' }, { start: '14:00', end: '22:00' }, { start: '22:00', end: '06:00' }] };

describe.each(stores())('on-call API on %s', (store) => {
  let t: TestApp;
  let admin: Session;
  let a: Session & { id: string; username: string }; // handlers on the rota
  let b: Session & { id: string };
  let c: Session & { id: string };
  let viewer: Session & { id: string };
  let rota: { id: string; version: number };
  const clock = testClock(new Date('2026-03-28T12:00:00Z'));
  const { call } = apiOf(() => t, () => admin);

  beforeAll(async () => {
    t = await makeApp(store, {}, clock);
    admin = await adminSession(t);
    [a, b, c] = [await userWith(t, ['handler']), await userWith(t, ['handler']), await userWith(t, ['handler'])];
    viewer = await userWith(t, ['viewer']);
  });
  afterAll(() => t?.close());

  it('creates a 24x7 rota and audits it', async () => {
    const before = await auditCount(t);
    const r = await call(admin, 'POST', '/oncall/rotas', { name: 'SOC 24x7', timeZone: 'Europe/Berlin', pattern: NIGHTS, members: [a.id, b.id, c.id], anchorDate: '2026-03-01' });
    expect(r.statusCode, r.body).toBe(201);
    rota = r.json();
    expect(r.json()).toMatchObject({ version: 1, warnings: [], people: expect.arrayContaining([{ id: a.id, displayName: a.username }]) });
    expect(await auditCount(t)).toBe(before + 1);
  });

  it('refuses a gap, an unknown zone, empty or unknown members, with clear 422s', async () => {
    const bad = async (over: object) => (await call(admin, 'POST', '/oncall/rotas', { name: 'Bad', timeZone: 'Europe/Berlin', pattern: NIGHTS, members: [a.id], anchorDate: '2026-01-12', ...over })).json();
    const gap = await bad({ pattern: { kind: 'shifts_24x7', shifts: [{ start: '06:00', end: '14:00' }, { start: '14:00', end: '21:00' }, { start: '22:00', end: '06:00' }] } });
    expect(gap).toMatchObject({ status: 422, code: 'VIG_ONCALL_PATTERN_INVALID', errors: [{ code: 'gap', message: 'nobody is on shift 21:00–22:00 Europe/Berlin (20:00–21:00 UTC on 2026-01-12)' }] });
    expect((await bad({ timeZone: 'Europe/Atlantis' })).code).toBe('VIG_ONCALL_TIME_ZONE_INVALID');
    expect((await bad({ members: [] })).code).toBe('VIG_ONCALL_MEMBERS_INVALID');
    expect((await bad({ members: [viewer.id, '00000000-0000-4000-8000-000000000000'] })).code).toBe('VIG_ONCALL_MEMBERS_INVALID');
    expect((await bad({ name: 'SOC 24x7' })).code).toBe('VIG_ONCALL_ROTA_EXISTS');
    expect((await bad({ anchorDate: '2026-02-31' })).code).toBe('VIG_REQUEST_INVALID');
    expect((await bad({ pattern: { kind: 'business_hours', days: [1], start: '17:00', end: '09:00' } })).code).toBe('VIG_ONCALL_PATTERN_INVALID');
  });

  it('lists the shifts of a range, 7 hours for the night into summer time', async () => {
    const r = await call(admin, 'GET', `/oncall/rotas/${rota.id}/shifts?from=2026-03-28T20:00:00Z&to=2026-03-29T05:00:00Z`);
    expect(r.statusCode, r.body).toBe(200);
    // Day 27 after the anchor: shifts 81 (a), 82 (b), 83 (c).
    expect(r.json().shifts.map((s: { start: string; end: string; userId: string }) => [s.start, s.end, s.userId])).toEqual([
      ['2026-03-28T13:00:00.000Z', '2026-03-28T21:00:00.000Z', b.id],
      ['2026-03-28T21:00:00.000Z', '2026-03-29T04:00:00.000Z', c.id],
      ['2026-03-29T04:00:00.000Z', '2026-03-29T12:00:00.000Z', a.id],
    ]);
    expect(r.json().uncovered).toEqual([]);
    expect((await call(admin, 'GET', `/oncall/rotas/${rota.id}/shifts?from=2026-01-01T00:00:00Z&to=2026-03-05T00:00:00Z`)).json().code).toBe('VIG_ONCALL_RANGE_INVALID');
  });

  it('says who is on duty now, and nobody in a business-hours rota on a Saturday', async () => {
    const bh = await call(admin, 'POST', '/oncall/rotas', { name: 'Office', timeZone: 'Europe/Berlin', pattern: { kind: 'business_hours', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }, members: [a.id], anchorDate: '2026-03-02' });
    expect(bh.statusCode, bh.body).toBe(201);
    const now = (await call(viewer, 'GET', '/oncall/now')).json();
    expect(now.rotas.find((x: { rota: { id: string } }) => x.rota.id === rota.id).onDuty.map((d: { userId: string }) => d.userId)).toEqual([a.id]);
    const office = now.rotas.find((x: { rota: { id: string } }) => x.rota.id === bh.json().id);
    expect(office).toMatchObject({ onDuty: [], nextCoverAt: '2026-03-30T07:00:00.000Z' });
    expect(now.uncoveredRotas).toEqual([bh.json().id]);
    expect(await onDutyAt(t.db.db, rota.id, new Date('2026-03-28T22:00:00Z'))).toEqual([c.id]);
    expect((await onDutyAnyAt(t.db.db, new Date('2026-03-28T22:00:00Z'))).map((x) => x.userIds)).toEqual([[], [c.id]]);
  });

  it('edits with the version read, 409 when stale', async () => {
    const body = { name: 'SOC 24x7', timeZone: 'Europe/Berlin', pattern: NIGHTS, members: [a.id, b.id, c.id], anchorDate: '2026-03-01', description: 'The SOC' };
    const r = await call(admin, 'PUT', `/oncall/rotas/${rota.id}`, { ...body, version: 1 });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().version).toBe(2);
    const stale = await call(admin, 'PUT', `/oncall/rotas/${rota.id}`, { ...body, version: 1 });
    expect(stale.json()).toMatchObject({ status: 409, code: 'VIG_ONCALL_VERSION_CONFLICT', currentVersion: 2 });
    expect((await call(a, 'PUT', `/oncall/rotas/${rota.id}`, { ...body, version: 2 })).statusCode).toBe(403);
  });

  it('applies an override and refuses an overlapping one', async () => {
    const o = await call(admin, 'POST', `/oncall/rotas/${rota.id}/overrides`, { userId: b.id, startsAt: '2026-03-28T23:00:00Z', endsAt: '2026-03-29T01:00:00Z', note: 'c at the dentist' });
    expect(o.statusCode, o.body).toBe(201);
    const clash = await call(admin, 'POST', `/oncall/rotas/${rota.id}/overrides`, { userId: a.id, startsAt: '2026-03-29T00:30:00Z', endsAt: '2026-03-29T02:00:00Z' });
    expect(clash.json()).toMatchObject({ status: 409, code: 'VIG_ONCALL_OVERRIDE_OVERLAP', overlaps: [{ id: o.json().id }] });
    const s = (await call(viewer, 'GET', `/oncall/rotas/${rota.id}/shifts?from=2026-03-28T21:00:00Z&to=2026-03-29T04:00:00Z`)).json().shifts;
    expect(s.map((x: { start: string; userId: string; source: string }) => [x.start, x.userId, x.source])).toEqual([
      ['2026-03-28T21:00:00.000Z', c.id, 'rota'], ['2026-03-28T23:00:00.000Z', b.id, 'override'], ['2026-03-29T01:00:00.000Z', c.id, 'rota'],
    ]);
    expect(await onDutyAt(t.db.db, rota.id, new Date('2026-03-29T00:00:00Z'))).toEqual([b.id]);
    expect((await call(a, 'POST', `/oncall/rotas/${rota.id}/overrides`, { userId: a.id, startsAt: '2026-04-01T00:00:00Z', endsAt: '2026-04-01T01:00:00Z' })).statusCode).toBe(403);
    expect((await call(admin, 'DELETE', `/oncall/overrides/${o.json().id}`)).statusCode).toBe(204);
    expect(await onDutyAt(t.db.db, rota.id, new Date('2026-03-29T00:00:00Z'))).toEqual([c.id]);
  });

  it('lets a member ask for a swap of their own shift, the other accept it, and nobody else', async () => {
    // a's shift: 2026-03-29 06:00–14:00 Berlin (04:00Z).
    const start = '2026-03-29T04:00:00.000Z';
    expect((await call(b, 'POST', `/oncall/rotas/${rota.id}/swaps`, { shiftStart: start, fromUserId: a.id, toUserId: b.id })).statusCode).toBe(403);
    expect((await call(a, 'POST', `/oncall/rotas/${rota.id}/swaps`, { shiftStart: '2026-03-29T05:00:00Z', toUserId: b.id })).json().code).toBe('VIG_ONCALL_SHIFT_NOT_FOUND');
    const req = await call(a, 'POST', `/oncall/rotas/${rota.id}/swaps`, { shiftStart: start, toUserId: b.id, note: 'family day' });
    expect(req.statusCode, req.body).toBe(201);
    expect(req.json()).toMatchObject({ status: 'requested', fromUserId: a.id, toUserId: b.id, shiftEnd: '2026-03-29T12:00:00.000Z' });
    expect(await onDutyAt(t.db.db, rota.id, new Date(start))).toEqual([a.id]);
    expect((await call(c, 'POST', `/oncall/swaps/${req.json().id}/accept`)).statusCode).toBe(403);
    const before = await auditCount(t);
    const ok = await call(b, 'POST', `/oncall/swaps/${req.json().id}/accept`);
    expect(ok.json()).toMatchObject({ status: 'accepted', decidedBy: b.id });
    expect(await auditCount(t)).toBe(before + 1);
    expect(await onDutyAt(t.db.db, rota.id, new Date(start))).toEqual([b.id]);
    expect((await call(b, 'POST', `/oncall/swaps/${req.json().id}/decline`)).json().code).toBe('VIG_ONCALL_SWAP_DECIDED');
    // The shift is b's now; a cannot swap it away again.
    expect((await call(a, 'POST', `/oncall/rotas/${rota.id}/swaps`, { shiftStart: start, toUserId: c.id })).json().code).toBe('VIG_ONCALL_SHIFT_NOT_FOUND');
  });

  it('lets a manager apply a swap at once, and a member only ask', async () => {
    const start = '2026-03-29T12:00:00.000Z'; // b's 14:00 shift
    expect((await call(b, 'POST', `/oncall/rotas/${rota.id}/swaps`, { shiftStart: start, toUserId: c.id, apply: true })).statusCode).toBe(403);
    const r = await call(admin, 'POST', `/oncall/rotas/${rota.id}/swaps`, { shiftStart: start, fromUserId: b.id, toUserId: c.id, apply: true });
    expect(r.json()).toMatchObject({ status: 'accepted' });
    const list = (await call(viewer, 'GET', `/oncall/rotas/${rota.id}/swaps`)).json().items;
    expect(list.map((s: { status: string }) => s.status)).toEqual(['accepted', 'accepted']);
    expect(await onDutyAt(t.db.db, rota.id, new Date(start))).toEqual([c.id]);
  });

  it('builds a follow-the-sun rota across Singapore, Berlin and New York, warning of the DST drift', async () => {
    const r = await call(admin, 'POST', '/oncall/rotas', {
      name: 'Follow the sun', timeZone: 'Europe/Berlin', anchorDate: '2026-01-12',
      pattern: {
        kind: 'follow_the_sun', regions: [
          { name: 'APAC', timeZone: 'Asia/Singapore', start: '08:00', end: '16:00', members: [a.id] },
          { name: 'EMEA', timeZone: 'Europe/Berlin', start: '09:00', end: '17:00', members: [b.id] },
          { name: 'AMER', timeZone: 'America/New_York', start: '11:00', end: '19:00', members: [c.id] },
        ],
      },
    });
    expect(r.statusCode, r.body).toBe(201);
    // From now (2026-03-28) on, New York is on summer time and Berlin from tomorrow: 23:00–24:00 UTC is open.
    expect(r.json().warnings).toEqual([
      expect.objectContaining({ kind: 'gap', first: { start: '2026-03-28T23:00:00.000Z', end: '2026-03-29T00:00:00.000Z' } }),
      expect.objectContaining({ kind: 'overlap' }),
    ]);
    expect(await onDutyAt(t.db.db, r.json().id, new Date('2026-03-28T03:00:00Z'))).toEqual([a.id]);
    const del = await call(admin, 'DELETE', `/oncall/rotas/${r.json().id}?version=1`);
    expect(del.statusCode).toBe(204);
    expect((await call(admin, 'GET', `/oncall/rotas/${r.json().id}`)).json().code).toBe('VIG_ONCALL_ROTA_NOT_FOUND');
  });
});
