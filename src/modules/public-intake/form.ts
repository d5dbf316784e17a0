import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Tlp } from '../../db/schema.ts';
import { VigilError, type FieldIssue } from '../../lib/errors.ts';
import { TLP_ORDER } from '../../lib/tlp.ts';
import { isTextIssue, Text } from '../../lib/schemas.ts';
import { boundaryOf, MultipartError, parseMultipart, type FilePart, type MultipartForm, type MultipartLimits } from './multipart.ts';

/**
 * The public web form's fields, as multipart/form-data: what each field may hold, the report a
 * submission becomes (title, readable body, deduplication fingerprint), and a reporter's update.
 * Pure functions: the route checks a submission with them before storing it, and the intake parser
 * reads the stored bytes with them again.
 */

export const TLPS = TLP_ORDER;
/** The hidden field only bots fill in. */
export const HONEYPOT_FIELD = 'homepage';
export const FILE_FIELD = 'attachment';
export const TITLE_MAX = 120;

export interface ReportForm {
  name: string;
  email: string;
  organisation: string;
  phone: string | null;
  what: string;
  when: Date | null;
  systems: string | null;
  tlp: Tlp;
  wantsUpdates: boolean;
  /** The hidden field was filled in: a bot. */
  honeypot: boolean;
  files: FilePart[];
}

export interface UpdateForm {
  message: string;
  files: FilePart[];
}

// Header injection: reporter fields may end up in e-mail headers (receipts, updates), so no line
// breaks at all, and no other control characters either.
const NO_BREAKS = (v: string) => !/[\r\n]/.test(v);
// eslint-disable-next-line no-control-regex
const NO_CONTROL = (v: string) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v);

const oneLine = (max: number) =>
  z
    .string()
    .refine(NO_BREAKS, 'must be a single line (no line breaks)')
    .refine(NO_CONTROL, 'must not contain control characters')
    .transform((v) => v.trim())
    .pipe(z.string().min(1, 'is required').max(max, `at most ${max} characters`));
const optionalLine = (max: number) =>
  z
    .string()
    .refine(NO_BREAKS, 'must be a single line (no line breaks)')
    .refine(NO_CONTROL, 'must not contain control characters')
    .transform((v) => v.trim())
    .pipe(z.string().max(max, `at most ${max} characters`))
    .optional()
    .transform((v) => v || null);
// Browsers send line breaks in form fields as CRLF; the report keeps plain LF (the raw item keeps CRLF).
// Free text follows the shared rule (no NUL, no unpaired surrogate: PostgreSQL cannot store them).
const text = (max: number) =>
  Text
    .transform((v) => v.replace(/\r\n?/g, '\n').trim())
    .pipe(z.string().max(max, `at most ${max} characters`));

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const ReportFields = z.object({
  name: oneLine(200),
  email: z
    .string()
    .refine(NO_BREAKS, 'must be a single line (no line breaks)')
    .transform((v) => v.trim())
    .pipe(z.email('must be an e-mail address').max(254)),
  organisation: oneLine(200),
  phone: optionalLine(60).refine((v) => v === null || /\d/.test(v), 'must contain a number'),
  what: text(50_000).pipe(z.string().min(1, 'tell us what happened')),
  when: z
    .string()
    .optional()
    .transform((v) => v?.trim() || undefined)
    .refine((v) => v === undefined || (ISO_WITH_OFFSET.test(v) && !Number.isNaN(Date.parse(v))), 'a date and time with its offset, e.g. 2026-05-01T09:30:00+02:00')
    .transform((v) => (v ? new Date(v) : null)),
  systems: text(5_000).optional().transform((v) => v || null),
  tlp: z
    .string()
    .optional()
    .transform((v) => v?.trim().toUpperCase() || 'AMBER')
    .pipe(z.enum(TLPS, `one of ${TLP_ORDER.join(', ')}`)),
  updates: z
    .string()
    .optional()
    .transform((v) => v?.trim().toLowerCase() ?? '')
    .refine((v) => ['', 'on', 'true', '1', 'yes', 'off', 'false', '0', 'no'].includes(v), 'on, true or 1 to be kept updated; empty, off, false or 0 not to')
    .transform((v) => ['on', 'true', '1', 'yes'].includes(v)),
  [HONEYPOT_FIELD]: z.string().optional(),
});

const UpdateFields = z.object({
  message: text(20_000).pipe(z.string().min(1, 'write what you want to add')),
});

/** Reads the multipart body; a malformed body or a part over its limit becomes the right 4xx. */
export function readMultipart(contentType: string | undefined, body: Buffer, limits: MultipartLimits): MultipartForm {
  try {
    return parseMultipart(body, boundaryOf(contentType), limits);
  } catch (e) {
    if (!(e instanceof MultipartError)) throw e;
    if (e.kind === 'too_large' && e.filename !== null) {
      throw new VigilError('VIG_WEBFORM_ATTACHMENT_TOO_LARGE', { filename: e.filename, maxBytes: limits.maxFileBytes });
    }
    if (e.kind === 'too_large') throw new VigilError('VIG_REQUEST_TOO_LARGE', { field: e.field, maxBytes: limits.maxFieldBytes });
    throw new VigilError('VIG_WEBFORM_MULTIPART_INVALID', { reason: e.message });
  }
}

/** The text fields as one object: each known field at most once, unknown fields refused. */
function fieldsOf(form: MultipartForm, known: readonly string[]): { values: Record<string, string>; issues: FieldIssue[] } {
  const values: Record<string, string> = {};
  const issues: FieldIssue[] = [];
  for (const f of form.fields) {
    if (!known.includes(f.name)) issues.push({ path: `body.${f.name}`, message: f.name === FILE_FIELD ? 'must be a file' : 'is not a field of this form' });
    else if (f.name in values) issues.push({ path: `body.${f.name}`, message: 'was sent more than once' });
    else values[f.name] = f.value;
  }
  for (const f of form.files) if (f.name !== FILE_FIELD) issues.push({ path: `body.${f.name}`, message: `files go in the "${FILE_FIELD}" field` });
  return { values, issues };
}

function validate<S extends z.ZodType>(schema: S, values: Record<string, string>, issues: FieldIssue[]): z.output<S> {
  const before = issues.length;
  const r = schema.safeParse(values);
  if (!r.success) for (const i of r.error.issues) issues.push({ path: ['body', ...i.path.map(String)].join('.'), message: i.message });
  if (issues.length > 0) {
    const textOnly = before === 0 && !r.success && r.error.issues.every(isTextIssue);
    throw new VigilError(textOnly ? 'VIG_REQUEST_TEXT_INVALID' : 'VIG_REQUEST_INVALID', { errors: issues });
  }
  return r.data as z.output<S>;
}

/** A web form submission, checked field by field (all problems at once). `now`: when it arrived. */
export function readReportForm(contentType: string | undefined, body: Buffer, limits: MultipartLimits, now: Date): ReportForm {
  const form = readMultipart(contentType, body, limits);
  const { values, issues } = fieldsOf(form, Object.keys(ReportFields.shape));
  const v = validate(ReportFields, values, issues);
  if (v.when && v.when.getTime() > now.getTime() + 86_400_000) {
    throw new VigilError('VIG_REQUEST_INVALID', { errors: [{ path: 'body.when', message: 'cannot be in the future' }] });
  }
  return {
    name: v.name, email: v.email, organisation: v.organisation, phone: v.phone, what: v.what, when: v.when, systems: v.systems,
    tlp: v.tlp, wantsUpdates: v.updates, honeypot: (v[HONEYPOT_FIELD] ?? '').trim() !== '', files: form.files,
  };
}

/** Information a reporter adds through the status link: a message and files. */
export function readUpdateForm(contentType: string | undefined, body: Buffer, limits: MultipartLimits): UpdateForm {
  const form = readMultipart(contentType, body, limits);
  const { values, issues } = fieldsOf(form, Object.keys(UpdateFields.shape));
  return { message: validate(UpdateFields, values, issues).message, files: form.files };
}

/** The report's title: the first non-empty line of "what happened", at most 120 characters. */
export function reportTitle(what: string): string {
  const line = what.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '') ?? '(no summary)';
  const chars = [...line];
  return chars.length <= TITLE_MAX ? line : `${chars.slice(0, TITLE_MAX - 1).join('').trimEnd()}…`;
}

const kib = (n: number) => (n < 1024 ? `${n} bytes` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`);

/** Every field as readable text, for the report's body. */
export function reportBody(f: ReportForm): string {
  const files = f.files.length ? f.files.map((x) => `${x.filename || '(no name)'} (${kib(x.content.length)})`).join(', ') : 'none';
  return [
    'Sent through the public web form.',
    '',
    `Name: ${f.name}`,
    `E-mail: ${f.email}`,
    `Organisation: ${f.organisation}`,
    `Phone: ${f.phone ?? '(not given)'}`,
    `When it happened: ${f.when ? f.when.toISOString() : '(not given)'}`,
    `TLP chosen by the reporter: ${f.tlp}`,
    `Keep me updated by e-mail: ${f.wantsUpdates ? 'yes' : 'no'}`,
    `Attachments: ${files}`,
    '',
    'Affected systems:',
    f.systems ?? '(not given)',
    '',
    'What happened:',
    f.what,
  ].join('\n');
}

/** Same sender, same text (whitespace aside): the same report sent again. */
export function reportFingerprint(f: Pick<ReportForm, 'email' | 'what'>): string {
  return createHash('sha256').update(`web_form\n${f.email.toLowerCase()}\n${f.what.replace(/\s+/g, ' ').trim()}`).digest('hex');
}
