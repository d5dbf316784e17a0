import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';

/** The timeline section of an exported HTML report, as text a reader sees (tags dropped, entities decoded). */
function timelineOf(html: string): { raw: string; text: string } {
  const raw = html.slice(html.indexOf('<h2>Timeline</h2>'), html.indexOf('<h2>Tasks</h2>'));
  expect(raw.length).toBeGreaterThan(100);
  const text = raw.replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/\s+/g, ' ');
  return { raw, text };
}

describe.each(stores())('the exported timeline on %s', (store) => {
  let t: TestApp;
  let handler: Session & { id: string; username: string };
  let colleague: Session & { id: string; username: string };

  beforeAll(async () => {
    t = await makeApp(store);
    handler = await userWith(t, ['handler']);
    colleague = await userWith(t, ['handler']);
  });
  afterAll(() => t?.close());

  const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => {
    const r = await t.app.inject({ method, url: `/api/v1${url}`, headers: handler.headers, ...(payload ? { payload } : {}) });
    expect(r.statusCode, `${method} ${url}: ${r.body.slice(0, 300)}`).toBeLessThan(300);
    return r;
  };

  it('reads as sentences for every kind of work done on the incident, with no raw data', async () => {
    const inc = (await call('POST', '/incidents', {
      title: 'Credential phishing against finance', impact: 'critical', urgency: 'high', classifications: [{ class: 'fraud', type: 'phishing' }],
    })).json() as { id: string; reference: string; version: number };
    const task = (await call('POST', `/incidents/${inc.id}/tasks`, {
      phase: 'containment', title: 'Reset the finance passwords', checklist: [{ text: 'Finance', done: false }, { text: 'Payroll', done: false }],
    })).json() as { id: string; version: number };
    await call('PATCH', `/tasks/${task.id}`, { version: task.version, status: 'in_progress', checklist: [{ text: 'Finance', done: true }, { text: 'Payroll', done: false }] });
    await call('POST', `/tasks/${task.id}/notes`, { body: 'Finance done.' });
    const obs = await call('POST', `/incidents/${inc.id}/observables`, { items: [{ type: 'domain', value: 'login-portal.example' }] });
    expect(obs.statusCode).toBe(200);
    const listed = (await call('GET', `/incidents/${inc.id}/observables`)).json() as { items: { id: string }[] } | { id: string }[];
    const first = (Array.isArray(listed) ? listed : listed.items)[0]!;
    await call('PATCH', `/incidents/${inc.id}/observables/${first.id}`, { ioc: true });
    await call('POST', `/incidents/${inc.id}/roles`, { role: 'technical_lead', userId: colleague.id });
    await call('POST', `/incidents/${inc.id}/communications`, { direction: 'outbound', channel: 'phone', party: 'Finance head of IT', body: 'Agreed to block the domain.' });
    const { version } = (await call('GET', `/incidents/${inc.id}`)).json() as { version: number };
    await call('POST', `/incidents/${inc.id}/status`, { version, status: 'analysis' });
    await call('POST', `/incidents/${inc.id}/sla/pause`, { reason: 'Waiting for the constituent' });
    await call('POST', `/incidents/${inc.id}/sla/resume`);

    const kinds = new Set(((await call('GET', `/incidents/${inc.id}/timeline?limit=500`)).json() as { items: { kind: string }[] }).items.map((e) => e.kind));
    // The work above, and what the server adds by itself (a P1 starts the escalation).
    for (const k of ['task.created', 'task.updated', 'task.note_added', 'observable.added', 'observable.updated', 'incident.role_assigned', 'escalation.started']) {
      expect(kinds.has(k), `${k} in ${[...kinds].join(', ')}`).toBe(true);
    }

    const r = await t.app.inject({ method: 'GET', url: `/api/v1/incidents/${inc.id}/export.html`, headers: handler.headers });
    expect(r.statusCode).toBe(200);
    const { raw, text } = timelineOf(r.body);
    expect(raw).not.toContain('{"');
    expect(raw).not.toContain('{&quot;');
    expect(text).not.toMatch(/\brecorded (task|escalation|observable|incident|sla)\.|\[object|\bundefined\b/);
    expect(text).toContain('created the task "Reset the finance passwords" in the containment phase');
    expect(text).toContain('updated the task "Reset the finance passwords": set its status from open to in progress and ticked "Finance" (1 of 2 done)');
    expect(text).toContain('added a note to the task "Reset the finance passwords"');
    expect(text).toContain('added 1 observable: domain login-portal.example');
    expect(text).toContain('updated the observable domain login-portal.example: marked it as an IOC');
    expect(text).toContain(`made ${colleague.username} the incident's technical lead`);
    expect(text).toContain('recorded an outbound phone call with Finance head of IT');
    expect(text).toContain('moved the incident from new to analysis');
    expect(text).toContain('paused the SLA clocks: Waiting for the constituent');
    expect(text).toMatch(/started the escalation policy "[^"]+" because the incident was declared \(P1\)/);
  });
});
