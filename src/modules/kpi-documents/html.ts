// The KPI report as one self-contained HTML document: inline CSS, the charts as inline SVG (drawn
// by ECharts, which escapes its text), nothing fetched. Every text is escaped. The TLP label sits
// at the top and the bottom, and in a header and footer that repeat on every printed page.
import type { Tlp } from '../../db/schema.ts';
import { esc, TLP_COLOUR, tlpLabel } from '../incidents/index.ts';
import { cellText, layoutReport, type Block, type Cell } from './content.ts';
import type { ReportData } from './report.service.ts';

const tlpSpan = (tlp: Tlp) => `<span class="tlp" style="color:${TLP_COLOUR[tlp]}">${esc(tlpLabel(tlp))}</span>`;

function cell(c: Cell, numeric: boolean): string {
  const cls = [numeric ? 'num' : '', typeof c !== 'string' && c.tone ? c.tone : ''].filter(Boolean).join(' ');
  return `<td${cls ? ` class="${cls}"` : ''}>${esc(cellText(c))}</td>`;
}

function block(b: Block): string {
  switch (b.kind) {
    case 'h2': return `<h2>${esc(b.text)}</h2>`;
    case 'h3': return `<h3>${esc(b.text)}</h3>`;
    case 'p': return `<p${b.muted ? ' class="none"' : ''}>${esc(b.text)}</p>`;
    case 'chart': return `<figure class="chart"><figcaption>${esc(b.title)}</figcaption>${b.svg}</figure>`;
    case 'table': {
      if (!b.rows.length) return `<p class="none">${esc(b.empty)}</p>`;
      const from = b.numeric ?? Infinity;
      return `<table class="grid"><thead><tr>${b.head.map((h, i) => `<th${i >= from ? ' class="num"' : ''}>${esc(h)}</th>`).join('')}</tr></thead>
<tbody>${b.rows.map((r) => `<tr>${r.map((c, i) => cell(c, i >= from)).join('')}</tr>`).join('\n')}</tbody></table>`;
    }
  }
}

const CSS = `
@page { size: A4; margin: 12mm 14mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 190mm; padding: 0 4mm; font: 10.5pt/1.45 "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: #111; background: #fff; }
.tlp { display: inline-block; background: #000; font-weight: 700; padding: 1px 6px; border-radius: 2px; white-space: nowrap; }
.marking { margin: 3mm 0; font-size: 12pt; }
h1 { font-size: 17pt; margin: 2mm 0 1mm; }
h2 { font-size: 13pt; margin: 7mm 0 2mm; border-bottom: 1px solid #999; break-after: avoid; }
h3 { font-size: 11pt; margin: 4mm 0 1mm; break-after: avoid; }
.small { font-size: 8.5pt; color: #444; }
.none { color: #666; font-style: italic; }
table.grid { width: 100%; border-collapse: collapse; margin: 1mm 0 3mm; }
table.grid th, table.grid td { border: 1px solid #ccc; padding: 2px 5px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
table.grid th { background: #f1f3f5; }
table.grid tr { break-inside: avoid; }
.num { text-align: right !important; font-variant-numeric: tabular-nums; }
.good { color: #2b8a3e; font-weight: 600; }
.bad { color: #c92a2a; font-weight: 600; }
figure.chart { margin: 3mm 0; break-inside: avoid; }
figure.chart figcaption { font-weight: 600; margin-bottom: 1mm; }
figure.chart svg { max-width: 100%; height: auto; }
`;

/** Renders the report data as an HTML document. */
export function renderReportHtml(r: ReportData): string {
  const l = layoutReport(r);
  const marking = `<p class="marking">${tlpSpan(r.tlp)}</p>`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">
<title>${esc(`${l.marking} ${l.title}`)}</title><style>${CSS}</style></head>
<body><header>${marking}
<h1>${esc(l.title)}</h1>
<p class="small">${esc(l.subtitle)}</p></header>
<main>
${l.blocks.map(block).join('\n')}
</main>
<footer>${marking}</footer>
</body></html>
`;
}
