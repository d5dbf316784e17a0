// The incident report as a PDF (pdfkit), with the same sections as the HTML report. DejaVu fonts
// are embedded (subset) so any Latin, Greek or Cyrillic text prints; notes are printed as their
// Markdown source. Every page carries the TLP label in its header and footer and "page N of M".
// It is laid out twice: once to count the pages and find the strictest label (nothing kept), then
// for real, with header and footer drawn as each page starts and pages written out as they end,
// so memory stays small however long the timeline is.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type PDFKit from 'pdfkit';
import type { Tlp } from '../../db/schema.ts';
import {
  describeEntry, entryBody, fmtDate, humanize, KEY_TIMES, namer, reportTlp, tlpLabel, TLP_COLOUR, type ReportEntry,
} from './export.document.ts';
import type { IncidentReport } from './export.service.ts';

// Resolved through the package, so the fonts are found whatever the working directory; read once.
const require = createRequire(import.meta.url);
const FONT_FILES = {
  regular: 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf',
  bold: 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf',
  mono: 'dejavu-fonts-ttf/ttf/DejaVuSansMono.ttf',
} as const;
let fonts: Record<keyof typeof FONT_FILES, Buffer> | undefined;
/** The DejaVu fonts (regular, bold, mono), read once; the KPI reports use them too. */
export const loadFonts = () =>
  (fonts ??= {
    regular: readFileSync(require.resolve(FONT_FILES.regular)),
    bold: readFileSync(require.resolve(FONT_FILES.bold)),
    mono: readFileSync(require.resolve(FONT_FILES.mono)),
  });

type Doc = InstanceType<typeof PDFKit>;

/** pdfkit (with fontkit) is loaded on the first PDF export, not at start-up: it costs ~50 MB and a noticeable start. */
let pdfkit: typeof PDFKit | undefined;
export const loadPdfkit = async () => (pdfkit ??= (await import('pdfkit')).default);
type Head = Omit<IncidentReport, 'timeline'>;

const MARGIN = { top: 64, bottom: 64, left: 50, right: 50 };
const GREY = '#555555';

type FontName = 'regular' | 'bold' | 'mono';

/**
 * Small writing helpers bound to one document. They remember the text style in use, so the
 * header and footer drawn when text runs onto a new page can put it back.
 */
function writer(doc: Doc) {
  let cur: { font: FontName; size: number; colour: string } = { font: 'regular', size: 10, colour: '#000000' };
  const style = (font: FontName, size: number, colour = '#000000') => {
    cur = { font, size, colour };
    return doc.font(font).fontSize(size).fillColor(colour);
  };
  const width = () => doc.page.width - MARGIN.left - MARGIN.right;
  const room = (h: number) => {
    if (doc.y + h > doc.page.height - MARGIN.bottom) doc.addPage();
  };
  return {
    restore: () => void doc.font(cur.font).fontSize(cur.size).fillColor(cur.colour),
    style,
    heading(title: string) {
      room(60);
      doc.moveDown(0.8);
      style('bold', 13).text(title, MARGIN.left, doc.y, { width: width() });
      const y = doc.y + 2;
      doc.moveTo(MARGIN.left, y).lineTo(MARGIN.left + width(), y).lineWidth(0.5).strokeColor('#999999').stroke();
      style('regular', 10);
      doc.moveDown(0.4);
    },
    sub(title: string) {
      room(40);
      doc.moveDown(0.4);
      style('bold', 10.5).text(title, MARGIN.left, doc.y, { width: width() });
    },
    /** "Label: value" on one or more lines. */
    kv(label: string, value: string) {
      style('bold', 10).text(`${label}: `, MARGIN.left, doc.y, { continued: true, width: width() });
      style('regular', 10).text(value || '—');
    },
    para(s: string, o: { size?: number; colour?: string; font?: FontName; indent?: number } = {}) {
      const indent = o.indent ?? 0;
      style(o.font ?? 'regular', o.size ?? 10, o.colour).text(s || '—', MARGIN.left + indent, doc.y, { width: width() - indent });
    },
    none(s: string) {
      style('regular', 10, GREY).text(s, MARGIN.left, doc.y, { width: width() });
    },
    gap: (n = 0.4) => void doc.moveDown(n),
    room,
  };
}
type W = ReturnType<typeof writer>;

function overview(w: W, r: Head) {
  const i = r.incident;
  w.heading('Summary');
  w.para(i.summary || '—');
  w.heading('Classification and handling');
  w.kv('Classification', i.classifications.map((c) => `${c.class} / ${c.type}${c.primary ? ' (primary)' : ''}`).join('; '));
  w.kv('Priority', `${i.priority} (impact ${i.impact}, urgency ${i.urgency})`);
  w.kv('Status', humanize(i.status) + (i.resolution ? `, ${humanize(i.resolution).toLowerCase()}` : ''));
  w.kv('TLP', tlpLabel(i.tlp));
  w.kv('PAP', `PAP:${i.pap}`);
  w.kv('Constituent', i.constituent ?? '—');
  w.kv('Exercise', i.exercise ? 'Yes: this is an exercise' : 'No');
  w.kv('Declared', fmtDate(i.createdAt));
  w.kv('Last change', fmtDate(i.updatedAt));
  w.kv('Closed', fmtDate(i.closedAt));
  w.heading('Key times');
  for (const [k, label] of KEY_TIMES) w.kv(label, fmtDate(i.keyTimes[k]));
  w.heading('Roles');
  if (!i.roles.length) w.none('No role holders.');
  for (const x of i.roles) w.kv(humanize(x.role), `${x.displayName} (${x.username}), since ${fmtDate(x.assignedAt)}`);
}

function entry(w: W, e: ReportEntry, names: (id: string) => string) {
  w.room(36);
  w.gap(0.3);
  w.para(`${fmtDate(e.at)}${e.occurredAt ? ` (happened ${fmtDate(e.occurredAt)})` : ''}${e.tlp ? `  ${tlpLabel(e.tlp)}` : ''}`, { size: 8.5, colour: GREY });
  w.para(`${e.actorName} ${describeEntry(e, names)}`);
  const body = entryBody(e);
  if (body !== null) w.para(body, { size: 9.5, colour: '#222222', indent: 12 });
}

function rest(w: W, r: Head) {
  const name = namer(r);
  w.heading('Tasks');
  if (!r.tasks.length) w.none('No tasks.');
  for (const t of r.tasks) {
    w.room(40);
    w.gap(0.3);
    w.para(t.title, { font: 'bold' });
    w.para(`${humanize(t.phase)} · ${humanize(t.status)} · ${name(t.assigneeId)}${t.dueAt ? ` · due ${fmtDate(t.dueAt)}` : ''}`, { size: 9, colour: GREY });
    if (t.description) w.para(t.description, { size: 9.5 });
    for (const c of t.checklist) w.para(`${c.done ? '☑' : '☐'} ${c.text}`, { size: 9.5, indent: 10 });
  }
  w.heading('Observables');
  if (!r.observables.length) w.none('No observables.');
  for (const o of r.observables) w.para(`${o.type}  ${o.value}${o.ioc ? '  IOC' : ''}  ${tlpLabel(o.tlp)}  added ${fmtDate(o.addedAt)}`, { size: 9.5 });
  w.heading('Evidence');
  if (!r.evidence.length) w.none('No evidence.');
  for (const e of r.evidence) {
    w.room(70);
    w.gap(0.3);
    w.para(`${e.filename} (${e.size} bytes, ${tlpLabel(e.tlp)})`, { font: 'bold' });
    if (e.description) w.para(e.description, { size: 9.5 });
    w.para(`Collected by ${e.collectedBy}, ${fmtDate(e.collectedAt)}, from ${e.collectedFrom}`, { size: 9, colour: GREY });
    w.para(`MD5     ${e.md5}\nSHA-1   ${e.sha1}\nSHA-256 ${e.sha256}`, { size: 8.5, font: 'mono' });
  }
  w.heading('Linked incidents');
  if (!r.links.length) w.none('No linked incidents.');
  for (const l of r.links) w.para(`${humanize(l.kind)} (${l.direction}): ${l.incident.reference} ${l.incident.title} · ${humanize(l.incident.status)} · ${tlpLabel(l.incident.tlp)}`, { size: 9.5 });
  w.heading('Lessons learned');
  const l = r.lessons;
  if (!l) return w.none('No lessons-learned review recorded.');
  w.sub('What happened');
  w.para(l.whatHappened);
  w.sub('What went well');
  w.para(l.wentWell);
  w.sub('What to improve');
  w.para(l.toImprove);
  w.sub('Follow-up actions');
  if (!l.actions.length) w.none('None.');
  for (const a of l.actions) w.para(`• ${a.action} (owner ${name(a.ownerId)}${a.dueAt ? `, due ${fmtDate(a.dueAt)}` : ''})`, { size: 9.5, indent: 6 });
  w.para(`Recorded ${fmtDate(l.recordedAt)} by ${name(l.recordedBy)}.`, { size: 9, colour: GREY });
}

/** The TLP label (black box, the label's colour) and the reference, or the page number, top and bottom. */
function stamp(doc: Doc, tlp: Tlp, reference: string, page: string) {
  const label = tlpLabel(tlp);
  const { x, y } = doc;
  const bottom = doc.page.margins.bottom;
  doc.page.margins.bottom = 0; // writing in the margin must not start another page
  const band = (top: number, right: string) => {
    doc.font('bold').fontSize(10);
    const w = doc.widthOfString(label) + 12;
    doc.rect(MARGIN.left, top, w, 16).fill('#000000');
    doc.fillColor(TLP_COLOUR[tlp]).text(label, MARGIN.left + 6, top + 3, { lineBreak: false });
    doc.font('regular').fontSize(8.5).fillColor(GREY)
      .text(right, MARGIN.left, top + 4, { width: doc.page.width - MARGIN.left - MARGIN.right, align: 'right', lineBreak: false });
  };
  band(24, reference);
  band(doc.page.height - 40, page);
  doc.page.margins.bottom = bottom;
  doc.x = x;
  doc.y = y;
}

interface Pass {
  /** Known after the first pass: the label and the page count to print. */
  tlp: Tlp | null;
  pages: number;
  /** The last timeline entry the first pass saw: the second stops there, so both lay out the same. */
  lastId: number | null;
}

/** Lays the report out on doc; returns what it found (pages, strictest label, last entry). */
async function layout(doc: Doc, head: Omit<IncidentReport, 'timeline'>, entries: AsyncIterable<ReportEntry>, known: Pass | null): Promise<Pass> {
  const i = head.incident;
  const w = writer(doc);
  let pages = 0;
  doc.on('pageAdded', () => {
    pages++;
    stamp(doc, known?.tlp ?? i.tlp, i.reference, `page ${pages} of ${Math.max(known?.pages ?? 0, pages)}`);
    w.restore();
  });
  doc.addPage();

  w.style('bold', 17).text(`${i.reference}: ${i.title}`, MARGIN.left, MARGIN.top + 4);
  w.para(`${i.exercise ? 'EXERCISE · ' : ''}Incident report exported ${fmtDate(head.exportedAt)} by ${head.exportedBy} from Vigil ${head.vigilVersion}. It holds what ${head.exportedBy} may see of the incident.`, { size: 9, colour: GREY });
  const notice = doc.y; // room for one line saying why the label is stricter than the incident's
  if (known?.tlp && known.tlp !== i.tlp) {
    doc.y = notice + 4;
    w.para(`This report is marked ${tlpLabel(known.tlp)} because it contains items so marked; the incident itself is ${tlpLabel(i.tlp)}.`, { size: 9 });
  }
  doc.y = notice + 26;
  overview(w, head);
  w.heading('Timeline');
  const tlps: Tlp[] = [];
  const names = namer(head);
  let lastId: number | null = null;
  for await (const e of entries) {
    if (known && (known.lastId === null || e.id > known.lastId)) break;
    lastId = e.id;
    entry(w, e, names);
    if (e.tlp) tlps.push(e.tlp);
  }
  if (lastId === null) w.none('No entries.');
  rest(w, head);
  return { tlp: reportTlp(head, tlps), pages, lastId };
}

function newDoc(PDFDocument: typeof PDFKit, head: Omit<IncidentReport, 'timeline'>, counting: boolean): Doc {
  const i = head.incident;
  const doc = new PDFDocument({
    size: 'A4', margins: MARGIN, bufferPages: false, autoFirstPage: false, compress: !counting, lang: 'en', displayTitle: true,
    info: { Title: `${i.reference}: ${i.title}`, Author: head.exportedBy, Creator: `Vigil ${head.vigilVersion}`, CreationDate: head.exportedAt },
  });
  const f = loadFonts();
  doc.registerFont('regular', f.regular);
  doc.registerFont('bold', f.bold);
  doc.registerFont('mono', f.mono);
  return doc;
}

/** Renders the report to a PDF; the timeline is read twice, a page of entries at a time. */
export async function renderIncidentPdf(r: IncidentReport): Promise<Buffer> {
  const { timeline, ...head } = r;
  const PDFDocument = await loadPdfkit();
  const counter = newDoc(PDFDocument, head, true);
  counter.on('data', () => undefined); // the first pass only counts: its output is dropped as it comes
  const found = await layout(counter, head, timeline(), null);

  const doc = newDoc(PDFDocument, head, false);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  await layout(doc, head, timeline(), found);
  doc.end();
  await done;
  return Buffer.concat(chunks);
}
