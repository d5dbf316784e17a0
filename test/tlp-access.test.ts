import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../src/lib/actor.ts';
import { adminSession, login, makeApp, userWith, type Session, type TestApp } from './app.ts';
import { stores } from './db.ts';

/**
 * TLP and need-to-know on every read path. One incident per TLP level, each with a note, an
 * observable and a report; a caller of each kind; and for every path (list, get, full-text search
 * over titles, notes and reports, count, similar incidents, observable search, report search,
 * timeline, links, and the JSON, HTML and PDF exports) the set of incidents the caller learns of
 * must be exactly what the rule allows: RED and AMBER+STRICT only for role holders, the assignee,
 * managers and admins; everything else for anyone who reads incidents; nothing for reporters.
 * The expected sets are written from the rule here, not taken from the code.
 */
const TLPS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
type Tlp = (typeof TLPS)[number];
type Caller = 'admin' | 'manager' | 'holder' | 'assignee' | 'outsider' | 'viewer' | 'reporter';
const CALLERS: Caller[] = ['admin', 'manager', 'holder', 'assignee', 'outsider', 'viewer', 'reporter'];
const RESTRICTED: Tlp[] = ['AMBER+STRICT', 'RED'];

/** The rule. `assignee` is assigned the RED incident only; `holder` holds a role in every incident. */
function allowed(caller: Caller, tlp: Tlp): boolean {
  if (caller === 'reporter') return false;
  if (caller === 'admin' || caller === 'manager' || caller === 'holder') return true;
  if (caller === 'assignee' && tlp === 'RED') return true;
  return !RESTRICTED.includes(tlp);
}

describe.each(stores())('TLP on every read path on %s', (store) => {
  let t: TestApp;
  const who = {} as Record<Caller, Session & { id?: string }>;
  const incidents = {} as Record<Tlp, { id: string; reference: string }>;
  let anchor: { id: string; reference: string };
  const word = 'zebracorn';

  beforeAll(async () => {
    t = await makeApp(store);
    who.admin = await adminSession(t);
    who.manager = await userWith(t, ['manager']);
    who.holder = await userWith(t, ['handler']);
    who.assignee = await userWith(t, ['handler']);
    who.outsider = await userWith(t, ['handler']);
    who.viewer = await userWith(t, ['viewer']);
    await t.services.users.create(systemActor('cli'), { username: 'matrix-reporter', displayName: 'R', roles: ['reporter'], organisation: 'Org', password: 'Correct-Horse-Battery-9' });
    await t.db.db.updateTable('appUser').set({ mustChangePassword: false }).where('username', '=', 'matrix-reporter').execute();
    who.reporter = await login(t.app, 'matrix-reporter', 'Correct-Horse-Battery-9');

    const h = who.holder;
    const call = (method: 'POST', url: string, payload: object) => t.app.inject({ method, url: `/api/v1${url}`, headers: h.headers, payload });
    const declare = async (tlp: Tlp, title: string) =>
      (await call('POST', '/incidents', { title, tlp, impact: 'low', urgency: 'low', classifications: [{ class: 'fraud', type: 'phishing' }] })).json();
    anchor = await declare('CLEAR', 'Anchor for similar incidents');
    await call('POST', `/incidents/${anchor.id}/observables`, { items: [{ type: 'domain', value: `${word}.example` }] });
    for (const tlp of TLPS) {
      const inc = await declare(tlp, `Title ${tlp} ${word}title`);
      incidents[tlp] = inc;
      await call('POST', `/incidents/${inc.id}/notes`, { body: `note ${word}note` });
      await call('POST', `/incidents/${inc.id}/observables`, { items: [{ type: 'domain', value: `${word}.example` }] });
      const report = (await call('POST', '/reports', { title: `Report ${word}report`, organisation: 'Org' })).json();
      await call('POST', `/reports/${report.id}/link`, { incident: inc.id });
      await call('POST', `/incidents/${anchor.id}/links`, { kind: 'related', incidentId: inc.id });
    }
    const assigned = await call('POST', '/incidents/assign', { incidents: [incidents.RED.id], assigneeId: (who.assignee as { id: string }).id });
    expect(assigned.statusCode, assigned.body).toBe(200);
  }, 120_000);
  afterAll(() => t?.close());

  const get = (caller: Caller, url: string) => t.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: who[caller].headers });
  const expected = (caller: Caller) => TLPS.filter((tlp) => allowed(caller, tlp)).map((tlp) => incidents[tlp].id).sort();
  const idsOf = (items: { id: string }[]) => items.map((i) => i.id).filter((id) => id !== anchor.id).sort();

  for (const caller of CALLERS) {
    it(`${caller}: list, search, count, similar, observables, reports, links agree with the rule`, async () => {
      const want = expected(caller);
      const sets: Record<string, string[] | number> = {};
      const ok = async (url: string) => {
        const r = await get(caller, url);
        if (caller === 'reporter' && !url.startsWith('/reports')) {
          expect(r.statusCode, url).toBe(403);
          return null;
        }
        expect(r.statusCode, `${url}: ${r.body.slice(0, 200)}`).toBe(200);
        return r.json();
      };
      const list = await ok(`/incidents?q=${word}title`);
      if (list) sets.list = idsOf(list.items);
      const notes = await ok(`/incidents?q=${word}note`);
      if (notes) sets.notes = idsOf(notes.items);
      const reports = await ok(`/incidents?q=${word}report`);
      if (reports) sets.reportSearch = idsOf(reports.items);
      const count = await ok(`/incidents/count?q=${word}title`);
      if (count) sets.count = count.count;
      const similar = await ok(`/incidents/${anchor.id}/similar`);
      if (similar) sets.similar = idsOf(similar.items);
      const links = await ok(`/incidents/${anchor.id}/links`);
      if (links) sets.links = idsOf(links.items.map((l: { incident: { id: string } }) => l.incident));
      const observables = await ok(`/observables?value=${word}.example`);
      if (observables) sets.observables = idsOf(observables.items.flatMap((o: { incidents: { id: string }[] }) => o.incidents));
      const reportList = await ok(`/reports?q=${word}report`);
      if (reportList) {
        sets.reports = caller === 'reporter'
          ? reportList.items.map((r: { incidentReference: string }) => r.incidentReference).sort()
          : reportList.items.map((r: { incidentId: string }) => r.incidentId).sort();
      }

      if (caller === 'reporter') {
        // The reporter sees its organisation's reports, with only the incident's reference: never more.
        expect(sets.reports).toEqual(TLPS.map((tlp) => incidents[tlp].reference).sort());
        return;
      }
      expect(sets).toEqual({
        list: want, notes: want, reportSearch: want, count: want.length, similar: want, links: want, observables: want, reports: want,
      });
    });

    it(`${caller}: get, timeline and every export answer 200 exactly where the rule allows`, async () => {
      const seen: Record<string, string> = {};
      for (const tlp of TLPS) {
        const inc = incidents[tlp];
        const codes = [];
        for (const path of ['', '/timeline', '/export', '/export.html', '/export.pdf', '/observables', '/tasks', '/evidence', '/lessons', '/reports-via-list']) {
          const url = path === '/reports-via-list' ? `/reports?incident=${inc.id}` : `/incidents/${inc.reference}${path}`;
          const r = await get(caller, url);
          codes.push(`${path || '/'}=${r.statusCode === 200 ? 'ok' : r.statusCode}`);
          if (r.statusCode === 200 && path === '/export.html') expect(r.body).toContain(tlp);
        }
        seen[tlp] = codes.join(' ');
      }
      const denied = caller === 'reporter' ? 403 : 404;
      const want = Object.fromEntries(TLPS.map((tlp) => {
        const code = allowed(caller, tlp) ? 'ok' : String(denied);
        // A lessons-learned review that was never written is a 404 for those who may see it.
        return [tlp, ['/', '/timeline', '/export', '/export.html', '/export.pdf', '/observables', '/tasks', '/evidence', '/lessons', '/reports-via-list']
          .map((p) => `${p}=${p === '/lessons' && code === 'ok' ? 'LESSONS' : code}`).join(' ')];
      }));
      for (const tlp of TLPS) {
        const lessons = /\/lessons=(\S+)/.exec(seen[tlp]!)![1]!;
        if (allowed(caller, tlp)) expect(['ok', '404'], `${caller} ${tlp} lessons`).toContain(lessons);
        want[tlp] = want[tlp]!.replace('/lessons=LESSONS', `/lessons=${lessons}`);
      }
      expect(seen).toEqual(want);
    });
  }
});
