import type { NotificationEvent, Template } from './events.ts';
import { EVENT_SPECS } from './events.ts';

/**
 * Notification templates: `{{variable}}` placeholders in a subject and a plain-text body. Values
 * are made safe for plain text here; each channel escapes the rendered text for its own markup
 * when sending (see format.ts).
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

export const SUBJECT_MAX = 300;
export const BODY_MAX = 10_000;

/** Problems of a template for an event, as `errors[]` entries (empty when it is fine). */
export function templateIssues(event: NotificationEvent, t: Template, path = 'body'): { path: string; message: string }[] {
  const known = EVENT_SPECS[event].variables;
  const out: { path: string; message: string }[] = [];
  for (const field of ['subject', 'body'] as const) {
    for (const m of t[field].matchAll(PLACEHOLDER)) {
      if (!known.includes(m[1]!)) out.push({ path: `${path}.${field}`, message: `unknown variable {{${m[1]}}}; known: ${known.join(', ')}` });
    }
    if (t[field].replace(PLACEHOLDER, '').includes('{{')) out.push({ path: `${path}.${field}`, message: 'a "{{" is not closed as {{variable}}' });
  }
  if (/[\r\n]/.test(t.subject)) out.push({ path: `${path}.subject`, message: 'a subject is one line' });
  return out;
}

const oneLine = (v: string) => v.replace(/[\r\n\t\v\f\u0085\u2028\u2029]+/g, ' ').replace(CONTROL, '').replace(/ {2,}/g, ' ').trim();
const textSafe = (v: string) => v.replace(/\r\n?|[\v\f\u0085\u2028\u2029]/g, '\n').replace(CONTROL, '');
/** A value never brings placeholders of its own. */
const inert = (v: string) => v.replace(/\{\{/g, '{ {');

/** Renders a template with the values (unknown names render empty). */
export function render(t: Template, vars: Record<string, string>): Template {
  const fill = (text: string, safe: (v: string) => string) => text.replace(PLACEHOLDER, (_, n: string) => inert(safe(vars[n] ?? '')));
  const subject = oneLine(fill(t.subject, oneLine)).slice(0, 500) || '(no subject)';
  const body = fill(t.body.replace(/\r\n?/g, '\n'), textSafe).slice(0, 20_000);
  return { subject, body };
}
