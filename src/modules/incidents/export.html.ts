// The incident report as one standalone HTML document, for reading and printing. Every value is
// escaped; notes go through renderMarkdown (no raw HTML, safe links only, no images). The TLP label
// sits at the top and in a header and footer that repeat on every printed page.
import type { Tlp } from '../../db/schema.ts';
import { renderMarkdown } from '../../lib/markdown.ts';
import {
  describeEntry, entryBody, fmtDate, humanize, KEY_TIMES, namer, reportTlp, tlpLabel, TLP_COLOUR, type ReportEntry,
} from './export.document.ts';
import type { IncidentReport } from './export.service.ts';

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Text for an HTML text node or a quoted attribute. */
export const esc = (v: unknown): string => String(v ?? '').replace(/[&<>"']/g, (c) => ESC[c]!);

type Head = Omit<IncidentReport, 'timeline'>;

const tlpSpan = (tlp: Tlp) => `<span class="tlp" style="color:${TLP_COLOUR[tlp]}">${esc(tlpLabel(tlp))}</span>`;
const row = (k: string, v: string) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`;
const text = (v: string | null | undefined) => (v ? `<div class="text">${esc(v)}</div>` : '<p class="none">—</p>');
const table = (head: string[], rows: string[], empty: string) =>
  rows.length ? `<table class="grid"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>` : `<p class="none">${esc(empty)}</p>`;

function overview(r: Head): string {
  const i = r.incident;
  const kt = KEY_TIMES.map(([k, label]) => row(label, esc(fmtDate(i.keyTimes[k])))).join('');
  const roles = i.roles.map((x) => `<tr><td>${esc(humanize(x.role))}</td><td>${esc(x.displayName)} (${esc(x.username)})</td><td>${esc(fmtDate(x.assignedAt))}</td></tr>`);
  return `<section><h2>Summary</h2>${text(i.summary)}</section>
<section><h2>Classification and handling</h2><table class="kv">
${row('Classification', i.classifications.map((c) => `${esc(c.class)} / ${esc(c.type)}${c.primary ? ' (primary)' : ''}`).join('<br>') || '—')}
${row('Priority', `${esc(i.priority)} (impact ${esc(i.impact)}, urgency ${esc(i.urgency)})`)}
${row('Status', esc(humanize(i.status)) + (i.resolution ? `, ${esc(humanize(i.resolution).toLowerCase())}` : ''))}
${row('TLP', tlpSpan(i.tlp))}
${row('PAP', esc(`PAP:${i.pap}`))}
${row('Constituent', esc(i.constituent ?? '—'))}
${row('Exercise', i.exercise ? 'Yes: this is an exercise' : 'No')}
${row('Declared', esc(fmtDate(i.createdAt)))}
${row('Last change', esc(fmtDate(i.updatedAt)))}
${row('Closed', esc(fmtDate(i.closedAt)))}
</table></section>
<section><h2>Key times</h2><table class="kv">${kt}</table></section>
<section><h2>Roles</h2>${table(['Role', 'Who', 'Since'], roles, 'No role holders.')}</section>`;
}

function entryHtml(e: ReportEntry, names: (id: string) => string): string {
  const body = entryBody(e);
  return `<li class="entry"><div class="meta">${esc(fmtDate(e.at))}${e.occurredAt ? ` (happened ${esc(fmtDate(e.occurredAt))})` : ''}${e.tlp ? ` ${tlpSpan(e.tlp)}` : ''}</div>
<div><strong>${esc(e.actorName)}</strong> ${esc(describeEntry(e, names))}</div>${body !== null ? `<div class="note">${renderMarkdown(body)}</div>` : ''}</li>`;
}

function rest(r: Head): string {
  const name = namer(r);
  const tasks = r.tasks.map((t) => `<li class="task"><div><strong>${esc(t.title)}</strong> · ${esc(humanize(t.phase))} · ${esc(humanize(t.status))} · ${esc(name(t.assigneeId))}${t.dueAt ? ` · due ${esc(fmtDate(t.dueAt))}` : ''}</div>
${t.description ? `<div class="text">${esc(t.description)}</div>` : ''}${t.checklist.length ? `<ul class="checklist">${t.checklist.map((c) => `<li>${c.done ? '☑' : '☐'} ${esc(c.text)}</li>`).join('')}</ul>` : ''}</li>`);
  const obs = r.observables.map((o) => `<tr><td>${esc(o.type)}</td><td class="mono">${esc(o.value)}</td><td>${o.ioc ? 'IOC' : ''}</td><td>${tlpSpan(o.tlp)}</td><td>${esc(fmtDate(o.addedAt))}</td></tr>`);
  const ev = r.evidence.map((e) => `<tr><td>${esc(e.filename)}<br><span class="small">${esc(e.size)} bytes · ${tlpSpan(e.tlp)}</span>${e.description ? `<div class="text small">${esc(e.description)}</div>` : ''}</td>
<td class="mono small">MD5 ${esc(e.md5)}<br>SHA-1 ${esc(e.sha1)}<br>SHA-256 ${esc(e.sha256)}</td><td class="small">${esc(e.collectedBy)}<br>${esc(fmtDate(e.collectedAt))}<br>${esc(e.collectedFrom)}</td></tr>`);
  const links = r.links.map((l) => `<tr><td>${esc(humanize(l.kind))} (${esc(l.direction)})</td><td>${esc(l.incident.reference)}</td><td>${esc(l.incident.title)}</td><td>${esc(humanize(l.incident.status))}</td><td>${tlpSpan(l.incident.tlp)}</td></tr>`);
  const l = r.lessons;
  const lessons = l
    ? `<h3>What happened</h3>${text(l.whatHappened)}<h3>What went well</h3>${text(l.wentWell)}<h3>What to improve</h3>${text(l.toImprove)}
<h3>Follow-up actions</h3>${table(['Action', 'Owner', 'Due'], l.actions.map((a) => `<tr><td>${esc(a.action)}</td><td>${esc(name(a.ownerId))}</td><td>${esc(fmtDate(a.dueAt))}</td></tr>`), 'None.')}
<p class="small">Recorded ${esc(fmtDate(l.recordedAt))} by ${esc(name(l.recordedBy))}.</p>`
    : '<p class="none">No lessons-learned review recorded.</p>';
  return `<section><h2>Tasks</h2>${tasks.length ? `<ul class="tasks">${tasks.join('')}</ul>` : '<p class="none">No tasks.</p>'}</section>
<section><h2>Observables</h2>${table(['Type', 'Value', '', 'TLP', 'Added'], obs, 'No observables.')}</section>
<section><h2>Evidence</h2>${table(['File', 'Hashes', 'Collected by, at, from'], ev, 'No evidence.')}</section>
<section><h2>Linked incidents</h2>${table(['Link', 'Reference', 'Title', 'Status', 'TLP'], links, 'No linked incidents.')}</section>
<section><h2>Lessons learned</h2>${lessons}</section>`;
}

const CSS = `
@page { size: A4; margin: 12mm 14mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; font: 10.5pt/1.45 "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: #111; background: #fff; }
.tlp { display: inline-block; background: #000; font-weight: 700; padding: 1px 6px; border-radius: 2px; white-space: nowrap; }
.bar { position: fixed; left: 0; right: 0; height: 9mm; display: flex; align-items: center; justify-content: space-between; padding: 0 14mm; background: #fff; font-size: 9pt; z-index: 1; }
.bar.top { top: 0; border-bottom: 1px solid #bbb; }
.bar.bottom { bottom: 0; border-top: 1px solid #bbb; }
.frame { width: 100%; border-collapse: collapse; }
.frame > thead > tr > td > div, .frame > tfoot > tr > td > div { height: 11mm; }
.frame > tbody > tr > td { padding: 0 14mm; }
h1 { font-size: 17pt; margin: 4mm 0 1mm; }
h2 { font-size: 13pt; margin: 7mm 0 2mm; border-bottom: 1px solid #999; break-after: avoid; }
h3 { font-size: 11pt; margin: 4mm 0 1mm; break-after: avoid; }
.big { font-size: 15pt; }
.small { font-size: 8.5pt; color: #444; }
.none { color: #666; font-style: italic; }
.mono { font-family: "DejaVu Sans Mono", Consolas, monospace; }
.text { white-space: pre-wrap; }
.text, td, .note, .entry { overflow-wrap: anywhere; }
table.kv th { text-align: left; padding-right: 6mm; vertical-align: top; font-weight: 600; white-space: nowrap; }
table.grid { width: 100%; border-collapse: collapse; }
table.grid th, table.grid td { border: 1px solid #ccc; padding: 2px 5px; text-align: left; vertical-align: top; }
table.grid tr, .entry, .task { break-inside: avoid; }
ul.timeline, ul.tasks { list-style: none; padding: 0; margin: 0; }
.entry { border-left: 3px solid #ccc; padding: 1mm 0 1mm 3mm; margin-bottom: 2mm; }
.entry .meta { font-size: 8.5pt; color: #444; }
.note { background: #f4f4f4; padding: 1mm 3mm; margin-top: 1mm; }
.note pre { white-space: pre-wrap; }
.note p { margin: 1mm 0; }
.note table { border-collapse: collapse; }
.note th, .note td { border: 1px solid #ccc; padding: 1px 4px; }
.task { margin-bottom: 3mm; }
ul.checklist { list-style: none; padding-left: 4mm; margin: 1mm 0; }
`;

/**
 * Renders the report. The timeline is read once; the document is assembled at the end because
 * its label (on the first line) depends on everything in it, a RED note included.
 */
export async function renderIncidentHtml(r: IncidentReport): Promise<string> {
  const { timeline, ...head } = r;
  const entries: string[] = [];
  const tlps: Tlp[] = [];
  const names = namer(head);
  for await (const e of timeline()) {
    entries.push(entryHtml(e, names));
    if (e.tlp) tlps.push(e.tlp);
  }
  const tlp = reportTlp(head, tlps);
  const i = head.incident;
  const bar = (where: string) => `<div class="bar ${where}">${tlpSpan(tlp)}<span>${esc(i.reference)}</span>${tlpSpan(tlp)}</div>`;
  const stricter = tlp !== i.tlp
    ? `<p class="small">This report is marked ${esc(tlpLabel(tlp))} because it contains items so marked; the incident itself is ${esc(tlpLabel(i.tlp))}.</p>` : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">
<title>${esc(`${tlpLabel(tlp)} ${i.reference} ${i.title}`)}</title><style>${CSS}</style></head>
<body>${bar('top')}${bar('bottom')}
<table class="frame"><thead><tr><td><div></div></td></tr></thead><tfoot><tr><td><div></div></td></tr></tfoot><tbody><tr><td>
<header><p class="big">${tlpSpan(tlp)}</p>${stricter}
<h1>${esc(i.reference)}: ${esc(i.title)}</h1>
<p class="small">${i.exercise ? '<strong>EXERCISE</strong> · ' : ''}Incident report exported ${esc(fmtDate(head.exportedAt))} by ${esc(head.exportedBy)} from Vigil ${esc(head.vigilVersion)}.
It holds what ${esc(head.exportedBy)} may see of the incident.</p></header>
${overview(head)}
<section><h2>Timeline</h2>${entries.length ? `<ul class="timeline">${entries.join('\n')}</ul>` : '<p class="none">No entries.</p>'}</section>
${rest(head)}
</td></tr></tbody></table></body></html>
`;
}
