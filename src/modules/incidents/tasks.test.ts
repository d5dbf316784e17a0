import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiOf, makeApp, type Session, type TestApp, userWith } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';

type Who = Session & { id: string; username: string };

describe.each(stores())('incident tasks on %s', (store) => {
  let t: TestApp;
  let handler: Who;
  let other: Who;
  let viewer: Who;
  beforeAll(async () => {
    t = await makeApp(store);
    handler = await userWith(t, ['handler']);
    other = await userWith(t, ['handler']);
    viewer = await userWith(t, ['viewer']);
  });
  afterAll(() => t?.close());

  const { call, declare } = apiOf(() => t, () => handler, { title: 'Ransomware on file server', classifications: [{ class: 'malicious-code', type: 'infected-system' }] });

  it('creates tasks by phase with checklists, lists them in phase order, and records events', async () => {
    const inc = await declare();
    const later = await call(handler, 'POST', `/incidents/${inc.id}/tasks`, { phase: 'recovery', title: 'Restore shares from backup' });
    const first = await call(handler, 'POST', `/incidents/${inc.id}/tasks`, {
      phase: 'containment', title: 'Isolate FS01 from the network', assigneeId: other.id, dueAt: '2026-12-01T12:00:00Z',
      checklist: [{ text: 'Disable switch port' }, { text: 'Block at firewall', done: true }],
    });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ status: 'open', version: 1, assigneeId: other.id, checklist: [{ text: 'Disable switch port', done: false }, { text: 'Block at firewall', done: true }] });
    const list = (await call(viewer, 'GET', `/incidents/${inc.reference}/tasks`)).json().items;
    expect(list.map((x: { id: string }) => x.id)).toEqual([first.json().id, later.json().id]);
    const kinds = (await call(handler, 'GET', `/incidents/${inc.id}/timeline?kind=task.created`)).json().items;
    expect(kinds).toHaveLength(2);
  });

  it('updates with the version read, refuses a stale one, and logs what changed', async () => {
    const inc = await declare();
    const task = (await call(handler, 'POST', `/incidents/${inc.id}/tasks`, { phase: 'analysis', title: 'Collect EDR timeline' })).json();
    const done = await call(other, 'PATCH', `/tasks/${task.id}`, { version: 1, status: 'done', checklist: [{ text: 'Export', done: true }] });
    expect(done.json()).toMatchObject({ status: 'done', version: 2 });
    const stale = await call(handler, 'PATCH', `/tasks/${task.id}`, { version: 1, status: 'cancelled' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'VIG_TASK_VERSION_CONFLICT', current: { status: 'done', version: 2 } });
    const ev = (await call(handler, 'GET', `/incidents/${inc.id}/timeline?kind=task.updated`)).json().items;
    expect(ev).toHaveLength(1);
    expect(ev[0].data.changes.status).toEqual({ from: 'open', to: 'done' });
    const note = await call(handler, 'POST', `/tasks/${task.id}/notes`, { body: 'Timeline exported to the evidence share' });
    expect(note.statusCode).toBe(201);
    expect(note.json()).toMatchObject({ kind: 'task.note_added', data: { taskId: task.id } });
  });

  it('refuses assignees who cannot work incidents, viewers, unseen incidents and closed ones', async () => {
    const inc = await declare();
    const bad = await call(handler, 'POST', `/incidents/${inc.id}/tasks`, { phase: 'analysis', title: 'x', assigneeId: viewer.id });
    expect(bad.json()).toMatchObject({ code: 'VIG_REQUEST_INVALID', errors: [{ path: 'body.assigneeId' }] });
    expect((await call(viewer, 'POST', `/incidents/${inc.id}/tasks`, { phase: 'analysis', title: 'x' })).statusCode).toBe(403);
    const red = await declare({ tlp: 'RED' });
    const hidden = (await call(handler, 'POST', `/incidents/${red.id}/tasks`, { phase: 'analysis', title: 'secret' })).json();
    expect((await call(other, 'GET', `/incidents/${red.id}/tasks`)).statusCode).toBe(404);
    const patch = await call(other, 'PATCH', `/tasks/${hidden.id}`, { version: 1, status: 'done' });
    expect(patch.statusCode).toBe(404);
    expect(patch.json().code).toBe('VIG_TASK_NOT_FOUND');
    await call(handler, 'POST', `/incidents/${inc.id}/close`, { version: 1, resolution: 'false_positive' });
    const closed = await call(handler, 'POST', `/incidents/${inc.id}/tasks`, { phase: 'analysis', title: 'late' });
    expect(closed.json().code).toBe('VIG_INCIDENT_CLOSED');
  });
});
