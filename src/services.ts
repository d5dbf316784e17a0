import type { Config } from './config.ts';
import type { Db } from './db/index.ts';
import type { Clock } from './lib/actor.ts';
import { createAccountService } from './modules/account/service.ts';
import { createAuditService } from './modules/audit/service.ts';
import { createAuthenticator } from './modules/auth/authenticate.ts';
import { createAuthService } from './modules/auth/service.ts';
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
import { createLiveService } from './modules/live/service.ts';
import { createIntakeItemService } from './modules/intake/items.service.ts';
import { registerMailIntake } from './modules/mail/intake.ts';
import { registerWebFormIntake } from './modules/public-intake/service.ts';
import { createMailOutbox } from './modules/mailer/outbox.ts';
import { createMailService } from './modules/mailer/service.ts';
import { createAlertService } from './modules/intake/alerts.service.ts';
import { createSourceService } from './modules/intake/sources.service.ts';
import { createTriageService } from './modules/intake/triage.service.ts';

/** Wires every service with its explicit dependencies. The HTTP app, the CLI and jobs share these. */
export function createServices(d: { db: Db; config: Config; clock: Clock; secretKey: Buffer }) {
  const { db, config, clock, secretKey } = d;
  const audit = createAuditService({ db, clock });
  const settings = createSettingsService({ db, audit, clock });
  // Outgoing mail: receipts and updates are enqueued in the transaction of the change that causes them.
  const mailOutbox = createMailOutbox({ settings, clock, from: config.VIGIL_MAIL_FROM, accept: config.VIGIL_SMTP_ACCEPT });
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
    auth: createAuthService({ db, audit, throttle, clock, secretKey, sessionIdleMs, sessionMaxMs }),
    authenticator: createAuthenticator({ db, clock, settings, sessionIdleMs }),
    account: createAccountService({ db, audit, clock, secretKey, settings, throttle }),
    users: createUserService({ db, audit, clock }),
    incidents: createIncidentService({ db, audit, settings, clock, onEvent: mailOutbox.incidentEvent }),
    incidentDetails: createIncidentDetailService({ db, audit, settings, clock }),
    tasks: createTaskService({ db, audit, settings, clock }),
    links: createLinkService({ db, audit, settings, clock, onEvent: mailOutbox.incidentEvent }),
    playbooks: createPlaybookService({ db, audit, settings, clock }),
    observables: createObservableService({ db, audit, settings, clock }),
    evidence: createEvidenceService({ db, audit, settings, clock, blobs, maxBytes: config.VIGIL_EVIDENCE_MAX_BYTES }),
  };
  const reports = createReportService({ db, audit, settings, clock, incidents: base.incidents, onReceived: mailOutbox.reportReceived });
  const intake = createIntakeItemService({ db, audit, clock, reports });
  // E-mail (SMTP listener, .eml/mbox import): the parser that makes reports, replies and communications.
  registerMailIntake({ db, clock, audit, settings, blobs, reports, intake }, config);
  return {
    ...base,
    reports,
    intake,
    // The public web form: its service, and the parsers of its intake items.
    publicIntake: registerWebFormIntake({ db, clock, audit, settings, blobs, intake, reports }, config),
    mailOutbox,
    mail: createMailService({ db, audit, clock, relayConfigured: !!config.VIGIL_SMTP_RELAY_URL }),
    alerts: createAlertService({ db, audit, settings: base.settings, clock, intake, observables: base.observables }),
    sources: createSourceService({ db, audit, clock }),
    triage: createTriageService({ db, clock, settings: base.settings, reports, blobPath: blobs.pathOf }),
    live: createLiveService({ db, reports, pollMs: config.VIGIL_LIVE_POLL_MS }),
    incidentExport: createIncidentExportService({
      incidents: base.incidents, details: base.incidentDetails, tasks: base.tasks, links: base.links, observables: base.observables, evidence: base.evidence,
    }),
  };
}
export type Services = ReturnType<typeof createServices>;
