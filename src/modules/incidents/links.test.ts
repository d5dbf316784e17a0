import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiOf, makeApp, type Session, type TestApp, userWith } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';

describe.each(stores())('links, merges and search on %s', (store) => {
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

  it('links related incidents and parents, recorded on both, listed within TLP', async () => {
    const a = await declare();
    const b = await declare();
    const red = await declare({ tlp: 'RED' });
    expect((await call(handler, 'POST', `/incidents/${a.id}/links`, { kind: 'parent_of', incidentId: b.reference })).statusCode).toBe(204);
    expect((await call(handler, 'POST', `/incidents/${a.id}/links`, { kind: 'related', incidentId: red.id })).statusCode).toBe(204);
    const mine = (await call(handler, 'GET', `/incidents/${a.id}/links`)).json().items;
    expect(mine.map((l: { kind: string; incident: { id: string } }) => `${l.kind}:${l.incident.id}`).sort()).toEqual([`parent_of:${b.id}`, `related:${red.id}`].sort());
    const theirs = (await call(other, 'GET', `/incidents/${a.id}/links`)).json().items;
    expect(theirs.map((l: { incident: { id: string } }) => l.incident.id)).toEqual([b.id]);
    const fromB = (await call(handler, 'GET', `/incidents/${b.id}/links`)).json().items;
    expect(fromB).toMatchObject([{ kind: 'parent_of', direction: 'incoming', incident: { id: a.id } }]);
    const ev = (await call(handler, 'GET', `/incidents/${b.id}/timeline?kind=incident.linked`)).json().items;
    expect(ev[0].data).toMatchObject({ kind: 'child_of', other: { id: a.id } });
    expect((await call(handler, 'POST', `/incidents/${a.id}/links`, { kind: 'related', incidentId: a.id })).json().code).toBe('VIG_INCIDENT_LINK_INVALID');
    expect((await call(handler, 'DELETE', `/incidents/${a.id}/links/parent_of/${b.id}`)).statusCode).toBe(204);
    expect((await call(handler, 'DELETE', `/incidents/${a.id}/links/parent_of/${b.id}`)).json().code).toBe('VIG_INCIDENT_LINK_INVALID');
  });

  it('merges B into A: tasks, observables and timeline follow, B closes as a duplicate', async () => {
    const a = await declare({ title: 'Phishing wave (main)' });
    const b = await declare({ title: 'Phishing report from HR' });
    await call(handler, 'POST', `/incidents/${b.id}/tasks`, { phase: 'analysis', title: 'Check HR mailbox' });
    await call(handler, 'POST', `/incidents/${b.id}/observables`, { items: [{ type: 'domain', value: 'hr-portal.example' }] });
    await call(handler, 'POST', `/incidents/${b.id}/notes`, { body: 'HR forwarded the lure' });
    const stale = await call(handler, 'POST', `/incidents/${a.id}/merge`, { sourceId: b.id, sourceVersion: 9 });
    expect(stale.json().code).toBe('VIG_INCIDENT_VERSION_CONFLICT');
    const merged = await call(handler, 'POST', `/incidents/${a.id}/merge`, { sourceId: b.reference, sourceVersion: 1 });
    expect(merged.statusCode, merged.body).toBe(200);
    const bNow = (await call(handler, 'GET', `/incidents/${b.id}`)).json();
    expect(bNow).toMatchObject({ status: 'closed', resolution: 'duplicate', duplicateOf: a.id });
    expect((await call(handler, 'GET', `/incidents/${a.id}/tasks`)).json().items.map((x: { title: string }) => x.title)).toEqual(['Check HR mailbox']);
    expect((await call(handler, 'GET', `/incidents/${a.id}/observables`)).json().items.map((o: { value: string }) => o.value)).toEqual(['hr-portal.example']);
    expect((await call(handler, 'GET', `/incidents/${b.id}/observables`)).json().items).toEqual([]);
    const tl = (await call(handler, 'GET', `/incidents/${a.id}/timeline`)).json().items;
    const kinds = tl.map((e: { kind: string }) => e.kind);
    expect(kinds).toContain('incident.merged');
    expect(tl.find((e: { kind: string }) => e.kind === 'incident.note_added')).toMatchObject({ incidentId: b.id, data: { body: 'HR forwarded the lure' } });
    const onB = (await call(handler, 'GET', `/incidents/${b.id}/timeline?kind=incident.merged_into,incident.closed`)).json().items;
    expect(onB.map((e: { kind: string }) => e.kind)).toEqual(['incident.merged_into', 'incident.closed']);
    expect((await call(handler, 'POST', `/incidents/${a.id}/merge`, { sourceId: a.id, sourceVersion: 1 })).json().code).toBe('VIG_INCIDENT_LINK_INVALID');
    expect((await call(handler, 'POST', `/incidents/${a.id}/merge`, { sourceId: b.id, sourceVersion: bNow.version })).json().code).toBe('VIG_INCIDENT_CLOSED');
  });

  it('finds incidents by words in titles, summaries and the notes the caller may read', async () => {
    const inc = await declare({ title: 'Credential stuffing against webmail', summary: 'Botnet from residential proxies' });
    await call(handler, 'POST', `/incidents/${inc.id}/notes`, { body: 'Attacker used the kraken toolkit' });
    await call(handler, 'POST', `/incidents/${inc.id}/notes`, { body: 'Informant says operation nightjar', tlp: 'RED' });
    const ids = async (who: Session, q: string) => (await call(who, 'GET', `/incidents?q=${encodeURIComponent(q)}`)).json().items.map((i: { id: string }) => i.id);
    expect(await ids(other, 'webmail stuffing')).toEqual([inc.id]);
    expect(await ids(other, 'residential')).toEqual([inc.id]);
    expect(await ids(other, 'kraken')).toEqual([inc.id]);
    expect(await ids(handler, 'nightjar')).toEqual([inc.id]);
    expect(await ids(other, 'nightjar')).toEqual([]);
    expect(await ids(other, '"no such phrase anywhere"')).toEqual([]);
  });
});

describe.each(stores())('incident export on %s', (store) => {
  let t: TestApp;
  let handler: Session;
  let other: Session;
  beforeAll(async () => {
    t = await makeApp(store);
    handler = await userWith(t, ['handler']);
    other = await userWith(t, ['handler']);
  });
  afterAll(() => t?.close());

  it('exports the whole incident as JSON, holding back what the caller may not see', async () => {
    const call = (who: Session, method: 'GET' | 'POST', url: string, payload?: object) =>
      t.app.inject({ method, url: `/api/v1${url}`, headers: who.headers, ...(payload ? { payload } : {}) });
    const inc = (await call(handler, 'POST', '/incidents', { title: 'Export me', impact: 'low', urgency: 'low', classifications: [{ class: 'fraud', type: 'phishing' }] })).json();
    await call(handler, 'POST', `/incidents/${inc.id}/tasks`, { phase: 'analysis', title: 'Look' });
    await call(handler, 'POST', `/incidents/${inc.id}/observables`, { items: [{ type: 'domain', value: 'lure.example' }] });
    await call(handler, 'POST', `/incidents/${inc.id}/notes`, { body: 'open note' });
    await call(handler, 'POST', `/incidents/${inc.id}/notes`, { body: 'red note', tlp: 'RED' });
    const r = await call(handler, 'GET', `/incidents/${inc.reference}/export`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-disposition']).toContain(`${inc.reference}.json`);
    const doc = r.json();
    expect(doc).toMatchObject({ format: 'vigil.incident-export', formatVersion: 1, incident: { id: inc.id }, tasks: [{ title: 'Look' }], observables: [{ value: 'lure.example' }], lessons: null });
    expect(doc.timeline.filter((e: { kind: string }) => e.kind === 'incident.note_added')).toHaveLength(2);
    const theirs = (await call(other, 'GET', `/incidents/${inc.id}/export`)).json();
    expect(theirs.timeline.filter((e: { kind: string }) => e.kind === 'incident.note_added').map((e: { data: { body: string } }) => e.data.body)).toEqual(['open note']);
  });
});
