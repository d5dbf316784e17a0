// The KPI report as a PDF (pdfkit, the DejaVu fonts of the incident reports, embedded as subsets),
// from the same blocks as the HTML report; the charts are the same SVGs, drawn as vectors by
// svg-to-pdfkit. Every page carries the TLP label in its header and footer and "page N of M"
// (pages are buffered, a report is a few pages, and stamped once the count is known).
import { createRequire } from 'node:module';
import type PDFKit from 'pdfkit';
import type { Tlp } from '../../db/schema.ts';
import { loadFonts, loadPdfkit, TLP_COLOUR, tlpLabel } from '../incidents/index.ts';
import { CHART } from './charts.ts';
import { cellText, layoutReport, type Block, type Cell } from './content.ts';
import type { ReportData } from './report.service.ts';

type Doc = InstanceType<typeof PDFKit>;
type SvgToPdf = (doc: Doc, svg: string, x: number, y: number, o: { width: number; height: number; fontCallback: (family: string, bold: boolean) => string }) => void;
const require = createRequire(import.meta.url);
let svgToPdf: SvgToPdf | undefined;
const loadSvgToPdf = () => (svgToPdf ??= require('svg-to-pdfkit') as SvgToPdf);

const MARGIN = { top: 64, bottom: 64, left: 50, right: 50 };
const GREY = '#555555';
const TONE = { good: '#2b8a3e', bad: '#c92a2a' } as const;

function writer(doc: Doc) {
  const width = doc.page.width - MARGIN.left - MARGIN.right;
  const bottom = () => doc.page.height - MARGIN.bottom;
  const room = (h: number) => {
    if (doc.y + h > bottom()) doc.addPage();
  };
  const text = (s: string, o: { font?: 'regular' | 'bold'; size?: number; colour?: string } = {}) =>
    doc.font(o.font ?? 'regular').fontSize(o.size ?? 10).fillColor(o.colour ?? '#000000').text(s, MARGIN.left, doc.y, { width });

  function table(b: Extract<Block, { kind: 'table' }>) {
    if (!b.rows.length) return void text(b.empty, { colour: GREY });
    const from = b.numeric ?? Infinity;
    // Column widths by the longest text in each, within bounds.
    const longest = b.head.map((h, i) => Math.min(40, Math.max(5, h.length, ...b.rows.map((r) => cellText(r[i] ?? '').length))));
    const total = longest.reduce((a, x) => a + x, 0);
    const widths = longest.map((n) => (n / total) * width);
    const size = 8.5;
    const row = (cells: Cell[], head: boolean) => {
      const font = head ? 'bold' : 'regular';
      doc.font(font).fontSize(size);
      const h = Math.max(...cells.map((c, i) => doc.heightOfString(cellText(c) || ' ', { width: widths[i]! - 6 }))) + 5;
      if (doc.y + h > bottom()) {
        doc.addPage();
        if (!head) row(b.head, true);
      }
      const y = doc.y;
      let x = MARGIN.left;
      if (head) doc.rect(MARGIN.left, y, width, h).fill('#f1f3f5');
      cells.forEach((c, i) => {
        const tone = typeof c === 'string' ? null : c.tone;
        doc.font(tone ? 'bold' : font).fontSize(size).fillColor(tone ? TONE[tone] : '#000000')
          .text(cellText(c), x + 3, y + 2.5, { width: widths[i]! - 6, align: i >= from ? 'right' : 'left' });
        doc.rect(x, y, widths[i]!, h).lineWidth(0.5).strokeColor('#cccccc').stroke();
        x += widths[i]!;
      });
      doc.x = MARGIN.left;
      doc.y = y + h;
    };
    row(b.head, true);
    for (const r of b.rows) row(r, false);
    doc.moveDown(0.6);
  }

  function chart(b: Extract<Block, { kind: 'chart' }>) {
    const h = (CHART.height * width) / CHART.width;
    room(h + 24);
    text(b.title, { font: 'bold', size: 10 });
    const y = doc.y + 2;
    loadSvgToPdf()(doc, b.svg, MARGIN.left, y, { width, height: h, fontCallback: (_family, bold) => (bold ? 'bold' : 'regular') });
    doc.x = MARGIN.left;
    doc.y = y + h + 8;
  }

  return (b: Block) => {
    switch (b.kind) {
      case 'h2': {
        room(70);
        doc.moveDown(0.6);
        text(b.text, { font: 'bold', size: 13 });
        const y = doc.y + 1;
        doc.moveTo(MARGIN.left, y).lineTo(MARGIN.left + width, y).lineWidth(0.5).strokeColor('#999999').stroke();
        doc.y = y + 5;
        return;
      }
      case 'h3':
        room(50);
        doc.moveDown(0.3);
        return void text(b.text, { font: 'bold', size: 10.5 });
      case 'p':
        return void text(b.text, { colour: b.muted ? GREY : '#000000' });
      case 'table':
        return table(b);
      case 'chart':
        return chart(b);
    }
  };
}

/** The TLP label (black box, the label's colour) with the title or the page number, top and bottom of a page. */
function stamp(doc: Doc, tlp: Tlp, title: string, page: string) {
  const label = tlpLabel(tlp);
  const bottom = doc.page.margins.bottom;
  doc.page.margins.bottom = 0; // writing in the margin must not start another page
  const band = (top: number, right: string) => {
    doc.font('bold').fontSize(10);
    const w = doc.widthOfString(label) + 12;
    doc.rect(MARGIN.left, top, w, 16).fill('#000000');
    doc.fillColor(TLP_COLOUR[tlp]).text(label, MARGIN.left + 6, top + 3, { lineBreak: false });
    doc.font('regular').fontSize(8.5).fillColor(GREY)
      .text(right, MARGIN.left + w + 10, top + 4, { width: doc.page.width - MARGIN.left - MARGIN.right - w - 10, align: 'right', lineBreak: false });
  };
  band(24, title);
  band(doc.page.height - 40, page);
  doc.page.margins.bottom = bottom;
}

/** Renders the report data as a PDF. */
export async function renderReportPdf(r: ReportData): Promise<Buffer> {
  const l = layoutReport(r);
  const PDFDocument = await loadPdfkit();
  const doc = new PDFDocument({
    size: 'A4', margins: MARGIN, bufferPages: true, autoFirstPage: false, lang: 'en', displayTitle: true,
    info: { Title: `${l.marking} ${l.title}`, Author: r.generatedBy, Creator: 'Vigil', CreationDate: r.generatedAt },
  });
  const f = loadFonts();
  doc.registerFont('regular', f.regular);
  doc.registerFont('bold', f.bold);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });

  doc.addPage();
  const put = writer(doc);
  doc.font('bold').fontSize(17).fillColor('#000000').text(l.title, MARGIN.left, MARGIN.top + 4);
  doc.font('regular').fontSize(9).fillColor(GREY).text(l.subtitle);
  for (const b of l.blocks) put(b);
  put({ kind: 'p', text: `End of report. ${l.marking}` });

  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    stamp(doc, r.tlp, l.title, `page ${i + 1} of ${range.count}`);
  }
  doc.flushPages();
  doc.end();
  await done;
  return Buffer.concat(chunks);
}
