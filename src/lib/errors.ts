/**
 * The one catalogue of Vigil's error codes. A code is API: never rename or reuse one; retire it
 * into RETIRED_CODES and add a new one. docs/errors.md documents every entry (a test checks it).
 */
export const ERRORS = {
  VIG_REQUEST_INVALID: { status: 400, title: 'Request failed validation' },
  VIG_REQUEST_MALFORMED: { status: 400, title: 'Request body is not valid JSON' },
  VIG_REQUEST_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported content type' },
  VIG_REQUEST_TOO_LARGE: { status: 413, title: 'Request body is too large' },
  VIG_ROUTE_NOT_FOUND: { status: 404, title: 'No such endpoint' },
  VIG_METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed on this endpoint' },
  VIG_AUTH_REQUIRED: { status: 401, title: 'Authentication required' },
  VIG_AUTH_INVALID_CREDENTIALS: { status: 401, title: 'Wrong username or password' },
  VIG_AUTH_MFA_PENDING: { status: 401, title: 'The second factor is still awaited for this session' },
  VIG_AUTH_MFA_INVALID: { status: 401, title: 'Wrong or already used authentication code' },
  VIG_AUTH_THROTTLED: { status: 429, title: 'Too many failed attempts; try again later' },
  VIG_AUTH_CSRF: { status: 403, title: 'Missing or wrong CSRF token' },
  VIG_AUTH_PASSWORD_CHANGE_REQUIRED: { status: 403, title: 'You must change your password first' },
  VIG_AUTH_MFA_ENROLMENT_REQUIRED: { status: 403, title: 'Your team requires two-factor authentication: enrol first' },
  VIG_AUTH_PASSWORD_WEAK: { status: 400, title: 'The new password does not meet the password policy' },
  VIG_AUTH_TOKEN_INVALID: { status: 401, title: 'The API token is unknown, expired or revoked' },
  VIG_AUTHZ_FORBIDDEN: { status: 403, title: 'Not allowed for your role' },
  VIG_MFA_NOT_ENROLLING: { status: 409, title: 'No MFA enrolment is in progress' },
  VIG_MFA_ALREADY_ENABLED: { status: 409, title: 'Two-factor authentication is already on' },
  VIG_MFA_NOT_ENABLED: { status: 409, title: 'Two-factor authentication is not on' },
  VIG_MFA_REQUIRED_BY_POLICY: { status: 409, title: 'Your team requires two-factor authentication' },
  VIG_TOKEN_NOT_FOUND: { status: 404, title: 'No such API token' },
  VIG_TOKEN_ROLE_NOT_HELD: { status: 403, title: 'A token cannot have a role its owner does not hold' },
  VIG_SESSION_NOT_FOUND: { status: 404, title: 'No such session' },
  VIG_USER_NOT_FOUND: { status: 404, title: 'No such user' },
  VIG_USER_EXISTS: { status: 409, title: 'A user with this username already exists' },
  VIG_USER_LAST_ADMIN: { status: 409, title: 'The last active admin cannot lose the admin role or be disabled' },
  VIG_USER_SELF_DISABLE: { status: 409, title: 'You cannot disable your own account' },
  VIG_AUDIT_CURSOR_INVALID: { status: 400, title: 'Invalid audit cursor' },
  VIG_CURSOR_INVALID: { status: 400, title: 'Invalid list cursor' },
  VIG_INCIDENT_NOT_FOUND: { status: 404, title: 'No such incident' },
  VIG_INCIDENT_CLASSIFICATION_UNKNOWN: { status: 400, title: 'Classification is not in the RSIT taxonomy' },
  VIG_INCIDENT_VERSION_CONFLICT: { status: 409, title: 'The incident changed since you read it' },
  VIG_INCIDENT_TRANSITION_FORBIDDEN: { status: 409, title: 'The lifecycle does not allow this status change' },
  VIG_INCIDENT_CLOSED: { status: 409, title: 'A closed incident cannot change; reopen it first' },
  VIG_INCIDENT_NOT_CLOSED: { status: 409, title: 'Only a closed incident can be reopened' },
  VIG_INCIDENT_LESSONS_REQUIRED: { status: 409, title: 'A P1 or P2 incident needs a lessons-learned review before it closes' },
  VIG_INCIDENT_DUPLICATE_INVALID: { status: 400, title: 'A duplicate must name another, visible incident' },
  VIG_PLAYBOOK_NOT_FOUND: { status: 404, title: 'No such playbook (or it is disabled)' },
  VIG_PLAYBOOK_VERSION_CONFLICT: { status: 409, title: 'The playbook changed since you read it' },
  VIG_OBSERVABLE_INVALID: { status: 400, title: 'Observable value is not valid for its type' },
  VIG_OBSERVABLE_NOT_FOUND: { status: 404, title: 'No such observable on this incident' },
  VIG_EVIDENCE_NOT_FOUND: { status: 404, title: 'No such evidence' },
  VIG_EVIDENCE_EMPTY: { status: 400, title: 'The evidence file is empty' },
  VIG_EVIDENCE_TOO_LARGE: { status: 413, title: 'The evidence file is larger than the limit' },
  VIG_TASK_NOT_FOUND: { status: 404, title: 'No such task' },
  VIG_TASK_VERSION_CONFLICT: { status: 409, title: 'The task changed since you read it' },
  VIG_INCIDENT_LINK_INVALID: { status: 409, title: 'This link or merge is not possible' },
  VIG_INCIDENT_ROLE_USER_INVALID: { status: 400, title: 'The user cannot hold a role in this incident' },
  VIG_INCIDENT_ASSIGNEE_INVALID: { status: 400, title: 'The user cannot be assigned incidents' },
  VIG_REPORT_NOT_FOUND: { status: 404, title: 'No such report' },
  VIG_REPORT_VERSION_CONFLICT: { status: 409, title: 'The report changed since you read it' },
  VIG_REPORT_DECIDED: { status: 409, title: 'The report is already linked, merged or rejected' },
  VIG_REPORT_MERGE_INVALID: { status: 409, title: 'This report cannot be merged there' },
  VIG_INTAKE_ITEM_NOT_FOUND: { status: 404, title: 'No such intake item' },
  VIG_INTAKE_ITEM_PARSED: { status: 409, title: 'The intake item is already parsed' },
  VIG_MAIL_IMPORT_INVALID: { status: 400, title: 'The file cannot be imported as e-mail' },
  VIG_WEBFORM_RATE_LIMITED: { status: 429, title: 'Too many submissions from your address; try again later' },
  VIG_WEBFORM_ATTACHMENT_TOO_LARGE: { status: 413, title: 'An attachment is larger than the limit' },
  VIG_WEBFORM_MULTIPART_INVALID: { status: 400, title: 'The form data (multipart/form-data) is malformed' },
  VIG_STATUS_LINK_NOT_FOUND: { status: 404, title: 'No such status link, or it has expired' },
  VIG_SOURCE_TOKEN_INVALID: { status: 401, title: 'The source token is unknown, or its source is disabled' },
  VIG_SOURCE_NOT_FOUND: { status: 404, title: 'No such intake source' },
  VIG_SOURCE_EXISTS: { status: 409, title: 'An intake source with this name already exists' },
  VIG_SOURCE_MAPPING_INVALID: { status: 400, title: 'The field mapping is not valid' },
  VIG_SOURCE_VERSION_CONFLICT: { status: 409, title: 'The intake source changed since you read it' },
  VIG_ALERT_NOT_FOUND: { status: 404, title: 'No such alert' },
  VIG_ALERT_VERSION_CONFLICT: { status: 409, title: 'The alert changed since you read it' },
  VIG_ALERT_DECIDED: { status: 409, title: 'The alert is not in a state that allows this' },
  VIG_IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'This idempotency key was used for a different request' },
  VIG_MAIL_TEMPLATE_INVALID: { status: 400, title: 'The mail template uses an unknown variable or is malformed' },
  VIG_MAIL_DELIVERY_NOT_FOUND: { status: 404, title: 'No such mail delivery' },
  VIG_MAIL_DELIVERY_NOT_RETRYABLE: { status: 409, title: 'The mail delivery was already sent or is being sent' },
  VIG_INTERNAL: { status: 500, title: 'Internal error' },
  VIG_UNAVAILABLE: { status: 503, title: 'Service not ready' },
} as const satisfies Record<`VIG_${string}`, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** Codes once used and removed; they are never given a new meaning. */
export const RETIRED_CODES: readonly string[] = [];

export class VigilError extends Error {
  readonly code: ErrorCode;
  readonly detail: Record<string, unknown>;
  readonly headers: Record<string, string>;
  constructor(
    code: ErrorCode,
    detail: Record<string, unknown> = {},
    opts?: ErrorOptions & { headers?: Record<string, string> },
  ) {
    super(ERRORS[code].title, opts);
    this.name = 'VigilError';
    this.code = code;
    this.detail = detail;
    this.headers = opts?.headers ?? {};
  }
  get status(): number {
    return ERRORS[this.code].status;
  }
}

export interface FieldIssue {
  path: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  instance: string;
  [k: string]: unknown;
}

export function toProblem(e: VigilError, requestId: string): Problem {
  return {
    ...(e.status < 500 ? e.detail : {}),
    type: `/docs/errors#${e.code.toLowerCase()}`,
    title: ERRORS[e.code].title,
    status: e.status,
    code: e.code,
    instance: `urn:vigil:request:${requestId}`,
  };
}
