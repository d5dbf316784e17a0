import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { adminSession, apiOf, makeApp, testClock, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';

const IMG = '<img src=x onerror=alert(1)>';

async function pdfText(data: Buffer): Promise<string> {
  const task = getDocument({ data: new Uint8Array(data), useSystemFonts: false });
  const pdf = await task.promise;
  const pages: string[] = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const content = await (await pdf.getPage(n)).getTextContent();
    pages.push(content.items.map((i) => ('str' in i ? i.str : '')).join(' '));
  }
  await task.destroy();
  return pages.join('\n');
}

/**
 * 5 October 2026 (team zone UTC), made by hand:
 *   08:00  P1  TLP:GREEN  the hostile title                      notable at GREEN
 *   08:10  P1  TLP:AMBER  "Amber secret"                          counted, not named at GREEN
 *   08:20  P4  TLP:GREEN  "Small thing", constituent ACME         counted, never notable
 *   08:30  P2  TLP:RED    "Red matter"                            named at RED for admin only
 *   08:40  P1  exercise                                           left out everywhere
 * Activities: a GREEN constituency meeting (12 participants), an AMBER exercise.
 */
describe.each(stores())('KPI reports on %s', (store) => {
  let t: TestApp;
  let admin: Session;
  let handler: Session & { id: string; username: string };
  let viewer: Session & { id: string; username: string };
  const clock = testClock(new Date('2026-10-05T08:00:00Z'));
  const { call, declare } = apiOf(() => t, () => handler);
  const later = () => clock.advance(600_000);
  const get = async (who: Session, url: string) => {
    const r = await call(who, 'GET', url);
    expect(r.statusCode, r.body).toBe(200);
    return r;
  };

  beforeAll(async () => {
    t = await makeApp(store, {}, clock);
    admin = await adminSession(t);
    handler = await userWith(t, ['handler']);
    viewer = await userWith(t, ['viewer']);
    await declare({ title: `Phish ${IMG}`, impact: 'critical', urgency: 'critical', tlp: 'GREEN' });
    later();
    await declare({ title: 'Amber secret', impact: 'critical', urgency: 'critical', tlp: 'AMBER' });
    later();
    await declare({ title: 'Small thing', constituent: 'ACME', tlp: 'GREEN' });
    later();
    await declare({ title: 'Red matter', impact: 'high', urgency: 'high', tlp: 'RED' });
    later();
    await declare({ title: 'Drill', impact: 'critical', urgency: 'critical', exercise: true, tlp: 'GREEN' });
    for (const a of [
      { kind: 'constituency_meeting', title: 'Quarterly with ACME', startsAt: '2026-10-15T12:00:00Z', participants: 12, tlp: 'GREEN' },
      { kind: 'exercise', title: 'Secret tabletop', startsAt: '2026-10-16T12:00:00Z', tlp: 'AMBER' },
    ]) expect((await call(handler, 'POST', '/activities', a)).statusCode).toBe(201);
  });
  afterAll(() => t?.close());

  it('makes the monthly report as self-contained HTML with the figures, escaped text, charts and its TLP top and bottom', async () => {
    const r = await get(admin, '/kpi/reports/monthly?month=2026-10&format=html');
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-disposition']).toBe('inline; filename="vigil-kpi-report-2026-10.html"');
    expect(r.headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'unsafe-inline'/);
    const html = r.body;
    expect(html).toContain('<h1>CSIRT: Monthly KPI report, October 2026</h1>');
    // Hostile text is text; nothing loads or runs.
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/<script|<[^>]*\son\w+=|<link|src="http|href="http/i);
    expect(html).toContain(`<td>Phish &lt;img src=x onerror=alert(1)&gt;</td>`);
    // Notable incidents at GREEN: the GREEN P1 and nothing AMBER or RED, no exercise.
    expect(html).not.toContain('Amber secret');
    expect(html).not.toContain('Red matter');
    expect(html).not.toContain('Drill');
    // Figures: 4 counted (P1 ×2, P2, P4), the exercise left out.
    expect(html).toContain('<tr><td class="num">4</td><td class="num">4</td><td class="num">0</td><td class="num">0</td><td class="num">1</td><td class="num">0</td></tr>');
    expect(html).toContain('<tr><td class="num">2</td><td class="num">1</td><td class="num">0</td><td class="num">1</td></tr>');
    expect(html).toContain('<tr><td>fraud</td><td>phishing</td><td class="num">4</td></tr>');
    expect(html).toContain('<tr><td>ACME</td><td class="num">1</td></tr>');
    // The KPI table: value, target, met, the month before.
    expect(html).toContain('<tr><td>Meetings with the constituency</td><td class="num">1</td><td class="num">&gt;= 1</td><td class="num good">met</td><td class="num">0</td></tr>');
    expect(html).toContain('<th class="num">September 2026</th>');
    // Activities at GREEN: the meeting, not the AMBER exercise.
    expect(html).toContain('<td>Quarterly with ACME</td><td>—</td><td class="num">12</td>');
    expect(html).not.toContain('Secret tabletop');
    // Four charts, inline; the TLP label at the top and the bottom.
    expect(html.match(/<svg /g)).toHaveLength(4);
    expect(html).toContain('P1 target 5 %');
    expect(html).toMatch(/<header><p class="marking"><span class="tlp" style="color:#33FF00">TLP:GREEN<\/span><\/p>/);
    expect(html).toMatch(/<footer><p class="marking"><span class="tlp" style="color:#33FF00">TLP:GREEN<\/span><\/p><\/footer>/);
  });

  it('names in the annual report only the P1 and P2 incidents at or below its TLP that the caller may see', async () => {
    const green = (await get(admin, '/kpi/reports/annual?year=2026&tlp=GREEN')).body;
    expect(green).toContain('Annual report 2026');
    expect(green).toContain('Phish &lt;img src=x onerror=alert(1)&gt;');
    expect(green).not.toContain('Amber secret');
    expect(green).not.toContain('Small thing'); // P4: not notable
    expect(green).toContain('<h2>Month by month</h2>');
    expect(green).toContain('<tr><td>October 2026</td><td class="num">4</td><td class="num">2</td><td class="num">1</td><td class="num">0</td><td class="num">1</td>');
    expect(green.match(/TLP:GREEN/g)!.length).toBeGreaterThanOrEqual(3);

    const amber = (await get(admin, '/kpi/reports/annual?year=2026&tlp=AMBER')).body;
    expect(amber).toContain('<td>Amber secret</td>');
    expect(amber).toContain('Secret tabletop');
    expect(amber).not.toContain('Red matter');
    expect(amber).toMatch(/<header><p class="marking"><span class="tlp" style="color:#FFC000">TLP:AMBER<\/span>/);

    // At RED: the admin sees the RED P2; a viewer without a need to know does not.
    expect((await get(admin, '/kpi/reports/annual?year=2026&tlp=RED')).body).toContain('<td>Red matter</td>');
    const v = (await get(viewer, '/kpi/reports/annual?year=2026&tlp=RED')).body;
    expect(v).not.toContain('Red matter');
    expect(v).toContain('<td>Amber secret</td>');
    expect(v).toContain('Incident figures cover only the incidents');
  });

  it('makes the PDF with the KPI names and figures, as an attachment', async () => {
    const r = await get(admin, '/kpi/reports/monthly?month=2026-10&format=pdf');
    expect(r.headers['content-type']).toBe('application/pdf');
    expect(r.headers['content-disposition']).toBe('attachment; filename="vigil-kpi-report-2026-10.pdf"');
    const text = (await pdfText(r.rawPayload)).replace(/\s+/g, ' ');
    expect(text).toContain('CSIRT: Monthly KPI report, October 2026');
    expect(text).toContain('SLA breaches, critical incidents');
    expect(text).toMatch(/Meetings with the constituency 1 >= 1 met 0/);
    expect(text).toContain(`Phish ${IMG}`);
    expect(text).not.toContain('Amber secret');
    expect(text).toMatch(/Declared Open Closed Reopened Exercises \(left out\) Duplicates \(left out\) 4 4 0 0 1 0/);
    expect(text).toContain('page 1 of');
    // The charts are drawn as vectors, their text with them.
    expect(text).toContain('P1 target 5 %');
    expect(text).toContain('Incidents declared, last twelve months, by priority incidents');
    expect(text.match(/TLP:GREEN/g)!.length).toBeGreaterThanOrEqual(2);

    const annual = await get(admin, '/kpi/reports/annual?year=2026&tlp=AMBER&format=pdf');
    const at = await pdfText(annual.rawPayload);
    expect(at).toContain('Amber secret');
    expect(at).toContain('TLP:AMBER');
  });

  it('refuses bad input and callers without kpi.read', async () => {
    expect((await call(admin, 'GET', '/kpi/reports/monthly?month=2026-13')).statusCode).toBe(400);
    expect((await call(admin, 'GET', '/kpi/reports/annual?year=2026&tlp=PURPLE')).statusCode).toBe(400);
    expect((await call(admin, 'GET', '/kpi/reports/annual?year=2026&format=docx')).statusCode).toBe(400);
    const reporter = await userWith(t, ['reporter']);
    const denied = await call(reporter, 'GET', '/kpi/reports/monthly?month=2026-10&format=pdf');
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ code: 'VIG_AUTHZ_FORBIDDEN' });
  });
});
