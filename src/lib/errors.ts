/**
 * The one catalogue of Vigil's error codes. A code is API: never rename or reuse one; retire it
 * into RETIRED_CODES and add a new one. docs/errors.md documents every entry (a test checks it).
 */
export const ERRORS = {
  VIG_REQUEST_INVALID: { status: 400, title: 'Request failed validation' },
  VIG_REQUEST_TEXT_INVALID: { status: 400, title: 'Text contains a NUL character or an unpaired surrogate' },
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
  VIG_REPORT_ATTACHMENT_NOT_FOUND: { status: 404, title: 'No such attachment on this report' },
  VIG_REPORT_ATTACHMENT_NOT_KEPT: { status: 409, title: 'The attachment\'s bytes were not kept apart from the message' },
  VIG_REPORT_NOT_ON_INCIDENT: { status: 409, title: 'The report is not on an incident' },
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
  // The delivery layer (every kind: reporter mail, notifications, scheduled reports, queued work)
  VIG_DELIVERY_NOT_FOUND: { status: 404, title: 'No such delivery' },
  VIG_DELIVERY_NOT_RETRYABLE: { status: 409, title: 'The delivery was already sent or is being sent' },
  // The team (seats, skills) and the external contact directory
  VIG_DIRECTORY_MEMBER_NOT_FOUND: { status: 404, title: 'No team member with this id' },
  VIG_DIRECTORY_MEMBER_VERSION_CONFLICT: { status: 409, title: "The member's profile changed since you read it" },
  VIG_CONTACT_NOT_FOUND: { status: 404, title: 'No such external contact' },
  VIG_CONTACT_VERSION_CONFLICT: { status: 409, title: 'The external contact changed since you read it' },
  VIG_CONTACT_PGP_KEY_INVALID: { status: 400, title: 'The PGP key is not a readable OpenPGP public key' },
  VIG_CONTACT_UNREACHABLE: { status: 400, title: 'A contact needs an e-mail address or a phone number' },
  VIG_CONTACT_IN_USE: { status: 409, title: 'The contact is in use and cannot be deleted' },
  VIG_CONTACT_INACTIVE: { status: 409, title: 'The contact is inactive' },
  // Notifications (in-app, e-mail, webhooks)
  VIG_NOTIFICATION_INVALID: { status: 400, title: 'The notification request is not valid' },
  VIG_NOTIFICATION_TEMPLATE_INVALID: { status: 400, title: 'The notification template uses an unknown variable or is malformed' },
  VIG_NOTIFICATION_TEMPLATE_VERSION_CONFLICT: { status: 409, title: 'The notification template changed since you read it' },
  VIG_NOTIFICATION_CHANNEL_NOT_FOUND: { status: 404, title: 'No such notification channel' },
  VIG_NOTIFICATION_CHANNEL_INVALID: { status: 400, title: 'The notification channel is not valid' },
  VIG_NOTIFICATION_CHANNEL_EXISTS: { status: 409, title: 'A notification channel with this name exists' },
  VIG_NOTIFICATION_CHANNEL_VERSION_CONFLICT: { status: 409, title: 'The notification channel changed since you read it' },
  VIG_NOTIFICATION_CHANNEL_DISABLED: { status: 409, title: 'The notification channel is disabled' },
  VIG_NOTIFICATION_DELIVERY_NOT_FOUND: { status: 404, title: 'No such notification delivery' },
  VIG_NOTIFICATION_DELIVERY_NOT_RETRYABLE: { status: 409, title: 'The notification delivery was already sent or is being sent' },
  // Constituents and routing
  VIG_CONSTITUENT_NOT_FOUND: { status: 404, title: 'No such constituent' },
  VIG_CONSTITUENT_EXISTS: { status: 409, title: 'A constituent with this name exists' },
  VIG_CONSTITUENT_VERSION_CONFLICT: { status: 409, title: 'The constituent changed since you read it' },
  VIG_CONSTITUENT_CIDR_INVALID: { status: 400, title: 'A netblock is not a valid CIDR network' },
  VIG_CONSTITUENT_DOMAIN_INVALID: { status: 400, title: 'A domain is not a valid domain name' },
  VIG_CONSTITUENT_PGP_KEY_INVALID: { status: 400, title: "A contact's PGP key is not a readable OpenPGP public key" },
  VIG_CONSTITUENT_ROUTE_TAKEN: { status: 409, title: 'A netblock, domain or ASN already belongs to another constituent' },
  VIG_CONSTITUENT_PARENT_INVALID: { status: 400, title: 'The parent constituent does not exist or would make a cycle' },
  VIG_CONSTITUENT_IN_SCOPE: { status: 409, title: 'Team members are limited to this constituent alone' },
  VIG_CONSTITUENT_IMPORT_INVALID: { status: 400, title: 'The CSV import has errors; nothing was imported' },
  VIG_CONSTITUENT_ROUTE_QUERY_INVALID: { status: 400, title: 'The value to route is not an address, domain, e-mail address or AS number' },
  // On-call rotas, overrides and swaps
  VIG_ONCALL_ROTA_NOT_FOUND: { status: 404, title: 'No such on-call rota' },
  VIG_ONCALL_ROTA_EXISTS: { status: 409, title: 'An on-call rota with this name already exists' },
  VIG_ONCALL_VERSION_CONFLICT: { status: 409, title: 'The rota changed since you read it' },
  VIG_ONCALL_TIME_ZONE_INVALID: { status: 422, title: 'Unknown time zone' },
  VIG_ONCALL_PATTERN_INVALID: { status: 422, title: 'The rota pattern leaves a gap, overlaps or is not valid' },
  VIG_ONCALL_MEMBERS_INVALID: { status: 422, title: 'The rota members are missing or not active team members' },
  VIG_ONCALL_RANGE_INVALID: { status: 422, title: 'The time range is empty or too long' },
  VIG_ONCALL_OVERRIDE_NOT_FOUND: { status: 404, title: 'No such on-call override' },
  VIG_ONCALL_OVERRIDE_OVERLAP: { status: 409, title: 'Another override of this rota covers part of this period' },
  VIG_ONCALL_SHIFT_NOT_FOUND: { status: 422, title: 'That member has no swappable shift starting then' },
  VIG_ONCALL_SWAP_NOT_FOUND: { status: 404, title: 'No such shift swap' },
  VIG_ONCALL_SWAP_DECIDED: { status: 409, title: 'The swap was already accepted or declined' },
  // Escalation policies and escalations of incidents
  VIG_ESCALATION_POLICY_NOT_FOUND: { status: 404, title: 'No escalation policy with this id' },
  VIG_ESCALATION_POLICY_INVALID: { status: 422, title: 'The escalation policy names something that does not exist' },
  VIG_ESCALATION_CYCLE: { status: 422, title: 'The policies would continue into each other in a circle' },
  VIG_ESCALATION_POLICY_NAME_TAKEN: { status: 409, title: 'Another escalation policy has this name' },
  VIG_ESCALATION_POLICY_VERSION_CONFLICT: { status: 409, title: 'The escalation policy changed since you read it' },
  VIG_ESCALATION_POLICY_IN_USE: { status: 409, title: 'The escalation policy is in use' },
  VIG_ESCALATION_NOT_ACTIVE: { status: 409, title: 'The incident has no escalation running' },
  // SLA policies and clocks
  VIG_SLA_POLICY_NOT_FOUND: { status: 404, title: 'No SLA policy with this id' },
  VIG_SLA_POLICY_EXISTS: { status: 409, title: 'There is already an SLA policy for this priority and constituent' },
  VIG_SLA_POLICY_VERSION_CONFLICT: { status: 409, title: 'The SLA policy changed since you read it' },
  VIG_SLA_CALENDAR_INVALID: { status: 422, title: 'The SLA policy or its calendar is not valid' },
  VIG_SLA_PAUSE_STATE: { status: 409, title: 'The SLA clocks are already in that state' },
  VIG_KPI_NOT_FOUND: { status: 404, title: 'No KPI definition with this id' },
  VIG_KPI_KEY_TAKEN: { status: 409, title: 'Another KPI definition has this key' },
  VIG_KPI_VERSION_CONFLICT: { status: 409, title: 'The KPI definition changed since you read it' },
  VIG_KPI_INVALID: { status: 422, title: 'The KPI definition is not valid' },
  VIG_ACTIVITY_NOT_FOUND: { status: 404, title: 'No team activity with this id' },
  VIG_ACTIVITY_VERSION_CONFLICT: { status: 409, title: 'The team activity changed since you read it' },
  VIG_REPORT_SCHEDULE_NOT_FOUND: { status: 404, title: 'No report schedule with this id' },
  VIG_REPORT_SCHEDULE_VERSION_CONFLICT: { status: 409, title: 'The report schedule changed since you read it' },
  VIG_REPORT_SCHEDULE_INVALID: { status: 422, title: 'The report schedule is not valid' },
  // Feeds: configured feeds, the reports they deliver, their events
  VIG_FEED_NOT_FOUND: { status: 404, title: 'No such feed' },
  VIG_FEED_EXISTS: { status: 409, title: 'A feed with this name already exists' },
  VIG_FEED_VERSION_CONFLICT: { status: 409, title: 'The feed changed since you read it' },
  VIG_FEED_SETTINGS_INVALID: { status: 400, title: "The feed's parser settings are not valid" },
  VIG_FEED_DISABLED: { status: 409, title: 'The feed is disabled' },
  VIG_FEED_REPORT_NOT_FOUND: { status: 404, title: 'No such feed report' },
  VIG_FEED_REPORT_EMPTY: { status: 400, title: 'The feed report is empty' },
  VIG_FEED_REPORT_TOO_LARGE: { status: 413, title: 'The feed report is larger than the limit' },
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
