// The one place the web app talks HTTP to the server: JSON in and out, the session cookie
// (same-origin), the CSRF header on writes, and problem+json turned into ApiError.

export interface FieldError {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly errors?: FieldError[];
  readonly retryAfter?: number;
  /** The whole problem+json body, for codes that carry more (e.g. `current` on a version conflict). */
  readonly problem: Record<string, unknown>;

  constructor(init: { status: number; code: string; title: string; errors?: FieldError[]; retryAfter?: number; problem?: Record<string, unknown> }) {
    super(init.title);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    if (init.errors) this.errors = init.errors;
    if (init.retryAfter !== undefined) this.retryAfter = init.retryAfter;
    this.problem = init.problem ?? {};
  }
}

let csrfToken: string | null = null;
let unauthorizedHandler: (() => void) | null = null;
let gateHandler: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when the server says the session is gone (401 outside the login calls). */
export function onUnauthorized(handler: (() => void) | null): void {
  unauthorizedHandler = handler;
}

/** Called when the server says a password change or MFA enrolment must happen first. */
export function onGateRequired(handler: (() => void) | null): void {
  gateHandler = handler;
}

// 401s that mean "wrong secret typed", not "you are logged out".
const CREDENTIAL_CODES = new Set(['VIG_AUTH_INVALID_CREDENTIALS', 'VIG_AUTH_MFA_INVALID']);
const GATE_CODES = new Set(['VIG_AUTH_PASSWORD_CHANGE_REQUIRED', 'VIG_AUTH_MFA_ENROLMENT_REQUIRED']);

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RequestOptions {
  /** Do not treat a 401 as "logged out" (the login calls and the session probe). */
  quiet401?: boolean;
}

export async function request<T>(method: Method, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  // A file goes as the raw request body (feed reports); anything else as JSON.
  const raw = typeof Blob !== 'undefined' && body instanceof Blob;
  if (body !== undefined) headers['content-type'] = raw ? 'application/octet-stream' : 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;

  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? null : raw ? (body as Blob) : JSON.stringify(body),
    });
  } catch {
    throw new ApiError({ status: 0, code: 'NETWORK', title: 'The server cannot be reached. Check your connection.' });
  }

  if (!res.ok) {
    const error = await toApiError(res);
    if (error.status === 401 && !opts.quiet401 && !CREDENTIAL_CODES.has(error.code)) unauthorizedHandler?.();
    if (error.status === 403 && GATE_CODES.has(error.code)) gateHandler?.();
    throw error;
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** The problem+json of a failed response as an ApiError (for callers that fetch bytes or forms themselves). */
export async function toApiError(res: Response): Promise<ApiError> {
  let problem: Record<string, unknown> = {};
  try {
    const parsed: unknown = await res.json();
    if (parsed && typeof parsed === 'object') problem = parsed as Record<string, unknown>;
  } catch {
    // not JSON: keep the HTTP status text
  }
  const header = Number(res.headers.get('retry-after'));
  const bodyRetry = typeof problem.retryAfter === 'number' ? problem.retryAfter : undefined;
  const retryAfter = Number.isFinite(header) && header > 0 ? header : bodyRetry;
  const errors = Array.isArray(problem.errors) ? (problem.errors as FieldError[]) : undefined;
  return new ApiError({
    status: res.status,
    code: typeof problem.code === 'string' ? problem.code : `HTTP_${res.status}`,
    title: typeof problem.title === 'string' ? problem.title : res.statusText || `Request failed (${res.status})`,
    ...(errors ? { errors } : {}),
    ...(retryAfter !== undefined ? { retryAfter } : {}),
    problem,
  });
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, undefined, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, body ?? {}, opts),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  del: <T = void>(path: string) => request<T>('DELETE', path),
  /** POSTs a file as the raw body (application/octet-stream). */
  upload: <T>(path: string, file: Blob) => request<T>('POST', path, file),
};

/** Query string from the non-empty values of params. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}
