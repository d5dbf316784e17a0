import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, makeApp, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import { BUILTIN_PLAYBOOKS } from './builtin.ts';

describe.each(stores())('playbooks on %s', (store) => {
  let t: TestApp;
  let admin: Session;
  let handler: Session;
  beforeAll(async () => {
    t = await makeApp(store);
    admin = await adminSession(t);
    handler = await userWith(t, ['handler']);
  });
  afterAll(() => t?.close());

  const call = (who: Session, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    t.app.inject({ method, url: `/api/v1${url}`, headers: who.headers, ...(payload ? { payload } : {}) });
  const declare = async (classifications: object[], over: object = {}) =>
    (await call(handler, 'POST', '/incidents', { title: 'x', impact: 'medium', urgency: 'medium', classifications, ...over })).json();

  it('ships the built-in playbooks, the intrusion one after the ENISA guide\'s Table 3', async () => {
    const items = (await call(handler, 'GET', '/playbooks')).json().items as { key: string; builtin: boolean }[];
    expect(items.map((p) => p.key).sort()).toEqual(
      ['data-leak', 'ddos', 'malware-infection', 'phishing', 'ransomware', 'system-account-compromise', 'vulnerable-system'],
    );
    const intrusion = (await call(handler, 'GET', '/playbooks/system-account-compromise')).json();
    const titles = intrusion.tasks.map((x: { title: string }) => x.title).join('\n');
    expect(titles).toMatch(/law enforcement/);
    expect(titles).toMatch(/root cause/);
    expect(intrusion.tasks.find((x: { key: string }) => x.key === 'advise-constituency').checklist).toContain('Block malicious IP and DNS addresses');
    expect(new Set(intrusion.tasks.map((x: { phase: string }) => x.phase))).toEqual(new Set(['triage', 'containment', 'eradication', 'recovery', 'post_incident']));
    // A second start installs nothing twice.
    const again = await t.db.db.transaction().execute((tx) => t.services.playbooks.installBuiltins(tx, { userId: null, username: 'vigil', roles: ['admin'], via: 'system', ip: null, requestId: null }));
    expect(again).toBe(0);
    expect(BUILTIN_PLAYBOOKS).toHaveLength(7);
  });

  it('suggests playbooks by classification and priority', async () => {
    const inc = await declare([{ class: 'intrusions', type: 'privileged-account-compromise' }]);
    const keys = (await call(handler, 'GET', `/incidents/${inc.id}/playbooks`)).json().items.map((p: { key: string }) => p.key);
    expect(keys).toEqual(['system-account-compromise']);
    const infected = await declare([{ class: 'malicious-code', type: 'infected-system' }]);
    expect((await call(handler, 'GET', `/incidents/${infected.id}/playbooks`)).json().items.map((p: { key: string }) => p.key)).toEqual(['malware-infection']);
    const bad = await declare([{ class: 'malicious-code', type: 'infected-system' }], { impact: 'critical', urgency: 'critical' });
    expect((await call(handler, 'GET', `/incidents/${bad.id}/playbooks`)).json().items.map((p: { key: string }) => p.key).sort()).toEqual(['malware-infection', 'ransomware']);
  });

  it('applies a playbook as an event and never duplicates its tasks', async () => {
    const inc = await declare([{ class: 'fraud', type: 'phishing' }]);
    const first = await call(handler, 'POST', `/incidents/${inc.id}/playbooks/phishing/apply`);
    expect(first.statusCode, first.body).toBe(200);
    const n = first.json().created.length;
    expect(n).toBe(7);
    expect(first.json().skipped).toBe(0);
    const second = (await call(handler, 'POST', `/incidents/${inc.id}/playbooks/phishing/apply`)).json();
    expect(second).toEqual({ created: [], skipped: 7 });
    const tasks = (await call(handler, 'GET', `/incidents/${inc.id}/tasks`)).json().items;
    expect(tasks).toHaveLength(7);
    expect(tasks[0]).toMatchObject({ phase: 'triage', templateKey: 'phishing:collect-sample', checklist: [{ done: false }, { done: false }] });
    const ev = (await call(handler, 'GET', `/incidents/${inc.id}/timeline?kind=playbook.applied`)).json().items;
    expect(ev.map((e: { data: { skipped: number } }) => e.data.skipped)).toEqual([0, 7]);
  });

  it('lets admins edit playbooks with versions and validated RSIT patterns; others may not', async () => {
    const body = {
      name: 'Defacement', matchRsit: ['intrusions/application-compromise'], priorities: ['P1', 'P2', 'P3'],
      tasks: [{ key: 'snapshot', phase: 'triage', title: 'Snapshot the defaced page' }, { key: 'restore', phase: 'recovery', title: 'Restore the site' }],
    };
    expect((await call(handler, 'PUT', '/playbooks/defacement', body)).statusCode).toBe(403);
    const created = await call(admin, 'PUT', '/playbooks/defacement', body);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ version: 1, builtin: false, tasks: [{ checklist: [], description: '' }, {}] });
    const stale = await call(admin, 'PUT', '/playbooks/defacement', { ...body, name: 'Web defacement' });
    expect(stale.json().code).toBe('VIG_PLAYBOOK_VERSION_CONFLICT');
    const ok = await call(admin, 'PUT', '/playbooks/defacement', { ...body, version: 1, name: 'Web defacement' });
    expect(ok.json()).toMatchObject({ version: 2, name: 'Web defacement' });
    const badRsit = await call(admin, 'PUT', '/playbooks/x1', { ...body, matchRsit: ['intrusions/phishing'] });
    expect(badRsit.json()).toMatchObject({ code: 'VIG_INCIDENT_CLASSIFICATION_UNKNOWN', errors: [{ path: 'body.matchRsit.0' }] });
    const dupKeys = await call(admin, 'PUT', '/playbooks/x2', { ...body, tasks: [body.tasks[0], body.tasks[0]] });
    expect(dupKeys.json()).toMatchObject({ code: 'VIG_REQUEST_INVALID', errors: [{ path: 'body.tasks.1.key' }] });
    const disabled = await call(admin, 'PUT', '/playbooks/defacement', { ...body, version: 2, enabled: false });
    expect(disabled.json().enabled).toBe(false);
    const inc = await declare([{ class: 'intrusions', type: 'application-compromise' }]);
    expect((await call(handler, 'POST', `/incidents/${inc.id}/playbooks/defacement/apply`)).json().code).toBe('VIG_PLAYBOOK_NOT_FOUND');
  });
});
