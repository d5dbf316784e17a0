import type { AlertStatus, ReportStatus, Role } from '../../db/schema.ts';
import { VigilError } from '../errors.ts';
import type { Actor } from '../actor.ts';

/**
 * Vigil's permission catalogue and which role grants what. Deny by default: a permission no
 * role lists is refused to everyone. Every service calls `authorize` before it reads or writes.
 * Names follow `resource.verb`.
 */
export const PERMISSIONS = [
  'account.manage', // one's own password, MFA, sessions and API tokens
  'team.read', // the team's name and the list of members (for assignment and display)
  'user.read',
  'user.create',
  'user.update',
  'user.disable',
  'user.reset_credentials',
  'settings.read',
  'settings.update',
  'mail.read', // the log of outgoing mail to reporters (templates are settings)
  'audit.read',
  'audit.verify',
  'incident.read', // list and read incidents (TLP RED and AMBER+STRICT: role holders, managers, admins only)
  'incident.create',
  'incident.update', // edit, classify, move along the lifecycle, notes, roles, key times, lessons learned
  'incident.close', // close and reopen
  'playbook.manage', // create and edit playbooks
  'evidence.download', // download evidence files (each download is on the chain of custody)
  'report.read', // read every incident report (those linked to a restricted incident: as the incident)
  'report.read_own', // read one's own organisation's reports and their incidents' public status only
  'report.submit', // submit a report (a reporter: for its own organisation, through the portal)
  'report.triage', // log reports from any channel, link them to incidents, merge, reject, reopen; triage alerts and unparsed items
  'intake.manage', // monitoring sources: create, change their field mapping, rotate their tokens
  'constituent.read', // constituents, their netblocks, domains, contacts and agreements; routing lookups
  'constituent.manage', // create, change, import and delete constituents
  'directory.read', // the team's seats and skills and the external contact directory
  'directory.manage', // change members' seats and skills; create and change external contacts
  'oncall.read', // rotas, the on-call calendar and who is on duty
  'oncall.manage', // create and change rotas, overrides and swaps of anyone's shifts
  'escalation.read', // escalation policies (reading them)
  'escalation.acknowledge', // acknowledge an incident's running escalation, which stops its further levels and rounds (a write)
  'escalation.manage', // escalation policies
  'notification.read', // the notification delivery log
  'notification.manage', // notification templates, channels and retrying failed deliveries
  'delivery.manage', // the deliveries of every kind (reporter mail, notifications, scheduled reports): the failed-deliveries view and retry
  'sla.read', // SLA policies (reading them; an incident's clocks are read with the incident)
  'sla.manage', // SLA policies: targets and calendars per priority and per constituent
  'kpi.read', // KPIs, statistics, the team's activities and the monthly and annual reports (incident figures over the incidents one may see)
  'kpi.manage', // KPI definitions and targets, report schedules and recipients
  'activity.record', // record, change and delete the team's activities (meetings, campaigns, trainings, exercises)
  'feed.read', // feeds, their reports and parse errors, and the events (within one's constituent scope; RED and AMBER+STRICT events: managers and admins)
  'feed.ingest', // hand a feed a report to read (upload, command line)
  'feed.manage', // configure feeds: parser and mapping, defaults, enable and disable
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['admin', 'manager', 'handler', 'viewer', 'reporter'] as const satisfies readonly Role[];

export const ROLE_INFO: Record<Role, { label: string; description: string }> = {
  admin: { label: 'Administrator', description: 'Users, settings and the audit trail' },
  manager: { label: 'CSIRT manager', description: 'Everything the team sees, reports, KPIs and approvals' },
  handler: { label: 'Incident handler', description: 'Works incidents and reports' },
  viewer: { label: 'Viewer', description: 'Read-only: legal, communications, management' },
  reporter: { label: 'Constituent reporter', description: "Submits and follows its own organisation's reports" },
};

const GRANTS: Record<Role, readonly Permission[]> = {
  admin: [
    'account.manage', 'team.read', 'user.read', 'user.create', 'user.update', 'user.disable',
    'user.reset_credentials', 'settings.read', 'settings.update', 'mail.read', 'audit.read', 'audit.verify', 'incident.read',
    'playbook.manage', 'report.read', 'intake.manage', 'constituent.read', 'constituent.manage', 'directory.read', 'directory.manage',
    'oncall.read', 'oncall.manage', 'escalation.read', 'escalation.acknowledge', 'escalation.manage', 'notification.read',
    'notification.manage', 'delivery.manage', 'sla.read', 'sla.manage', 'kpi.read', 'kpi.manage', 'activity.record',
    'feed.read', 'feed.ingest', 'feed.manage',
  ],
  manager: [
    'account.manage', 'team.read', 'user.read', 'incident.read', 'incident.create', 'incident.update', 'incident.close', 'evidence.download',
    'report.read', 'report.triage', 'intake.manage', 'constituent.read', 'constituent.manage', 'directory.read', 'directory.manage',
    'oncall.read', 'oncall.manage', 'escalation.read', 'escalation.acknowledge', 'escalation.manage', 'notification.read', 'sla.read',
    'sla.manage', 'kpi.read', 'kpi.manage', 'activity.record', 'feed.read', 'feed.ingest', 'feed.manage',
  ],
  handler: [
    'account.manage', 'team.read', 'incident.read', 'incident.create', 'incident.update', 'incident.close', 'evidence.download',
    'report.read', 'report.triage', 'constituent.read', 'directory.read', 'oncall.read', 'escalation.read', 'escalation.acknowledge',
    'sla.read', 'kpi.read', 'activity.record', 'feed.read', 'feed.ingest',
  ],
  // A viewer reads; acknowledging an escalation stops the paging of everyone else, so it is a write and not theirs.
  viewer: [
    'account.manage', 'team.read', 'incident.read', 'report.read', 'constituent.read', 'directory.read', 'oncall.read', 'escalation.read',
    'sla.read', 'kpi.read', 'feed.read',
  ],
  reporter: ['account.manage', 'report.read_own', 'report.submit'],
};

export function permissionsOf(roles: readonly Role[]): Set<Permission> {
  const out = new Set<Permission>();
  for (const r of roles) for (const p of GRANTS[r] ?? []) out.add(p);
  return out;
}

/** The actor's permissions, sorted by name (what `/auth/me` tells the web app). */
export function permissionList(actor: Actor): Permission[] {
  return [...permissionsOf(actor.roles)].sort();
}

export function can(actor: Actor | null | undefined, permission: Permission): boolean {
  return !!actor && permissionsOf(actor.roles).has(permission);
}

/**
 * What the actor may do to one incident it can see, from its roles and the incident's status: the
 * web app shows an action only when its flag is set (the API still checks every call).
 */
export interface IncidentActions {
  /** Write to it in any status: notes, communications, roles, key times, lessons learned, evidence hand-over. */
  write: boolean;
  /** Change it while open: edit, move along the lifecycle, assign, tasks, observables, links, evidence upload, SLA pause. */
  update: boolean;
  close: boolean;
  reopen: boolean;
  downloadEvidence: boolean;
  acknowledgeEscalation: boolean;
}

export function incidentActions(actor: Actor, incident: { status: string }): IncidentActions {
  const p = permissionsOf(actor.roles);
  const open = incident.status !== 'closed';
  return {
    write: p.has('incident.update'),
    update: p.has('incident.update') && open,
    close: p.has('incident.close') && open,
    reopen: p.has('incident.close') && !open,
    downloadEvidence: p.has('evidence.download'),
    acknowledgeEscalation: p.has('escalation.acknowledge'),
  };
}

/**
 * What the actor may do to one report it can see (the triage module's checks, as flags): link it
 * to an incident, merge it into another report, reject it or declare an incident from it while it
 * is new; reopen it once decided (a linked one only while its incident is open and the actor may
 * change incidents).
 */
export interface ReportActions {
  link: boolean;
  merge: boolean;
  reject: boolean;
  reopen: boolean;
  declare: boolean;
}

export function reportActions(actor: Actor, report: { status: ReportStatus; incident: { status: string } | null }): ReportActions {
  const p = permissionsOf(actor.roles);
  const triage = p.has('report.triage');
  const open = report.status === 'new';
  return {
    link: triage && open && p.has('incident.update'),
    merge: triage && open,
    reject: triage && open,
    reopen: triage && !open && (report.status !== 'linked' || (p.has('incident.update') && report.incident?.status !== 'closed')),
    declare: triage && open && p.has('incident.create'),
  };
}

/**
 * What the actor may do to one alert it can see (the triage module's checks, as flags):
 * acknowledge a new one; dismiss, link to an incident or declare an incident from one not yet
 * decided (new or acknowledged); reopen an acknowledged or dismissed one.
 */
export interface AlertActions {
  acknowledge: boolean;
  dismiss: boolean;
  link: boolean;
  declare: boolean;
  reopen: boolean;
}

export function alertActions(actor: Actor, alert: { status: AlertStatus }): AlertActions {
  const p = permissionsOf(actor.roles);
  const triage = p.has('report.triage');
  const undecided = alert.status === 'new' || alert.status === 'acknowledged';
  return {
    acknowledge: triage && alert.status === 'new',
    dismiss: triage && undecided,
    link: triage && undecided && p.has('incident.update'),
    declare: triage && undecided && p.has('incident.create'),
    reopen: triage && (alert.status === 'acknowledged' || alert.status === 'dismissed'),
  };
}

/** Throws unless the actor holds the permission through one of its roles. */
export function authorize(actor: Actor | null | undefined, permission: Permission): asserts actor is Actor {
  if (!actor) throw new VigilError('VIG_AUTH_REQUIRED');
  if (!can(actor, permission)) throw new VigilError('VIG_AUTHZ_FORBIDDEN', { permission });
}
