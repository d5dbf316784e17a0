import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from './config.ts';
import type { Db } from './db/index.ts';
import { systemClock, type Clock } from './lib/actor.ts';
import { toProblem, VigilError } from './lib/errors.ts';
import { toVigilError } from './lib/http-errors.ts';
import { textIssues } from './lib/schemas.ts';
import { SESSION_COOKIE } from './lib/http.ts';
import { callerOf } from './modules/auth/authenticate.ts';
import { VERSION } from './version.ts';
import { createServices, type Services } from './services.ts';
import { accountRoutes } from './modules/account/routes.ts';
import { auditRoutes } from './modules/audit/routes.ts';
import { authRoutes } from './modules/auth/routes.ts';
import { settingsRoutes } from './modules/settings/routes.ts';
import { healthRoutes, metaRoutes } from './modules/system/routes.ts';
import { userRoutes } from './modules/users/routes.ts';
import { incidentRoutes } from './modules/incidents/routes.ts';
import { taskRoutes } from './modules/incidents/tasks.routes.ts';
import { exportRoutes } from './modules/incidents/export.routes.ts';
import { linkRoutes } from './modules/incidents/links.routes.ts';
import { playbookRoutes } from './modules/playbooks/routes.ts';
import { observableRoutes } from './modules/observables/routes.ts';
import { reportRoutes } from './modules/reports/routes.ts';
import { reportAttachmentRoutes } from './modules/reports/attachments.routes.ts';
import { publicIntakeRoutes } from './modules/public-intake/routes.ts';
import { intakeRoutes } from './modules/intake/routes.ts';
import { triageRoutes } from './modules/triage/routes.ts';
import { liveRoutes } from './modules/live/routes.ts';
import { evidenceRoutes } from './modules/evidence/routes.ts';
import { mailRoutes } from './modules/outbound-mail/routes.ts';
import { notificationRoutes } from './modules/notifications/routes.ts';
import { oncallRoutes } from './modules/oncall/routes.ts';
import { dashboardRoutes } from './modules/dashboard/routes.ts';
import { directoryRoutes } from './modules/directory/routes.ts';
import { constituentRoutes } from './modules/constituents/routes.ts';
import { escalationRoutes } from './modules/escalation/routes.ts';
import { slaRoutes } from './modules/sla/routes.ts';
import { kpiRoutes } from './modules/kpi/routes.ts';
import { kpiReportRoutes } from './modules/kpi-documents/routes.ts';
import { deliveryRoutes } from './modules/delivery/routes.ts';
import { feedRoutes } from './modules/feeds/routes.ts';

export interface AppDeps {
  config: Config;
  db: Db;
  secretKey: Buffer;
  clock?: Clock;
  logger?: FastifyServerOptions['logger'];
  /** Services already wired for this database (the CLI's runtime); made here when absent. */
  services?: Services;
}

const WEB_DIST = fileURLToPath(new URL('../web/dist/', import.meta.url));
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
  "font-src 'self' data:", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'", "object-src 'none'",
].join('; ');

/** Log options: request ids on every line, and never a password, token or cookie. */
export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]', '*.password', '*.token'],
      censor: '[redacted]',
    },
    serializers: {
      // A reporter's status link is its only key: the token never reaches the logs.
      req: (req: { method: string; url: string; id: string; ip?: string }) => ({
        method: req.method, url: maskSecrets(req.url), id: req.id, remoteAddress: req.ip,
      }),
    },
  };
}

/** URLs as logged: the secret part of a reporter's status link is replaced. */
export function maskSecrets(url: string): string {
  return url.replace(/(\/public\/status\/)[^/?#]+/, '$1[redacted]');
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance & { services: Services }> {
  const { config } = deps;
  const clock = deps.clock ?? systemClock;
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: config.VIGIL_BODY_LIMIT_BYTES,
    trustProxy: config.VIGIL_TRUST_PROXY,
    genReqId: () => randomUUID(),
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const services = deps.services ?? createServices({ db: deps.db, config, clock, secretKey: deps.secretKey });
  app.decorate('services', services);
  app.decorateRequest('auth', null);

  // JSON bodies as Fastify parses them (prototype poisoning refused), but an empty body with a JSON
  // content type counts as no body rather than an error: many clients always send the header.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) =>
    body === '' ? done(null, undefined) : parseJson(req, body as string, done),
  );

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Vigil API', version: VERSION, description: 'Operations platform for CSIRTs. Errors are RFC 9457 problem+json with a stable `code`.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API token (vgl_…) from Account › API tokens' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'Cookie session; writes also need the x-csrf-token header' },
          sourceToken: { type: 'http', scheme: 'bearer', description: 'A monitoring source\'s token (vgs_…), for POST /intake/alerts only' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
    // The schemas named with .meta({ id }) become components.schemas, which the operations' $refs point into.
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    await authenticate(req, services);
  });

  // No text field can store a NUL character or an unpaired surrogate: every string of a parsed body,
  // the query and the path parameters is checked before any route reads it. Raw bodies (Buffers and
  // streams: mail, the alerts webhook, evidence, the public form) are not walked and stay as they came.
  app.addHook('preValidation', async (req) => {
    const errors = [...textIssues(req.params, 'params'), ...textIssues(req.query, 'querystring'), ...textIssues(req.body, 'body')];
    if (errors.length > 0) throw new VigilError('VIG_REQUEST_TEXT_INVALID', { errors });
  });

  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    if (!req.url.startsWith('/api/docs')) reply.header('content-security-policy', CSP);
    if (req.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.setErrorHandler((err, req, reply) => {
    const e = toVigilError(err);
    // Unavailable (an unreachable database, say) is one line per request, not a stack each.
    if (e.code === 'VIG_UNAVAILABLE') req.log.warn({ code: e.code, cause: err instanceof Error ? err.message : String(err) }, 'service unavailable');
    else if (e.status >= 500) req.log.error({ err }, 'request failed');
    for (const [k, v] of Object.entries(e.headers)) reply.header(k, v);
    return reply.status(e.status).type('application/problem+json').send(toProblem(e, String(req.id)));
  });

  app.setNotFoundHandler((req, reply) => {
    const wantsPage = req.method === 'GET' && !req.url.startsWith('/api') && (req.headers.accept ?? '').includes('text/html');
    if (wantsPage) {
      if (existsSync(`${WEB_DIST}index.html`)) return reply.type('text/html').sendFile('index.html');
      return reply.status(503).type('text/plain').send('The web app is not built yet: run "npm run build" (npm start does it for you).\n');
    }
    const e = new VigilError('VIG_ROUTE_NOT_FOUND', { method: req.method, path: req.url.split('?')[0] });
    return reply.status(404).type('application/problem+json').send(toProblem(e, String(req.id)));
  });

  app.get('/api/openapi.json', { config: { auth: 'none' }, schema: { hide: true } }, async () => app.swagger());
  await app.register(healthRoutes, { db: deps.db });
  await app.register(
    async (api) => {
      await api.register(metaRoutes, { settings: services.settings });
      await api.register(authRoutes, { auth: services.auth, settings: services.settings, cookieSecure: config.cookieSecure });
      await api.register(accountRoutes, { account: services.account });
      await api.register(userRoutes, { users: services.users });
      await api.register(settingsRoutes, { settings: services.settings });
      await api.register(auditRoutes, { audit: services.audit });
      await api.register(incidentRoutes, { incidents: services.incidents, details: services.incidentDetails });
      await api.register(taskRoutes, { tasks: services.tasks });
      await api.register(linkRoutes, { links: services.links });
      await api.register(exportRoutes, { exporter: services.incidentExport });
      await api.register(playbookRoutes, { playbooks: services.playbooks });
      await api.register(observableRoutes, { observables: services.observables });
      await api.register(reportRoutes, { reports: services.reports });
      await api.register(reportAttachmentRoutes, { attachments: services.reportAttachments });
      await api.register(publicIntakeRoutes, { publicIntake: services.publicIntake });
      await api.register(intakeRoutes, { alerts: services.alerts, sources: services.sources, items: services.intake });
      await api.register(triageRoutes, { reports: services.reportTriage, alerts: services.alertTriage, view: services.triage });
      await api.register(liveRoutes, { live: services.live, authenticator: services.authenticator, heartbeatMs: config.VIGIL_LIVE_HEARTBEAT_MS });
      await api.register(evidenceRoutes, { evidence: services.evidence, maxBytes: config.VIGIL_EVIDENCE_MAX_BYTES });
      await api.register(mailRoutes, { mail: services.mail });
      await api.register(notificationRoutes, { notifications: services.notifications, channels: services.notificationChannels });
      await api.register(oncallRoutes, { oncall: services.oncall, changes: services.oncallChanges });
      await api.register(dashboardRoutes, { dashboard: services.dashboard });
      await api.register(directoryRoutes, { team: services.team, contacts: services.contacts, incidentContacts: services.incidentContacts });
      await api.register(constituentRoutes, { constituents: services.constituents, transfer: services.constituentTransfer });
      await api.register(escalationRoutes, { escalation: services.escalation });
      await api.register(slaRoutes, { sla: services.sla });
      await api.register(kpiRoutes, { kpi: services.kpi });
      await api.register(kpiReportRoutes, { reports: services.kpiReports, schedules: services.reportSchedules });
      await api.register(deliveryRoutes, { deliveries: services.deliveries });
      await api.register(feedRoutes, { feeds: services.feeds, maxBytes: config.VIGIL_FEED_MAX_BYTES });
    },
    { prefix: '/api/v1' },
  );

  if (existsSync(WEB_DIST)) {
    // Files are listed at start (a rebuilt web/dist is served after a restart). Hashed assets are
    // cached for good; index.html is revalidated so an upgrade never points at vanished assets.
    // Each text file is sent as the .br or .gz copy the build wrote beside it when the browser
    // accepts that encoding (with Vary: Accept-Encoding), else as it is.
    await app.register(fastifyStatic, {
      root: WEB_DIST,
      prefix: '/',
      wildcard: false,
      index: ['index.html'],
      preCompressed: true,
      cacheControl: false,
      setHeaders: (reply, path) =>
        void reply.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'),
    });
  }
  return app as unknown as FastifyInstance & { services: Services };
}

/**
 * Resolves the caller (API token or session cookie) and applies the route's rule: who may call it,
 * CSRF for cookie-authenticated writes, and the password change or MFA enrolment still owed.
 */
async function authenticate(req: FastifyRequest, s: Services) {
  const url = req.routeOptions.url;
  // Routes under /api/v1 need a signed-in user unless they say otherwise; the web app's files and
  // the API reference are public.
  const rule = req.routeOptions.config?.auth ?? (url?.startsWith('/api/v1/') ? undefined : 'none');
  // The web app's files and the health checks need no caller: skip the session lookup.
  if (rule === 'none' && !url?.startsWith('/api/')) return;
  // Monitoring sources carry their own token (vgs_…), checked by the route's service.
  if (rule === 'source') return;
  req.auth = await callerOf(req, s.authenticator, { touch: req.routeOptions.config?.touchSession !== false });
  const a = req.auth;
  if (rule === 'none' || !url) return;
  if (!a) throw new VigilError('VIG_AUTH_REQUIRED');
  if (a.actor.via === 'session' && !SAFE_METHODS.has(req.method)) {
    const sent = req.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !a.sessionId || sent !== s.auth.csrfFor(a.sessionId)) throw new VigilError('VIG_AUTH_CSRF');
  }
  if (rule === 'mfa-pending') {
    if (!a.mfaPending) throw new VigilError('VIG_AUTH_REQUIRED', { reason: 'no sign-in awaits a second factor' });
    return;
  }
  if (a.mfaPending) throw new VigilError('VIG_AUTH_MFA_PENDING');
  if (rule === 'setup') return;
  if (a.mustChangePassword) throw new VigilError('VIG_AUTH_PASSWORD_CHANGE_REQUIRED');
  if (a.mfaEnrolmentRequired) throw new VigilError('VIG_AUTH_MFA_ENROLMENT_REQUIRED');
}
