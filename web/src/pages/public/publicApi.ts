// The public pages talk to /api/v1/public/* without a session: multipart/form-data out (the
// server keeps those bytes as they are), JSON in, problem+json turned into ApiError.
import { ApiError, toApiError } from '../../api/client';
import type { Tlp } from '../../api/incidents';
import type { Answer, ItemOf, Schema } from '../../api/schema';

export type FormLimits = Answer<'public.form'>;
/** 201 of POST /reports: the report was filed. */
export type ReportCreated = Schema<'PublicReportCreated'>;
/** 202 of a public POST: the bytes are kept but not filed yet. */
export type Receipt = Schema<'PublicReceipt'>;
export type ReporterStatus = Answer<'public.status'>;
export type PublicFile = ItemOf<ReporterStatus['attachments']>;

export const TLP_CHOICES: { value: Tlp; label: string; description: string }[] = [
  { value: 'CLEAR', label: 'TLP:CLEAR — no limits', description: 'The team may share it with anyone, even publicly.' },
  { value: 'GREEN', label: 'TLP:GREEN — security community', description: 'The team may share it with other security teams and partners, but not publicly.' },
  { value: 'AMBER', label: 'TLP:AMBER — need to know', description: 'The team may share it only with those who need it to act, such as the organisations it serves that are affected.' },
  { value: 'AMBER+STRICT', label: 'TLP:AMBER+STRICT — our team only', description: 'It stays within the team, on a need-to-know basis; no other organisation sees it.' },
  { value: 'RED', label: 'TLP:RED — named people only', description: 'Only the people who handle your report may see it; it is not passed on.' },
];


async function call<T>(method: 'GET' | 'POST', path: string, body?: FormData): Promise<{ status: number; data: T }> {
  let res: Response;
  try {
    res = await fetch(`/api/v1/public${path}`, { method, headers: { accept: 'application/json, application/problem+json' }, credentials: 'omit', body: body ?? null });
  } catch {
    throw new ApiError({ status: 0, code: 'NETWORK', title: 'The server cannot be reached. Check your connection and try again.' });
  }
  if (!res.ok) throw await toApiError(res);
  return { status: res.status, data: (await res.json()) as T };
}

export const publicApi = {
  limits: async () => (await call<FormLimits>('GET', '/form')).data,
  /** 201: the report's reference and status link; 202: kept, but not filed yet (a receipt). */
  report: async (form: FormData) => {
    const r = await call<ReportCreated | Receipt>('POST', '/reports', form);
    return r.status === 202 ? { queued: r.data as Receipt } : { created: r.data as ReportCreated };
  },
  status: async (token: string) => (await call<ReporterStatus>('GET', `/status/${encodeURIComponent(token)}`)).data,
  /** 201: added to the report; 202: kept, but not added yet (a receipt). */
  addInformation: async (token: string, form: FormData) => (await call<Answer<'public.add_information'> | Receipt>('POST', `/status/${encodeURIComponent(token)}/messages`, form)).data,
};

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

/** Files over the limits, said in words, before anything is sent. */
export function fileProblem(files: File[], limits: FormLimits | undefined): string | null {
  if (!limits) return null;
  if (files.length > limits.maxFiles) return `At most ${limits.maxFiles} files.`;
  const big = files.find((f) => f.size > limits.attachmentMaxBytes);
  if (big) return `"${big.name}" is larger than ${formatBytes(limits.attachmentMaxBytes)}. Leave it out or compress it; you can send it later.`;
  const total = files.reduce((n, f) => n + f.size, 0);
  if (total > limits.bodyMaxBytes - 256 * 1024) return `Together the files are larger than ${formatBytes(limits.bodyMaxBytes - 256 * 1024)}. Send some of them later through your status link.`;
  return null;
}
