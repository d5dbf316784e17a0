import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
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

/**
 * Labelled children on the GREEN incident (which the assignee, the outsider and the viewer see, but
 * without a need to know): what each carries that must not show to them, by label. `open` is a
 * GREEN observable added in the same call as the RED one: it stays visible to everyone.
 */
const CHILD = {
  open: 'kestrel-open.example',
  redObservable: 'kestrel-red.example',
  strictObservable: 'kestrel-strict.example',
  relabelled: 'kestrel-relabelled.example',
  removed: 'kestrel-removed.example',
  redNote: 'kestrelrednote',
  strictCommunication: 'kestrelstrictcall',
  redEvidence: 'kestrel-evidence.bin',
} as const;

/** The text of a PDF as a reader extracts it. */
async function pdfText(data: Buffer): Promise<string> {
  const task = getDocument({ data: new Uint8Array(data), useSystemFonts: false });
  const pdf = await task.promise;
  const out: string[] = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const content = await (await pdf.getPage(n)).getTextContent();
    out.push(content.items.map((i) => ('str' in i ? i.str : '')).join(''));
  }
  await task.destroy();
  return out.join(' ');
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
    // The reporter account follows the reports recorded for its constituent, Org.
    await t.services.constituents.create(systemActor('cli'), { name: 'Org' });
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

    // Labelled children on the GREEN incident.
    const green = incidents.GREEN.id;
    const ok = async (r: Promise<{ statusCode: number; body: string }>) => {
      const res = await r;
      expect(res.statusCode, res.body).toBeLessThan(300);
      return res;
    };
    await ok(call('POST', `/incidents/${green}/observables`, {
      items: [{ type: 'domain', value: CHILD.open }, { type: 'domain', value: CHILD.redObservable, tlp: 'RED' }],
    }));
    await ok(call('POST', `/incidents/${green}/observables`, { items: [{ type: 'domain', value: CHILD.strictObservable, tlp: 'AMBER+STRICT' }] }));
    // Added as GREEN, then marked RED: the entry written while it was GREEN must hide too.
    await ok(call('POST', `/incidents/${green}/observables`, { items: [{ type: 'domain', value: CHILD.relabelled }] }));
    const linked = (await t.app.inject({ method: 'GET', url: `/api/v1/incidents/${green}/observables`, headers: h.headers })).json().items as { id: string; value: string }[];
    const relabelled = linked.find((o) => o.value === CHILD.relabelled)!;
    await ok(t.app.inject({ method: 'PATCH', url: `/api/v1/incidents/${green}/observables/${relabelled.id}`, headers: h.headers, payload: { tlp: 'RED' } }));
    await ok(call('POST', `/incidents/${green}/observables`, { items: [{ type: 'domain', value: CHILD.removed, tlp: 'RED' }] }));
    const removed = ((await t.app.inject({ method: 'GET', url: `/api/v1/incidents/${green}/observables`, headers: h.headers })).json().items as { id: string; value: string }[])
      .find((o) => o.value === CHILD.removed)!;
    await ok(t.app.inject({ method: 'DELETE', url: `/api/v1/incidents/${green}/observables/${removed.id}`, headers: h.headers }));
    await ok(call('POST', `/incidents/${green}/notes`, { body: `A ${CHILD.redNote} note`, tlp: 'RED' }));
    await ok(call('POST', `/incidents/${green}/communications`, {
      direction: 'inbound', channel: 'phone', party: 'Legal', body: `The ${CHILD.strictCommunication} call`, tlp: 'AMBER+STRICT',
    }));
    await ok(t.app.inject({
      method: 'POST', headers: { ...h.headers, 'content-type': 'application/octet-stream' }, payload: Buffer.from('memory image'),
      url: `/api/v1/incidents/${green}/evidence?filename=${CHILD.redEvidence}&tlp=RED&collectedBy=Dana&collectedAt=2026-11-01T00:00:00Z&collectedFrom=FS01`,
    }));
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

    it(`${caller}: restricted children of a GREEN incident show in its timeline and exports only with a need to know`, async () => {
      const green = incidents.GREEN;
      const paths = ['/timeline', '/export', '/export.html', '/export.pdf'];
      const found: Record<string, string[]> = {};
      for (const path of paths) {
        const r = await get(caller, `/incidents/${green.reference}${path}`);
        if (caller === 'reporter') {
          expect(r.statusCode, path).toBe(403);
          continue;
        }
        expect(r.statusCode, `${path}: ${r.body.slice(0, 200)}`).toBe(200);
        const text = path === '/export.pdf' ? await pdfText(r.rawPayload) : r.body;
        found[path] = Object.entries(CHILD).filter(([, v]) => text.includes(v)).map(([k]) => k).sort();
      }
      if (caller === 'reporter') return;
      // Managers, admins and role holders see everything; the others only the GREEN observable.
      const sees = caller === 'admin' || caller === 'manager' || caller === 'holder';
      const want = sees ? Object.keys(CHILD).sort() : ['open'];
      expect(found).toEqual(Object.fromEntries(paths.map((p) => [p, want])));
    });
  }

  it('a RED incident merged into a GREEN one keeps its label: its entries show in the timeline only with a need to know', async () => {
    const h = who.holder;
    const post = async (url: string, payload: object) => {
      const r = await t.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: h.headers, payload });
      expect(r.statusCode, r.body).toBeLessThan(300);
      return r.json();
    };
    const base = { impact: 'low', urgency: 'low', classifications: [{ class: 'fraud', type: 'phishing' }] };
    const target = await post('/incidents', { ...base, title: 'Phishing wave, merged view', tlp: 'GREEN' });
    const source = await post('/incidents', { ...base, title: 'Board member kestrelmerged targeted', tlp: 'RED' });
    await post(`/incidents/${target.id}/merge`, { sourceId: source.id, sourceVersion: source.version });
    const seen = async (caller: Caller) => {
      const r = await get(caller, `/incidents/${target.reference}/timeline`);
      expect(r.statusCode, r.body).toBe(200);
      return r.body.includes('kestrelmerged');
    };
    expect(await seen('holder')).toBe(true);
    expect(await seen('manager')).toBe(true);
    expect(await seen('viewer')).toBe(false);
    expect(await seen('outsider')).toBe(false);
  });

  it("reporter: the portal holds its own submissions and its constituent's reports, never a web-form report naming it or a restricted one", async () => {
    const fd = new FormData();
    for (const [k, v] of Object.entries({ name: 'Mallory', email: 'mallory@example.net', organisation: 'Org', what: `Reset your password now ${word}phish` })) fd.append(k, v);
    const req = new Request('http://vigil.test/', { method: 'POST', body: fd });
    const form = await t.app.inject({
      method: 'POST', url: '/api/v1/public/reports', payload: Buffer.from(await req.arrayBuffer()), headers: { 'content-type': req.headers.get('content-type')! },
    });
    expect(form.statusCode, form.body).toBe(201);
    const log = async (who: Session, body: object) => {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/reports', headers: who.headers, payload: body });
      expect(r.statusCode, r.body).toBe(201);
      return r.json().reference as string;
    };
    const red = await log(who.holder, { title: `Insider at Org ${word}portal`, organisation: 'Org', tlp: 'RED' });
    const strict = await log(who.holder, { title: `Org credentials leaked ${word}portal`, organisation: 'Org', tlp: 'AMBER+STRICT' });
    const amber = await log(who.holder, { title: `Org mail server relays spam ${word}portal`, organisation: 'Org', tlp: 'AMBER' });
    const own = await log(who.reporter, { title: `Our own finding ${word}portal`, tlp: 'RED' });
    const portal = (await get('reporter', '/reports?limit=200')).json().items.map((r: { reference: string }) => r.reference);
    expect(portal).toEqual(expect.arrayContaining([amber, own]));
    for (const hidden of [form.json().reference, red, strict]) {
      expect(portal).not.toContain(hidden);
      expect((await get('reporter', `/reports/${hidden}`)).statusCode, hidden).toBe(404);
    }
  });
});
