import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, makeApp, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';

type Who = Session & { id: string; username: string };

describe.each(stores())('incidents on %s', (store) => {
  let t: TestApp;
  let admin: Session;
  let handler: Who;
  let other: Who;
  let manager: Who;
  let viewer: Who;
  const year = new Date().getUTCFullYear();

  beforeAll(async () => {
    t = await makeApp(store);
    admin = await adminSession(t);
    handler = await userWith(t, ['handler']);
    other = await userWith(t, ['handler']);
    manager = await userWith(t, ['manager']);
    viewer = await userWith(t, ['viewer']);
  });
  afterAll(() => t?.close());

  const call = (who: Session, method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({ method, url: `/api/v1${url}`, headers: who.headers, ...(payload ? { payload } : {}) });
  const declare = async (who: Session, over: object = {}) => {
    const r = await call(who, 'POST', '/incidents', {
      title: 'Compromised mail server', impact: 'high', urgency: 'high',
      classifications: [{ class: 'intrusions', type: 'system-compromise' }], ...over,
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json();
  };

  it('declares incidents with yearly references, matrix priority, RSIT classes and the creator as coordinator', async () => {
    const a = await declare(handler);
    const b = await declare(handler, { impact: 'low', urgency: 'medium', classifications: [{ class: 'fraud', type: 'phishing' }, { class: 'information-content-security', type: 'unauthorized-information-access', primary: true }] });
    expect(a.reference).toMatch(new RegExp(`^VIG-${year}-\\d{5}$`));
    expect(Number(b.reference.slice(-5))).toBe(Number(a.reference.slice(-5)) + 1);
    expect(a).toMatchObject({ status: 'new', priority: 'P2', tlp: 'AMBER', pap: 'AMBER', version: 1, exercise: false });
    expect(b.priority).toBe('P4');
    expect(b.classifications).toEqual([
      { class: 'information-content-security', type: 'unauthorised-information-access', primary: true },
      { class: 'fraud', type: 'phishing', primary: false },
    ]);
    expect(a.roles).toMatchObject([{ role: 'coordinator', userId: handler.id }]);
    const byRef = await call(viewer, 'GET', `/incidents/${a.reference}`);
    expect(byRef.json().id).toBe(a.id);
    const tl = (await call(handler, 'GET', `/incidents/${a.id}/timeline`)).json();
    // A P2 escalates at once (docs/escalation.md): management is told in the declaring transaction.
    expect(tl.items.map((e: { kind: string }) => e.kind)).toEqual(['incident.declared', 'escalation.started', 'escalation.level']);
    const audit = (await call(admin, 'GET', `/audit?entity=incident&entityId=${a.id}`)).json();
    expect(audit.items.map((e: { action: string }) => e.action)).toEqual(['escalation.level', 'escalation.started', 'incident.declared']);
    const quiet = (await call(handler, 'GET', `/incidents/${b.id}/timeline`)).json();
    expect(quiet.items.map((e: { kind: string }) => e.kind)).toEqual(['incident.declared']);
  });

  it('records communications on the timeline: who, which way, over what, when; searchable; TLP respected', async () => {
    const inc = await declare(handler);
    const at = '2026-11-20T09:30:00.000Z';
    const r = await call(handler, 'POST', `/incidents/${inc.id}/communications`, {
      direction: 'outbound', channel: 'phone', party: 'Northtown Water Board (IT lead)', body: 'Advised to **isolate** the SCADA jump host', occurredAt: at,
    });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ kind: 'incident.communication', occurredAt: at, tlp: 'AMBER', data: { direction: 'outbound', channel: 'phone' } });
    await call(handler, 'POST', `/incidents/${inc.id}/communications`, { direction: 'inbound', channel: 'email', party: 'Police cyber unit', body: 'case number 77-qq', tlp: 'RED' });
    const mine = (await call(handler, 'GET', `/incidents/${inc.id}/timeline?kind=incident.communication`)).json().items;
    expect(mine.map((e: { data: { party: string } }) => e.data.party)).toEqual(['Northtown Water Board (IT lead)', 'Police cyber unit']);
    const theirs = (await call(other, 'GET', `/incidents/${inc.id}/timeline?kind=incident.communication`)).json().items;
    expect(theirs.map((e: { data: { party: string } }) => e.data.party)).toEqual(['Northtown Water Board (IT lead)']);
    expect((await call(handler, 'GET', '/incidents?q=SCADA')).json().items.map((i: { id: string }) => i.id)).toEqual([inc.id]);
    expect((await call(other, 'GET', '/incidents?q=77-qq')).json().items).toEqual([]);
    const future = await call(handler, 'POST', `/incidents/${inc.id}/communications`, {
      direction: 'inbound', channel: 'phone', party: 'x', body: 'y', occurredAt: '2099-01-01T00:00:00Z',
    });
    expect(future.json().code).toBe('VIG_REQUEST_INVALID');
    expect((await call(viewer, 'POST', `/incidents/${inc.id}/communications`, { direction: 'inbound', channel: 'phone', party: 'x', body: 'y' })).statusCode).toBe(403);
  });

  it('refuses classifications outside RSIT', async () => {
    const r = await call(handler, 'POST', '/incidents', { title: 'x', impact: 'low', urgency: 'low', classifications: [{ class: 'intrusions', type: 'phishing' }] });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ code: 'VIG_INCIDENT_CLASSIFICATION_UNKNOWN', errors: [{ path: 'body.classifications.0' }] });
  });

  it('refuses a stale version with the current state and loses no update', async () => {
    const inc = await declare(handler);
    const first = await call(handler, 'PATCH', `/incidents/${inc.id}`, { version: 1, impact: 'critical', urgency: 'critical', summary: 'Webshell found' });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ version: 2, priority: 'P1', summary: 'Webshell found' });
    const stale = await call(other, 'PATCH', `/incidents/${inc.id}`, { version: 1, title: 'Overwrite' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'VIG_INCIDENT_VERSION_CONFLICT', currentVersion: 2, current: { summary: 'Webshell found', version: 2 } });
    const kinds = (await call(handler, 'GET', `/incidents/${inc.id}/timeline`)).json().items.map((e: { kind: string }) => e.kind);
    // Declared P2, it escalated at once; raised to P1 while that escalation runs, it starts no second one.
    expect(kinds).toEqual(['incident.declared', 'escalation.started', 'escalation.level', 'incident.updated', 'incident.priority_changed']);
    // Numbered as its transaction commits, the incident is still named by its reference on the timeline.
    const declared = (await call(handler, 'GET', `/incidents/${inc.id}/timeline?kind=incident.declared`)).json().items[0];
    expect(declared.data.reference).toBe(inc.reference);
    expect(inc.reference).toMatch(/^[A-Z]+-\d{4}-\d{5}$/);
    const upd = (await call(handler, 'GET', `/incidents/${inc.id}/timeline?kind=incident.updated`)).json().items[0];
    expect(upd.data.changes.priority).toEqual({ from: 'P2', to: 'P1' });
    // Sending what is already there changes nothing: same version, no event.
    const same = await call(handler, 'PATCH', `/incidents/${inc.id}`, { version: 2, summary: 'Webshell found', classifications: [{ class: 'intrusions', type: 'system-compromise' }] });
    expect(same.json().version).toBe(2);
    const reclass = await call(handler, 'PATCH', `/incidents/${inc.id}`, { version: 2, classifications: [{ class: 'malicious-code', type: 'infected-system' }] });
    expect(reclass.json()).toMatchObject({ version: 3, classifications: [{ class: 'malicious-code', type: 'infected-system', primary: true }] });
    const cls = (await call(handler, 'GET', `/incidents/${inc.id}/timeline?kind=incident.classified`)).json().items;
    expect(cls).toHaveLength(1);
    expect(cls[0].data.from).toEqual([{ class: 'intrusions', type: 'system-compromise', primary: true }]);
  });

  it('follows the lifecycle and refuses the jumps it forbids', async () => {
    const inc = await declare(handler);
    let v = 1;
    for (const status of ['triage', 'containment', 'analysis', 'recovery']) {
      const r = await call(handler, 'POST', `/incidents/${inc.id}/status`, { version: v, status });
      expect(r.statusCode, `${status}: ${r.body}`).toBe(200);
      v = r.json().version;
    }
    const back = await call(handler, 'POST', `/incidents/${inc.id}/status`, { version: v, status: 'triage' });
    expect(back.statusCode).toBe(409);
    expect(back.json()).toMatchObject({ code: 'VIG_INCIDENT_TRANSITION_FORBIDDEN', from: 'recovery', to: 'triage' });
    const viaStatus = await call(handler, 'POST', `/incidents/${inc.id}/status`, { version: v, status: 'closed' });
    expect(viaStatus.statusCode).toBe(400);
  });

  it('closes P1 and P2 only after lessons learned, then reopens', async () => {
    const inc = await declare(handler, { impact: 'critical', urgency: 'critical' });
    expect(inc.priority).toBe('P1');
    const early = await call(handler, 'POST', `/incidents/${inc.id}/close`, { version: 1, resolution: 'resolved' });
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe('VIG_INCIDENT_LESSONS_REQUIRED');
    const lessons = await call(handler, 'PUT', `/incidents/${inc.id}/lessons`, {
      whatHappened: 'Phished credentials reused on VPN', wentWell: 'Fast containment', toImprove: 'MFA on VPN',
      actions: [{ action: 'Enforce MFA on the VPN', ownerId: manager.id, dueAt: '2027-01-31T00:00:00Z' }],
    });
    expect(lessons.statusCode, lessons.body).toBe(200);
    const closed = await call(handler, 'POST', `/incidents/${inc.id}/close`, { version: 1, resolution: 'resolved' });
    expect(closed.json()).toMatchObject({ status: 'closed', resolution: 'resolved', version: 2 });
    expect(closed.json().closedAt).toBeTruthy();
    const edit = await call(handler, 'PATCH', `/incidents/${inc.id}`, { version: 2, title: 'Later' });
    expect(edit.json().code).toBe('VIG_INCIDENT_CLOSED');
    const reopened = await call(handler, 'POST', `/incidents/${inc.id}/reopen`, { version: 2, reason: 'Attacker back' });
    expect(reopened.json()).toMatchObject({ status: 'analysis', resolution: null, closedAt: null, version: 3 });
    expect((await call(handler, 'POST', `/incidents/${inc.id}/reopen`, { version: 3, reason: 'again' })).json().code).toBe('VIG_INCIDENT_NOT_CLOSED');
  });

  it('closes as a duplicate only of another incident', async () => {
    const a = await declare(handler, { impact: 'low', urgency: 'low' });
    const b = await declare(handler, { impact: 'low', urgency: 'low' });
    expect((await call(handler, 'POST', `/incidents/${b.id}/close`, { version: 1, resolution: 'duplicate' })).json().code).toBe('VIG_INCIDENT_DUPLICATE_INVALID');
    expect((await call(handler, 'POST', `/incidents/${b.id}/close`, { version: 1, resolution: 'duplicate', duplicateOf: b.id })).json().code).toBe('VIG_INCIDENT_DUPLICATE_INVALID');
    const ok = await call(handler, 'POST', `/incidents/${b.id}/close`, { version: 1, resolution: 'duplicate', duplicateOf: a.reference });
    expect(ok.json()).toMatchObject({ status: 'closed', resolution: 'duplicate', duplicateOf: a.id });
  });

  it('shows RED and AMBER+STRICT incidents only to role holders, managers and admins, everywhere', async () => {
    const red = await declare(handler, { tlp: 'RED', title: 'Board member account takeover' });
    for (const who of [other, viewer]) {
      expect((await call(who, 'GET', `/incidents/${red.id}`)).statusCode).toBe(404);
      expect((await call(who, 'GET', `/incidents/${red.reference}`)).statusCode).toBe(404);
      expect((await call(who, 'GET', `/incidents/${red.id}/timeline`)).statusCode).toBe(404);
      const ids = (await call(who, 'GET', '/incidents?limit=200')).json().items.map((i: { id: string }) => i.id);
      expect(ids).not.toContain(red.id);
      expect((await call(who, 'POST', `/incidents/${red.id}/notes`, { body: 'x' })).statusCode).toBe(404);
    }
    for (const who of [handler, manager, admin]) expect((await call(who, 'GET', `/incidents/${red.id}`)).statusCode).toBe(200);
    const give = await call(handler, 'POST', `/incidents/${red.id}/roles`, { role: 'analyst', userId: other.id });
    expect(give.json().roles.map((r: { role: string }) => r.role).sort()).toEqual(['analyst', 'coordinator']);
    expect((await call(other, 'GET', `/incidents/${red.id}`)).statusCode).toBe(200);
    const take = await call(handler, 'DELETE', `/incidents/${red.id}/roles/analyst/${other.id}`);
    expect(take.statusCode).toBe(200);
    expect((await call(other, 'GET', `/incidents/${red.id}`)).statusCode).toBe(404);
    const mine = (await call(handler, 'GET', '/incidents?roleHolder=me&tlp=RED')).json().items.map((i: { id: string }) => i.id);
    expect(mine).toContain(red.id);
  });

  it('lets viewers read but not change, and keeps reporters out', async () => {
    const inc = await declare(handler);
    const r = await call(viewer, 'PATCH', `/incidents/${inc.id}`, { version: 1, title: 'no' });
    expect(r.statusCode).toBe(403);
    expect(r.json().code).toBe('VIG_AUTHZ_FORBIDDEN');
    const reporter = await userWith(t, ['reporter']);
    expect((await call(reporter, 'GET', '/incidents')).statusCode).toBe(403);
    expect((await call(reporter, 'GET', `/incidents/${inc.id}`)).statusCode).toBe(403);
  });

  it('keeps restricted notes from those outside the incident, and stores Markdown as written', async () => {
    const inc = await declare(handler);
    const md = 'Seen <script>alert(1)</script> in **logs**';
    const note = await call(handler, 'POST', `/incidents/${inc.id}/notes`, { body: md, tlp: 'RED' });
    expect(note.statusCode).toBe(201);
    expect(note.json()).toMatchObject({ kind: 'incident.note_added', tlp: 'RED', data: { body: md } });
    await call(handler, 'POST', `/incidents/${inc.id}/notes`, { body: 'Public-ish note' });
    const outsider = (await call(other, 'GET', `/incidents/${inc.id}/timeline`)).json().items;
    expect(outsider.map((e: { data: { body?: string } }) => e.data.body).filter(Boolean)).toEqual(['Public-ish note']);
    const insider = (await call(handler, 'GET', `/incidents/${inc.id}/timeline?kind=incident.note_added`)).json().items;
    expect(insider).toHaveLength(2);
  });

  it('sets key times in order, as events dated when they happened', async () => {
    const inc = await declare(handler);
    const bad = await call(handler, 'PATCH', `/incidents/${inc.id}/key-times`, { version: 1, firstCompromiseAt: '2026-11-20T10:00:00Z', detectedAt: '2026-11-19T10:00:00Z' });
    expect(bad.json()).toMatchObject({ code: 'VIG_REQUEST_INVALID', errors: [{ path: 'body.detectedAt' }] });
    const ok = await call(handler, 'PATCH', `/incidents/${inc.id}/key-times`, { version: 1, firstCompromiseAt: '2026-11-18T08:00:00Z', detectedAt: '2026-11-20T09:30:00Z' });
    expect(ok.json().keyTimes).toMatchObject({ firstCompromiseAt: '2026-11-18T08:00:00.000Z', detectedAt: '2026-11-20T09:30:00.000Z', containedAt: null });
    const ev = (await call(handler, 'GET', `/incidents/${inc.id}/timeline?kind=incident.key_time_set`)).json().items;
    expect(ev.map((e: { occurredAt: string }) => e.occurredAt)).toEqual(['2026-11-18T08:00:00.000Z', '2026-11-20T09:30:00.000Z']);
  });

  it('filters and pages the list by keyset', async () => {
    const ex = await declare(handler, { exercise: true, classifications: [{ class: 'availability', type: 'ddos' }], constituent: 'Ministry of Examples' });
    const byClass = (await call(handler, 'GET', '/incidents?class=availability&type=ddos')).json().items;
    expect(byClass.map((i: { id: string }) => i.id)).toEqual([ex.id]);
    expect((await call(handler, 'GET', '/incidents?exercise=true')).json().items.map((i: { id: string }) => i.id)).toEqual([ex.id]);
    expect((await call(handler, 'GET', '/incidents?constituent=Ministry%20of%20Examples')).json().items).toHaveLength(1);
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = (await call(manager, 'GET', `/incidents?limit=3${cursor ? `&cursor=${cursor}` : ''}`)).json();
      all.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(all).size).toBe(all.length);
    const total = (await call(manager, 'GET', '/incidents?limit=200')).json().items.length;
    expect(all.length).toBe(total);
    const open = (await call(manager, 'GET', '/incidents?open=true&limit=200')).json().items;
    expect(open.every((i: { status: string }) => i.status !== 'closed')).toBe(true);
    expect((await call(manager, 'GET', '/incidents?cursor=garbage')).json().code).toBe('VIG_CURSOR_INVALID');
  });

  it('keeps the event log append-only and uses the configured reference prefix', async () => {
    await expect(sql`update incident_event set kind = 'x'`.execute(t.db.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from incident_event`.execute(t.db.db)).rejects.toThrow(/append-only/);
    const set = await call(admin, 'PATCH', '/settings', { incidentPrefix: 'CERTX' });
    expect(set.json().incidentPrefix).toBe('CERTX');
    const inc = await declare(handler);
    expect(inc.reference).toMatch(new RegExp(`^CERTX-${year}-\\d{5}$`));
  });

  it('takes priorities from the team matrix once an admin sets one', async () => {
    const row = { low: 'P4', medium: 'P4', high: 'P4', critical: 'P4' };
    const matrix = { low: row, medium: row, high: { ...row, high: 'P3' }, critical: row };
    expect((await call(admin, 'PATCH', '/settings', { priorityMatrix: { low: row } })).statusCode).toBe(400);
    expect((await call(admin, 'PATCH', '/settings', { priorityMatrix: matrix })).statusCode).toBe(200);
    expect((await declare(handler, { impact: 'high', urgency: 'high' })).priority).toBe('P3');
    expect((await call(admin, 'PATCH', '/settings', { priorityMatrix: null })).json().priorityMatrix).toBeNull();
    expect((await declare(handler, { impact: 'high', urgency: 'high' })).priority).toBe('P2');
  });
});
