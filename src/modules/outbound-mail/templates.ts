import type { MailKind } from '../../db/schema.ts';

/**
 * Mail templates: a subject and a plain-text body with `{{variable}}` placeholders, rendered by a
 * tiny replacer of our own (no logic, no HTML). A body line whose placeholders all come out empty
 * is left out, so "Follow your report: {{statusUrl}}" disappears when there is no status link.
 */
export const VARIABLES = ['reference', 'title', 'teamName', 'statusUrl', 'publicStatus', 'incidentReference'] as const;
export type Variable = (typeof VARIABLES)[number];
export type Vars = Record<Variable, string>;

export interface Template {
  subject: string;
  body: string;
}

export const SUBJECT_MAX = 300;
export const BODY_MAX = 20_000;
/** The longest subject a rendered message may have (values included); longer ones are cut. */
const RENDERED_SUBJECT_MAX = 500;

export const DEFAULT_TEMPLATES: Record<MailKind, Template> = {
  receipt: {
    subject: '[{{reference}}] We received your report: {{title}}',
    body: [
      'Hello,',
      '',
      '{{teamName}} has received your report "{{title}}" and registered it under the reference {{reference}}.',
      '',
      'To add information, reply to this message and keep {{reference}} in the subject.',
      'Follow your report: {{statusUrl}}',
      '',
      'This message was sent automatically.',
      '',
      '-- ',
      '{{teamName}}',
    ].join('\n'),
  },
  update: {
    subject: '[{{reference}}] Your report is now {{publicStatus}}',
    body: [
      'Hello,',
      '',
      'Your report "{{title}}" ({{reference}}) is now {{publicStatus}}.',
      'Incident reference: {{incidentReference}}',
      'Follow your report: {{statusUrl}}',
      '',
      'You receive this message because you asked to be told when the status of your report changes.',
      'To add information, reply to this message and keep {{reference}} in the subject.',
      '',
      '-- ',
      '{{teamName}}',
    ].join('\n'),
  },
};

/** What a reporter is told about its report, in plain words (the reporters' view of reports). */
export const PUBLIC_STATUS_TEXT: Record<string, string> = {
  received: 'received',
  in_progress: 'being handled',
  closed: 'closed',
  not_pursued: 'not pursued',
};

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
/** The placeholder kept in a stored body for a value filled in only when sending (the status link). */
export const STATUS_URL_SLOT = '{{statusUrl}}';

const isVariable = (name: string): name is Variable => (VARIABLES as readonly string[]).includes(name);

/** Problems of a template, as `errors[]` entries under `path` (empty when it is fine). */
export function templateIssues(t: Template, path: string): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  for (const field of ['subject', 'body'] as const) {
    const text = t[field];
    for (const m of text.matchAll(PLACEHOLDER)) {
      if (!isVariable(m[1]!)) out.push({ path: `${path}.${field}`, message: `unknown variable {{${m[1]}}}; known: ${VARIABLES.join(', ')}` });
    }
    if (text.replace(PLACEHOLDER, '').includes('{{')) out.push({ path: `${path}.${field}`, message: 'a "{{" is not closed as {{variable}}' });
  }
  if (/[\r\n]/.test(t.subject)) out.push({ path: `${path}.subject`, message: 'a subject is one line' });
  return out;
}

/** C0/C1 control characters other than tab and line feed, and the Unicode line separators. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * A value as it may appear in a header: one line (CR, LF and other breaks become spaces), no
 * control characters. nodemailer encodes the header too; this makes injection impossible even
 * before that.
 */
export function headerSafe(v: string): string {
  return v.replace(/[\r\n\t\v\f\u0085\u2028\u2029]+/g, ' ').replace(CONTROL, '').replace(/ {2,}/g, ' ').trim();
}

/** A value as it may appear in the text body: line breaks normalised, no control characters. */
function bodySafe(v: string): string {
  return v.replace(/\r\n?|[\v\f\u0085\u2028\u2029]/g, '\n').replace(CONTROL, '');
}

/** Values never bring placeholders of their own: "{{" in a title stays text, not a slot. */
const inert = (v: string) => v.replace(/\{\{/g, '{ {');

/**
 * Renders a template. Variables named in `keep` stay as their canonical `{{name}}` placeholder
 * (filled in later, when sending) and count as not empty.
 */
export function render(t: Template, vars: Vars, keep: readonly Variable[] = []): Template {
  const value = (name: string, safe: (v: string) => string) => {
    if (!isVariable(name)) return '';
    if (keep.includes(name)) return `{{${name}}}`;
    return inert(safe(vars[name] ?? ''));
  };
  const subject = headerSafe(t.subject.replace(PLACEHOLDER, (_, n: string) => value(n, headerSafe))).slice(0, RENDERED_SUBJECT_MAX);
  const lines: string[] = [];
  for (const line of t.body.replace(/\r\n?/g, '\n').split('\n')) {
    const names = [...line.matchAll(PLACEHOLDER)].map((m) => m[1]!);
    const rendered = names.map((n) => value(n, bodySafe));
    if (names.length > 0 && rendered.every((r) => r.trim() === '')) continue;
    lines.push(line.replace(PLACEHOLDER, (_, n: string) => value(n, bodySafe)));
  }
  return { subject: subject || '(no subject)', body: lines.join('\n') };
}

/** Fills the kept status link slot of a stored message when it is sent. */
export function fillStatusUrl(text: string, statusUrl: string | null): string {
  return text.split(STATUS_URL_SLOT).join(statusUrl ?? '');
}
