import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, apiOf, auditCount, makeApp, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import { membersInSeat } from './team.service.ts';

describe.each(stores())('the team: seats and skills on %s', (store) => {
  let t: TestApp;
  let admin: Session;
  let manager: Session & { id: string };
  let handler: Session & { id: string };
  let viewer: Session & { id: string };
  const { call } = apiOf(() => t, () => admin);

  beforeAll(async () => {
    t = await makeApp(store);
    admin = await adminSession(t);
    manager = await userWith(t, ['manager']);
    handler = await userWith(t, ['handler']);
    viewer = await userWith(t, ['viewer']);
  });
  afterAll(() => t?.close());

  it('lists team members with empty profiles, and never reporters', async () => {
    const reporter = await userWith(t, ['reporter']);
    const r = await call(viewer, 'GET', '/team/members');
    expect(r.statusCode).toBe(200);
    const ids = r.json().items.map((m: { userId: string }) => m.userId);
    expect(ids).toEqual(expect.arrayContaining([manager.id, handler.id, viewer.id]));
    expect(ids).not.toContain(reporter.id);
    const h = r.json().items.find((m: { userId: string }) => m.userId === handler.id);
    expect(h).toMatchObject({ seats: [], skills: [], phone: '', timeZone: null, languages: [], version: 0, disabled: false });
    expect((await call(viewer, 'GET', `/team/members/${reporter.id}`)).json().code).toBe('VIG_DIRECTORY_MEMBER_NOT_FOUND');
  });

  it('sets seats and normalised skills, versioned and audited', async () => {
    const before = await auditCount(t);
    const r = await call(manager, 'PATCH', `/team/members/${handler.id}`, {
      version: 0, seats: ['senior_handler', 'duty_officer', 'duty_officer'], skills: ['Windows  Forensics', 'malware', 'MALWARE'],
      phone: '+49 30 1234567', timeZone: 'Europe/Berlin', languages: ['de', 'EN'], notes: 'Night owl',
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      seats: ['duty_officer', 'senior_handler'], skills: ['malware', 'windows-forensics'], phone: '+49 30 1234567', timeZone: 'Europe/Berlin',
      languages: ['de', 'en'], notes: 'Night owl', version: 1,
    });
    expect(await auditCount(t)).toBe(before + 1);
    const audit = (await call(admin, 'GET', `/audit?entity=team_member&entityId=${handler.id}`)).json();
    expect(audit.items[0]).toMatchObject({ action: 'team_member.updated', before: { seats: [] }, after: { seats: ['duty_officer', 'senior_handler'] } });

    const stale = await call(manager, 'PATCH', `/team/members/${handler.id}`, { version: 0, seats: [] });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'VIG_DIRECTORY_MEMBER_VERSION_CONFLICT', currentVersion: 1, current: { seats: ['duty_officer', 'senior_handler'] } });
    expect(await auditCount(t)).toBe(before + 1);
  });

  it('filters by seat and by skill (as typed by a person)', async () => {
    await call(admin, 'PATCH', `/team/members/${viewer.id}`, { version: 0, seats: ['communications'], skills: ['press'] });
    const bySeat = (await call(handler, 'GET', '/team/members?seat=duty_officer')).json();
    expect(bySeat.items.map((m: { userId: string }) => m.userId)).toEqual([handler.id]);
    const bySkill = (await call(handler, 'GET', '/team/members?skill=Windows%20Forensics')).json();
    expect(bySkill.items.map((m: { userId: string }) => m.userId)).toEqual([handler.id]);
    expect(bySkill.skills).toEqual(expect.arrayContaining([{ skill: 'windows-forensics', members: 1 }, { skill: 'press', members: 1 }]));
    expect((await call(handler, 'GET', '/team/members?seat=janitor')).json().code).toBe('VIG_REQUEST_INVALID');
  });

  it('refuses a time zone that is not IANA, bad languages and bad phone numbers, naming each field', async () => {
    const before = await auditCount(t);
    const r = await call(admin, 'PATCH', `/team/members/${manager.id}`, { version: 0, timeZone: 'Mars/Olympus', languages: ['not a language'], phone: 'call me' });
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('VIG_REQUEST_INVALID');
    expect(r.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.languages.0', 'body.phone', 'body.timeZone']);
    expect(await auditCount(t)).toBe(before);
  });

  it('lets handlers and viewers read but not change the team', async () => {
    const before = await auditCount(t);
    for (const who of [handler, viewer]) {
      const r = await call(who, 'PATCH', `/team/members/${manager.id}`, { version: 0, seats: ['csirt_manager'] });
      expect(r.statusCode).toBe(403);
      expect(r.json().code).toBe('VIG_AUTHZ_FORBIDDEN');
    }
    expect(await auditCount(t)).toBe(before);
  });

  it('gives escalation the active members in a seat, leaving out disabled accounts', async () => {
    const other = await userWith(t, ['handler']);
    await call(admin, 'PATCH', `/team/members/${other.id}`, { version: 0, seats: ['duty_officer'] });
    expect((await membersInSeat(t.db.db, 'duty_officer')).map((m) => m.userId).sort()).toEqual([handler.id, other.id].sort());
    expect((await call(admin, 'POST', `/users/${other.id}/disable`)).statusCode).toBe(200);
    expect((await membersInSeat(t.db.db, 'duty_officer')).map((m) => m.userId)).toEqual([handler.id]);
    expect(await membersInSeat(t.db.db, 'legal')).toEqual([]);
    const listed = (await call(admin, 'GET', '/team/members?seat=duty_officer&includeDisabled=true')).json();
    expect(listed.items.find((m: { userId: string }) => m.userId === other.id)).toMatchObject({ disabled: true });
  });
});
