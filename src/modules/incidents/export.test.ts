import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { Actor } from '../../lib/actor.ts';
import { makeApp, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';

type Who = Session & { id: string; username: string };
const XSS = '<script>alert(1)</script>';
const IMG = '<img src=x onerror=alert(1)>';
const GREEK = 'Ο διακομιστής παραβιάστηκε';
const CYRILLIC = 'Сервер скомпрометирован';

/** The text of every page of a PDF, as a reader would extract it. */
async function pdfPages(data: Buffer): Promise<string[]> {
  const task = getDocument({ data: new Uint8Array(data), useSystemFonts: false });
  const pdf = await task.promise;
  const pages: string[] = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const content = await (await pdf.getPage(n)).getTextContent();
    pages.push(content.items.map((i) => ('str' in i ? i.str : '')).join(' '));
  }
  await task.destroy();
  return pages;
}

describe.each(stores())('incident reports on %s', (store) => {
  let t: TestApp;
  let handler: Who;
  let other: Who;
  let viewer: Who;
  const actor = (w: Who): Actor => ({ userId: w.id, username: w.username, roles: ['handler'], via: 'session', ip: null, requestId: null });

  beforeAll(async () => {
    t = await makeApp(store);
    handler = await userWith(t, ['handler']);
    other = await userWith(t, ['handler']);
    viewer = await userWith(t, ['viewer']);
  });
  afterAll(() => t?.close());

  const call = (who: Session, method: 'GET' | 'POST', url: string, payload?: object) =>
    t.app.inject({ method, url: `/api/v1${url}`, headers: who.headers, ...(payload ? { payload } : {}) });
  const declare = async (over: object = {}) => {
    const r = await call(handler, 'POST', '/incidents', { title: 'Report me', impact: 'low', urgency: 'low', classifications: [{ class: 'fraud', type: 'phishing' }], ...over });
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as { id: string; reference: string };
  };

  it('exports HTML with every value escaped, notes as safe Markdown, and the TLP label top and bottom', async () => {
    const inc = await declare({ title: `Phish ${XSS}`, summary: `Summary ${IMG}` });
    await call(handler, 'POST', `/incidents/${inc.id}/notes`, { body: `**Found** ${XSS} and ${IMG}\n[click](javascript:alert(1)) https://cert.example/x` });
    await call(handler, 'POST', `/incidents/${inc.id}/tasks`, { phase: 'analysis', title: `Task ${XSS}`, checklist: [{ text: `Check ${IMG}`, done: true }] });
    await call(handler, 'POST', `/incidents/${inc.id}/observables`, { items: [{ type: 'domain', value: 'lure.example' }] });

    const r = await call(viewer, 'GET', `/incidents/${inc.reference}/export.html`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'unsafe-inline'(;|$)/);
    expect(r.headers['content-disposition']).toBe(`inline; filename="${inc.reference}-report.html"`);
    expect(r.headers['cache-control']).toBe('no-store');
    expect((await call(viewer, 'GET', `/incidents/${inc.id}/export.html?download=true`)).headers['content-disposition']).toMatch(/^attachment; /);

    const html = r.body;
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    // Nothing people typed becomes markup.
    expect(html).not.toContain(XSS);
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/<script|<[^>]*\son\w+=|href="javascript/i);
    expect(html).toContain(`Phish &lt;script&gt;alert(1)&lt;/script&gt;`);
    expect(html).toContain('Summary &lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('Task &lt;script&gt;');
    expect(html).toContain('☑ Check &lt;img');
    // The note is Markdown: formatting and a safe link, the javascript: link left as text.
    expect(html).toContain('<strong>Found</strong> &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('[click](javascript:alert(1))');
    expect(html).toContain('<a href="https://cert.example/x" target="_blank" rel="noopener noreferrer nofollow">');
    // The label: at the top, in the repeating header and footer, in FIRST's amber on black.
    expect(html.match(/>TLP:AMBER</g)!.length).toBeGreaterThanOrEqual(4);
    expect(html).toMatch(/<div class="bar top">.*TLP:AMBER/);
    expect(html).toMatch(/<div class="bar bottom">.*TLP:AMBER/);
    expect(html).toContain('color:#FFC000');
    expect(html).toMatch(/\.bar \{ position: fixed;/);
    for (const s of ['Summary', 'Classification and handling', 'Key times', 'Roles', 'Timeline', 'Tasks', 'Observables', 'Evidence', 'Linked incidents', 'Lessons learned']) {
      expect(html).toContain(`<h2>${s}</h2>`);
    }
    expect(html).toContain('lure.example');
  });

  it('marks the report with the strictest label in it, and shows a restricted note only to those who may see it', async () => {
    const inc = await declare();
    await call(handler, 'POST', `/incidents/${inc.id}/notes`, { body: 'secret source', tlp: 'RED' });
    const holder = (await call(handler, 'GET', `/incidents/${inc.id}/export.html`)).body;
    expect(holder).toContain('secret source');
    expect(holder).toMatch(/<div class="bar top"><span class="tlp" style="color:#FF2B2B">TLP:RED<\/span>/);
    expect(holder).toContain('the incident itself is TLP:AMBER');
    const outsider = (await call(other, 'GET', `/incidents/${inc.id}/export.html`)).body;
    expect(outsider).not.toContain('secret source');
    expect(outsider).not.toContain('TLP:RED');
  });

  it('hides a RED incident from a handler who holds no role in it, in both formats', async () => {
    const inc = await declare({ tlp: 'RED' });
    for (const fmt of ['html', 'pdf']) {
      const denied = await call(other, 'GET', `/incidents/${inc.id}/export.${fmt}`);
      expect(denied.statusCode, fmt).toBe(404);
      expect(denied.headers['content-type']).toContain('application/problem+json');
      expect(denied.json().code).toBe('VIG_INCIDENT_NOT_FOUND');
      expect((await call(handler, 'GET', `/incidents/${inc.reference}/export.${fmt}`)).statusCode, fmt).toBe(200);
    }
  });

  it('exports a PDF with the TLP label in the header and footer and the page number on every page, in any script', async () => {
    const inc = await declare({ title: `Утечка ${XSS}`, tlp: 'GREEN', summary: `${GREEK}. ${CYRILLIC}.` });
    await t.services.incidentDetails.addNote(actor(handler), inc.id, { body: `${GREEK}\n${CYRILLIC}\n**Ελληνικά** и русский` });
    const filler = 'Log review continued on the next host; nothing new in the proxy logs. '.repeat(4);
    for (let n = 1; n <= 60; n++) await t.services.incidentDetails.addNote(actor(handler), inc.id, { body: `Entry ${n}: ${filler}` });

    const r = await call(viewer, 'GET', `/incidents/${inc.id}/export.pdf`);
    expect(r.statusCode, r.body.slice(0, 300)).toBe(200);
    expect(r.headers['content-type']).toBe('application/pdf');
    expect(r.headers['content-disposition']).toBe(`attachment; filename="${inc.reference}-report.pdf"`);
    expect(r.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');

    const pages = await pdfPages(r.rawPayload);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    pages.forEach((text, n) => {
      expect(text.match(/TLP:GREEN/g)?.length ?? 0, `page ${n + 1}`).toBeGreaterThanOrEqual(2);
      expect(text, `page ${n + 1}`).toContain(`page ${n + 1} of ${pages.length}`);
      expect(text, `page ${n + 1}`).toContain(inc.reference);
    });
    const all = pages.join('\n');
    for (const s of [GREEK, CYRILLIC, 'Ελληνικά', `Утечка ${XSS}`, 'Entry 60:']) expect(all.replace(/\s+/g, ' ')).toContain(s);
    for (const s of ['Summary', 'Classification and handling', 'Key times', 'Roles', 'Timeline', 'Tasks', 'Observables', 'Evidence', 'Linked incidents', 'Lessons learned']) {
      expect(all).toContain(s);
    }
  });

  it('leaves the JSON export where it was', async () => {
    const inc = await declare();
    const r = await call(viewer, 'GET', `/incidents/${inc.id}/export`);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ format: 'vigil.incident-export', formatVersion: 1, incident: { id: inc.id }, timeline: [{ kind: 'incident.declared' }] });
  });
});
