import type { Config } from './config.ts';
import type { Db, Executor } from './db/index.ts';
import type { Clock } from './lib/actor.ts';
import { apiTokens } from './modules/account/index.ts';
import { createAccountService } from './modules/account/service.ts';
import { createAuditService } from './modules/audit/service.ts';
import { anchorMailHandler } from './modules/audit/index.ts';
import { createAuthenticator } from './modules/auth/authenticate.ts';
import { createAuthService } from './modules/auth/service.ts';
import { checkPasswordPolicy, hashPassword } from './modules/auth/passwords.ts';
import { sessionRepo } from './modules/auth/sessions.repo.ts';
import { createThrottle } from './modules/auth/throttle.ts';
import { createSettingsService } from './modules/settings/service.ts';
import { createUserService } from './modules/users/service.ts';
import { createIncidentDetailService } from './modules/incidents/details.service.ts';
import { createIncidentService } from './modules/incidents/service.ts';
import { createTaskService } from './modules/incidents/tasks.service.ts';
import { createLinkService } from './modules/incidents/links.service.ts';
import { createIncidentExportService } from './modules/incidents/export.service.ts';
import { createPlaybookService } from './modules/playbooks/service.ts';
import { createObservableService } from './modules/observables/service.ts';
import { createBlobStore } from './modules/evidence/blobs.ts';
import { createEvidenceService } from './modules/evidence/service.ts';
import { createReportService } from './modules/reports/service.ts';
import { createFeedService } from './modules/feeds/service.ts';
import { createReportAttachmentService } from './modules/reports/attachments.service.ts';
import { createLiveService } from './modules/live/service.ts';
import { createIntakeItemService } from './modules/intake/items.service.ts';
import { registerMailIntake } from './modules/inbound-mail/intake.ts';
import { registerWebFormIntake } from './modules/public-intake/service.ts';
import { createMailOutbox, receiptsHandler, reporterUpdatesQueue } from './modules/outbound-mail/outbox.ts';
import { reporterMailHandler } from './modules/outbound-mail/delivery.ts';
import { createMailService } from './modules/outbound-mail/service.ts';
import { createNotificationOutbox, notificationsQueue, queuedNoticeHandler } from './modules/notifications/outbox.ts';
import { notificationHandler } from './modules/notifications/delivery.ts';
import { kpiReportHandler } from './modules/kpi-documents/delivery.ts';
import { createDeliveryService } from './modules/delivery/service.ts';
import { createNotificationService } from './modules/notifications/service.ts';
import { createChannelService } from './modules/notifications/channels.service.ts';
import { createAlertService } from './modules/intake/alerts.service.ts';
import { createSourceService } from './modules/intake/sources.service.ts';
import { createAlertTriageService } from './modules/triage/alerts.service.ts';
import { createReportTriageService } from './modules/triage/reports.service.ts';
import { createTriageViewService } from './modules/triage/view.service.ts';
import { createOncallService } from './modules/oncall/service.ts';
import { createOncallChangeService } from './modules/oncall/changes.service.ts';
import { createDashboardService } from './modules/dashboard/service.ts';
import { createContactService } from './modules/directory/contacts.service.ts';
import { createIncidentContactService } from './modules/directory/incident-contacts.service.ts';
import { createTeamService } from './modules/directory/team.service.ts';
import { createConstituentService } from './modules/constituents/service.ts';
import { createConstituentTransferService } from './modules/constituents/transfer.service.ts';
import { createRoutingIndex } from './modules/constituents/routing-index.ts';
import { createEscalationService } from './modules/escalation/service.ts';
import { escalationDirectory, escalationNotifier, onDutyOrManagers } from './modules/escalation/wiring.ts';
import { createSlaService } from './modules/sla/service.ts';
import { createKpiService } from './modules/kpi/service.ts';
import { createKpiReportService } from './modules/kpi-documents/report.service.ts';
import { createReportScheduleService } from './modules/kpi-documents/schedules.service.ts';
import { createSlaProjection } from './modules/sla/projection.ts';
import { createSlaWatcher } from './modules/sla/watch.ts';
import { createIncidentEventSubscribers } from './modules/incidents/subscribers.ts';

/** Wires every service with its explicit dependencies. The HTTP app, the CLI and jobs share these. */
export function createServices(d: { db: Db; config: Config; clock: Clock; secretKey: Buffer }) {
  const { db, config, clock, secretKey } = d;
  const audit = createAuditService({ db, clock });
  const settings = createSettingsService({ db, audit, clock });
  // Outgoing mail: receipts and updates are enqueued in the transaction of the change that causes them.
  const mailOutbox = createMailOutbox({ settings, clock, from: config.VIGIL_MAIL_FROM, accept: config.VIGIL_SMTP_ACCEPT });
  // Notifications to the team: enqueued in the caller's transaction, delivered by the notification worker.
  const notificationOutbox = createNotificationOutbox({ settings, clock, publicUrl: config.VIGIL_PUBLIC_URL, onDuty: onDutyOrManagers });
  // The incident event subscribers, called in order in the transaction of every incident event
  // recorded through `incidentDeps` (src/modules/incidents/subscribers.ts says why this order).
  // They are bound after the services exist (escalation and the SLA projection record events through them).
  const subscribers = createIncidentEventSubscribers();
  const incidentDeps = { db, audit, settings, clock, onEvent: subscribers.dispatch };
  // Escalation: a declared P1/P2 queues its first level's pages in the declaring transaction (the
  // delivery worker renders them after the commit); the escalation worker queues the later levels
  // and rounds until someone acknowledges.
  const escalation = createEscalationService({
    db, audit, clock, incidents: incidentDeps,
    directory: escalationDirectory, notifier: escalationNotifier(notificationOutbox), alertPageAfterMinutes: config.VIGIL_ALERT_PAGE_MINUTES,
    alertPageSeverity: config.VIGIL_ALERT_PAGE_SEVERITY,
  });
  // SLA: the sla_clock projection is kept in every clock-moving event's transaction; the watcher records warnings and breaches.
  const slaProjection = createSlaProjection({ incidents: incidentDeps });
  // Reporter updates and team notifications need not share the incident's transaction: their
  // subscribers only queue a delivery; the delivery worker renders and addresses them afterwards.
  const reporterUpdates = reporterUpdatesQueue(mailOutbox, clock);
  const incidentNotifications = notificationsQueue(notificationOutbox, clock);
  subscribers.bind({
    slaProjection: slaProjection.incidentEvent,
    reporterUpdates: reporterUpdates.subscriber,
    notifications: incidentNotifications.subscriber,
    escalation: escalation.incidentEvent,
  });
  const window = 15 * 60;
  const throttle = createThrottle({
    db,
    clock,
    account: { maxFailures: config.VIGIL_LOGIN_MAX_FAILURES, lockSeconds: config.VIGIL_LOGIN_LOCK_SECONDS, windowSeconds: window, maxLockSeconds: 900 },
    address: { maxFailures: config.VIGIL_LOGIN_ADDRESS_MAX_FAILURES, lockSeconds: config.VIGIL_LOGIN_LOCK_SECONDS, windowSeconds: window, maxLockSeconds: 900 },
  });
  const sessionIdleMs = config.VIGIL_SESSION_IDLE_MINUTES * 60_000;
  const sessionMaxMs = config.VIGIL_SESSION_MAX_HOURS * 3_600_000;
  const blobs = createBlobStore(config.evidenceDir);
  const base = {
    blobs,
    audit,
    settings,
    throttle,
    auth: createAuthService({ db, audit, throttle, clock, secretKey, sessionIdleMs, sessionMaxMs, tokens: apiTokens }),
    authenticator: createAuthenticator({ db, clock, settings, sessionIdleMs, tokens: apiTokens }),
    account: createAccountService({ db, audit, clock, secretKey, settings, throttle }),
    // users is given the credentials of auth and account, which build on it (no module cycle).
    users: createUserService({
      db, audit, clock,
      credentials: {
        checkPasswordPolicy, hashPassword,
        endSessions: (x, userId, now) => sessionRepo.revokeAllForUser(x, userId, now),
        revokeTokens: apiTokens.revokeAllOf,
      },
    }),
    incidents: createIncidentService(incidentDeps),
    incidentDetails: createIncidentDetailService(incidentDeps),
    tasks: createTaskService(incidentDeps),
    links: createLinkService(incidentDeps),
    playbooks: createPlaybookService(incidentDeps),
    observables: createObservableService(incidentDeps),
    evidence: createEvidenceService({ ...incidentDeps, blobs, maxBytes: config.VIGIL_EVIDENCE_MAX_BYTES }),
    // The team's seats and skills, the external contact directory, and contacts in incident roles.
    team: createTeamService({ db, audit, clock }),
    contacts: createContactService({ db, audit, clock }),
    incidentContacts: createIncidentContactService(incidentDeps),
  };
  const reports = createReportService({ ...incidentDeps, onReceived: mailOutbox.reportReceived });
  const intake = createIntakeItemService({ db, audit, clock, reports });
  const reportAttachments = createReportAttachmentService({ db, audit, clock, reports, blobs, evidence: base.evidence });
  // Constituents: the in-memory routing index (rebuilt when the stored constituency version moves) for intake and triage.
  const routingIndex = createRoutingIndex({ db });
  const constituents = createConstituentService({ db, audit, clock, index: routingIndex });
  // Feeds: reports kept raw in the blob store, read by the feed worker, their events routed with the same index.
  const feeds = createFeedService({ db, audit, clock, blobs, routing: routingIndex, maxBytes: config.VIGIL_FEED_MAX_BYTES });
  // E-mail (SMTP listener, .eml/mbox import): the parser that makes reports, replies and communications.
  registerMailIntake({ ...incidentDeps, blobs, reports, intake }, config);
  const kpi = createKpiService({ db, audit, clock, settings });
  const kpiReports = createKpiReportService({ db, clock, settings, kpi });
  // Triage, built on reports, intake and incidents: what a duty officer sees beside a report, and
  // the decisions on reports and alerts. Reports put on an incident carry their observables onto it.
  const triage = createTriageViewService({ db, clock, settings: base.settings, reports, blobPath: blobs.pathOf, constituents, observables: base.observables });
  const reportTriage = createReportTriageService({ ...incidentDeps, incidents: base.incidents, reports, onLinked: triage.carryOnto });
  const alertTriage = createAlertTriageService({ ...incidentDeps, observables: base.observables });
  return {
    ...base,
    reports,
    reportAttachments,
    intake,
    // The public web form: its service, and the parsers of its intake items.
    publicIntake: registerWebFormIntake({ ...incidentDeps, blobs, intake, reports }, config),
    mailOutbox,
    mail: createMailService({ db, audit, clock, relayConfigured: !!config.VIGIL_SMTP_RELAY_URL }),
    notificationOutbox,
    escalation,
    // KPIs and statistics, computed on request from incidents, their events, reports and the team's activities.
    kpi,
    // The monthly and annual KPI reports (HTML, PDF) and their schedules, e-mailed by the report worker.
    kpiReports,
    reportSchedules: createReportScheduleService({ db, audit, clock, settings, from: config.VIGIL_MAIL_FROM, accept: config.VIGIL_SMTP_ACCEPT }),
    // The delivery layer: one handler per kind, worked by the one delivery worker `vigil serve` runs, and the admin view of every delivery.
    deliveries: createDeliveryService({ db, audit, clock, relayConfigured: !!config.VIGIL_SMTP_RELAY_URL }),
    deliveryHandlers: [
      reporterMailHandler({ from: config.VIGIL_MAIL_FROM }),
      reporterUpdates.handler,
      // Receipts to reporters, queued as facts with the report and written here after it commits.
      receiptsHandler(mailOutbox),
      notificationHandler({ secretKey, from: config.VIGIL_MAIL_FROM, pgpKeyFile: config.VIGIL_PGP_KEY_FILE, pgpPassphrase: config.VIGIL_PGP_PASSPHRASE }),
      incidentNotifications.handler,
      // Escalation and alert pages, queued as facts and rendered here after the escalating change commits.
      queuedNoticeHandler(notificationOutbox),
      kpiReportHandler({ reports: kpiReports, from: config.VIGIL_MAIL_FROM }),
      // Each new audit anchor to VIGIL_AUDIT_ANCHOR_MAIL_TO (queued by `vigil serve`'s anchor worker).
      anchorMailHandler({ from: config.VIGIL_MAIL_FROM }),
    ],
    sla: createSlaService({ db, audit, clock, incidents: incidentDeps, projection: slaProjection }),
    slaProjection,
    slaWatch: createSlaWatcher({ db, clock, incidents: incidentDeps, projection: slaProjection }),
    notifications: createNotificationService({ db, audit, clock, relayConfigured: !!config.VIGIL_SMTP_RELAY_URL }),
    notificationChannels: createChannelService({ db, audit, clock, secretKey, outbox: notificationOutbox }),
    alerts: createAlertService({ ...incidentDeps, intake, constituents }),
    sources: createSourceService({ db, audit, clock }),
    oncall: createOncallService({ db, audit, clock }),
    // The operations dashboard: counts, SLA clocks at risk, who is on duty, intake (read when asked).
    dashboard: createDashboardService({ db, clock, relayConfigured: !!config.VIGIL_SMTP_RELAY_URL }),
    oncallChanges: createOncallChangeService({ db, audit, clock }),
    triage,
    reportTriage,
    alertTriage,
    routingIndex,
    feeds,
    constituents,
    constituentTransfer: createConstituentTransferService({ db, audit, clock, index: routingIndex }),
    live: createLiveService({ db, reports, pollMs: config.VIGIL_LIVE_POLL_MS }),
    incidentExport: createIncidentExportService({
      incidents: base.incidents, details: base.incidentDetails, tasks: base.tasks, links: base.links, observables: base.observables, evidence: base.evidence,
      contacts: base.incidentContacts,
    }),
  };
}
export type Services = ReturnType<typeof createServices>;
