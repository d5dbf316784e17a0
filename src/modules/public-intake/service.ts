import { isIPv6 } from 'node:net';
import type { Config } from '../../config.ts';
import type { Db, Executor } from '../../db/index.ts';
import type { Clock } from '../../lib/actor.ts';
import { randomToken, sha256Hex } from '../../lib/crypto.ts';
import { VigilError } from '../../lib/errors.ts';
import type { AuditService } from '../audit/index.ts';
import type { BlobStore } from '../evidence/index.ts';
import { recorder } from '../incidents/index.ts';
import { channelActor, type IntakeItemRow, type IntakeItemService, saveAttachments } from '../intake/index.ts';
import { addReportMessage, incidentsOfReports, lockReport, publicStatus, reportById, type ReportService } from '../reports/index.ts';
import type { SettingsService } from '../settings/index.ts';
import { readReportForm, readUpdateForm, reportBody, reportFingerprint, reportTitle } from './form.ts';
import type { MultipartLimits } from './multipart.ts';
import { publicIntakeRepo as repo } from './repo.ts';

export interface PublicIntakeDeps {
  db: Db;
  clock: Clock;
  audit: AuditService;
  settings: SettingsService;
  blobs: BlobStore;
  intake: IntakeItemService;
  reports: ReportService;
}

export interface PublicIntakeSettings {
  ratePerHour: number;
  linkDays: number;
  attachmentMaxBytes: number;
  dedupSeconds: number;
  /** Makes status links absolute (https://vigil.example.org/status/…); relative without it. */
  publicUrl?: string | undefined;
}

/** Who sent a request, as the envelope of its intake item records it. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

/** The request body exactly as it arrived. */
export interface RawBody {
  contentType: string | undefined;
  body: Buffer;
}

export type SubmitOutcome =
  | { kind: 'created'; reference: string; statusUrl: string; expiresAt: Date }
  | { kind: 'queued'; receipt: string };
export type UpdateOutcome = { kind: 'added'; receipt: string; receivedAt: Date } | { kind: 'queued'; receipt: string };

const RATE_WINDOW_SECONDS = 3600;
/** Limits of one submission; the whole body may be a few attachments' worth (see bodyLimit). */
export function formLimits(attachmentMaxBytes: number): MultipartLimits {
  return { maxParts: 30, maxFiles: 10, maxFieldBytes: 256 * 1024, maxFileBytes: attachmentMaxBytes, maxHeaderBytes: 8 * 1024 };
}
/** The largest body the form endpoints read: three attachments at the limit plus the text, at most 256 MiB. */
export const bodyLimitFor = (attachmentMaxBytes: number) => Math.min(attachmentMaxBytes * 3 + 1024 * 1024, 256 * 1024 * 1024);

/**
 * The key a client's requests are counted under: its IPv4 address, or the /64 network of an IPv6
 * one (a single host usually holds a whole /64, so counting addresses would count nothing).
 */
export function rateKeyOf(ip: string | null | undefined): string {
  if (!ip) return 'unknown';
  const bare = ip.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(bare);
  if (mapped) return mapped[1]!;
  if (!isIPv6(bare)) return bare;
  const [head = '', tail = ''] = bare.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const width = (g: string[]) => g.reduce((n, x) => n + (x.includes('.') ? 2 : 1), 0);
  const groups = bare.includes('::') ? [...left, ...Array<string>(8 - width(left) - width(right)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => (parseInt(g, 16) || 0).toString(16)).join(':')}::/64`;
}

type Envelope = { ip?: string | null; userAgent?: string | null; parser?: string; honeypot?: boolean; reportId?: string };

/**
 * The public web form and the reporter's status link. A submission is checked, stored raw as an
 * intake item, then parsed into a report in the same request; whatever happens after the store,
 * the reporter's bytes are kept. The status link's token is shown once; only its hash is kept.
 */
export function createPublicIntakeService(d: PublicIntakeDeps, s: PublicIntakeSettings) {
  const limits = formLimits(s.attachmentMaxBytes);
  // Stored items were accepted at the door: parsing them again refuses nothing for its size (files
  // over the limit are listed, flagged too_large, their bytes kept only in the raw item).
  const storedLimits: MultipartLimits = { ...limits, maxFileBytes: Number.MAX_SAFE_INTEGER, maxFieldBytes: Number.MAX_SAFE_INTEGER };
  const base = (s.publicUrl ?? '').replace(/\/+$/, '');
  const record = recorder(d);

  // The status link of a submission being parsed in this request: made before the parse, so the
  // receipt e-mail written with the report can carry it, and kept (as a hash) in the same transaction.
  const pendingLinks = new Map<string, { token: string; expiresAt: Date }>();
  const urlOf = (token: string) => `${base}/status/${token}`;

  async function keepLink(tx: Executor, reportId: string, link: { token: string; expiresAt: Date }, actor: ReturnType<typeof channelActor>) {
    await repo.insertLink(tx, { tokenHash: sha256Hex(link.token), reportId, createdAt: d.clock.now(), expiresAt: link.expiresAt });
    await d.audit.record(tx, actor, { action: 'report.status_link_issued', entity: 'report', entityId: reportId, after: { expiresAt: link.expiresAt } });
  }

  /** What the honeypot answers: a reference like the next real one and a link that leads nowhere. */
  async function decoy() {
    const now = d.clock.now();
    const year = now.getUTCFullYear();
    const prefix = (await d.settings.current()).incidentPrefix;
    const n = await repo.peekReportNumber(d.db);
    return {
      kind: 'created' as const, reference: `${prefix}-R-${year}-${String(n).padStart(6, '0')}`,
      statusUrl: urlOf(randomToken(32)), expiresAt: new Date(now.getTime() + s.linkDays * 86_400_000),
    };
  }

  async function linkedReport(token: string) {
    const row = /^[A-Za-z0-9_-]{20,100}$/.test(token) ? await repo.linkedReport(d.db, sha256Hex(token), d.clock.now()) : undefined;
    if (!row) throw new VigilError('VIG_STATUS_LINK_NOT_FOUND');
    return row;
  }

  /** Turns a stored web form submission into a report (or a repeat of one) with its files. */
  async function parseSubmission(tx: Executor, item: IntakeItemRow) {
    const env = item.envelope as Envelope;
    if (env.honeypot) return {}; // kept raw and flagged; a bot's submission makes no report
    const form = readReportForm(item.contentType, Buffer.from(item.content), storedLimits, item.receivedAt);
    const actor = channelActor('web-form', env.ip ?? null);
    // A re-run (resume, or a handler) has no link to give anyone: the report gets none.
    const link = pendingLinks.get(item.id);
    const r = await d.reports.receiveIn(tx, actor, {
      channel: 'web_form', intakeItemId: item.id, receivedAt: item.receivedAt,
      title: reportTitle(form.what), body: reportBody(form), tlp: form.tlp,
      reporterName: form.name, reporterEmail: form.email, reporterPhone: form.phone, organisation: form.organisation,
      wantsUpdates: form.wantsUpdates, fingerprint: reportFingerprint(form), dedupWindowSeconds: s.dedupSeconds,
      // Only an absolute link means anything in an e-mail.
      statusUrl: link && base ? urlOf(link.token) : null,
    });
    await saveAttachments(tx, d.blobs, { reportId: r.report.id, messageId: r.messageId }, form.files, s.attachmentMaxBytes, d.clock.now());
    if (link) await keepLink(tx, r.report.id, link, actor);
    return { reportId: r.report.id };
  }

  /** Adds what a reporter sent through its status link to the report, and to its incident's timeline. */
  async function parseUpdate(tx: Executor, item: IntakeItemRow) {
    const env = item.envelope as Envelope;
    const report = env.reportId ? await lockReport(tx, env.reportId) : undefined;
    if (!report) throw new Error('the report this update was sent to does not exist');
    const form = readUpdateForm(item.contentType, Buffer.from(item.content), storedLimits);
    const actor = channelActor('web-form', env.ip ?? null);
    const message = await addReportMessage(tx, {
      reportId: report.id, kind: 'reporter_update', intakeItemId: item.id, receivedAt: item.receivedAt,
      sender: report.reporterEmail ?? report.reporterName, subject: null, body: form.message,
    });
    const files = await saveAttachments(tx, d.blobs, { reportId: report.id, messageId: message.id }, form.files, s.attachmentMaxBytes, d.clock.now());
    await d.audit.record(tx, actor, {
      action: 'report.reporter_update', entity: 'report', entityId: report.id,
      after: { reference: report.reference, messageId: message.id, length: form.message.length, attachments: files.length },
    });
    if (report.incidentId) {
      const party = `${report.reporterName ?? 'the reporter'}${report.organisation ? ` (${report.organisation})` : ''}`;
      await record(tx, actor, report.incidentId, 'incident.communication', {
        direction: 'inbound', channel: 'web form', party, body: form.message,
        report: { id: report.id, reference: report.reference }, messageId: message.id, attachments: files.map((f) => f.filename),
      }, { tlp: report.tlp, occurredAt: item.receivedAt, after: { direction: 'inbound', channel: 'web form', length: form.message.length, report: report.reference } });
    }
    return { reportId: report.id };
  }

  return {
    limits,
    bodyLimit: bodyLimitFor(s.attachmentMaxBytes),

    /** What a form may know before it sends: limits only (an explicit allowlist of settings). */
    formSettings: () => ({ maxFiles: limits.maxFiles, attachmentMaxBytes: limits.maxFileBytes, bodyMaxBytes: bodyLimitFor(s.attachmentMaxBytes), statusLinkDays: s.linkDays }),
    parseSubmission,
    parseUpdate,

    /** Counts a request from this client; over the hourly limit it is refused (429, Retry-After). */
    async throttle(kind: 'webform' | 'status', ip: string | null) {
      const now = d.clock.now();
      const r = await repo.hit(d.db, `${kind}:${rateKeyOf(ip)}`, now, RATE_WINDOW_SECONDS);
      if (r.hits === 1) await repo.pruneRates(d.db, `${kind}:`, new Date(now.getTime() - 2 * RATE_WINDOW_SECONDS * 1000));
      if (r.hits > s.ratePerHour) {
        const retryAfter = Math.max(1, Math.ceil((new Date(r.windowStart).getTime() + RATE_WINDOW_SECONDS * 1000 - now.getTime()) / 1000));
        throw new VigilError('VIG_WEBFORM_RATE_LIMITED', { retryAfter }, { headers: { 'retry-after': String(retryAfter) } });
      }
    },

    /**
     * A web form submission: checked (400/413 before anything is kept), stored raw, parsed. A
     * report (or a repeat of one) gets its reference and a fresh status link; a parse that fails
     * leaves the item in the unparsed queue and the reporter gets the item's id as a receipt.
     */
    async submit(client: ClientInfo, raw: RawBody): Promise<SubmitOutcome> {
      const receivedAt = d.clock.now();
      const form = readReportForm(raw.contentType, raw.body, limits, receivedAt);
      const item = await d.intake.store({
        channel: 'web_form', receivedAt, contentType: raw.contentType!, content: raw.body,
        envelope: { ip: client.ip, userAgent: client.userAgent, parser: 'web_form', ...(form.honeypot ? { honeypot: true } : {}) },
      });
      const link = { token: randomToken(32), expiresAt: new Date(receivedAt.getTime() + s.linkDays * 86_400_000) };
      pendingLinks.set(item.id, link);
      let parsed: Awaited<ReturnType<IntakeItemService['parse']>>;
      try {
        parsed = await d.intake.parse(item.id);
      } finally {
        pendingLinks.delete(item.id);
      }
      if (form.honeypot) return decoy();
      if (parsed.state !== 'parsed' || !parsed.outcome.reportId) return { kind: 'queued', receipt: item.id };
      const report = (await reportById(d.db, parsed.outcome.reportId))!;
      return { kind: 'created', reference: report.reference, statusUrl: urlOf(link.token), expiresAt: link.expiresAt };
    },

    /** What the holder of a status link may know: never internal fields. */
    async status(token: string) {
      const row = await linkedReport(token);
      const [incident] = await incidentsOfReports(d.db, row.incidentId ? [row.incidentId] : []);
      const updates = await repo.reporterUpdates(d.db, row.id);
      const files = await repo.reporterFiles(d.db, row.id);
      const filesOf = (messageId: string | null) => files.filter((f) => f.messageId === messageId).map((f) => ({ filename: f.filename, size: Number(f.size) }));
      return {
        reference: row.reference, title: row.title, receivedAt: row.receivedAt,
        status: publicStatus(row.status, incident), incidentReference: incident?.reference ?? null, linkExpiresAt: row.expiresAt,
        attachments: filesOf(null),
        messages: updates.map((m) => ({ id: m.id, receivedAt: m.receivedAt, body: m.body, attachments: filesOf(m.id) })),
      };
    },

    /** Information the reporter adds through the status link: stored raw, then parsed onto the report. */
    async addUpdate(client: ClientInfo, token: string, raw: RawBody): Promise<UpdateOutcome> {
      const report = await linkedReport(token);
      readUpdateForm(raw.contentType, raw.body, limits);
      const receivedAt = d.clock.now();
      const item = await d.intake.store({
        channel: 'web_form', receivedAt, contentType: raw.contentType!, content: raw.body,
        envelope: { ip: client.ip, userAgent: client.userAgent, parser: 'web_form_update', reportId: report.id },
      });
      const parsed = await d.intake.parse(item.id);
      return parsed.state === 'parsed' ? { kind: 'added', receipt: item.id, receivedAt } : { kind: 'queued', receipt: item.id };
    },
  };
}
export type PublicIntakeService = ReturnType<typeof createPublicIntakeService>;

/** A parser whose refusals say what was wrong: the reason a handler reads in the unparsed queue. */
function explained(parser: (tx: Executor, item: IntakeItemRow) => Promise<{ reportId?: string }>) {
  return async (tx: Executor, item: IntakeItemRow) => {
    try {
      return await parser(tx, item);
    } catch (e) {
      if (!(e instanceof VigilError)) throw e;
      throw new Error(`${e.code}: ${JSON.stringify(e.detail)}`, { cause: e });
    }
  };
}

/**
 * Wires the public web form: its service, and the parsers of its intake items (a submission, and
 * an update sent through a status link), so items left pending or failed can be parsed again by
 * `intake.resume` and `intake.rerun` in any process. Called once, at the end of createServices.
 */
export function registerWebFormIntake(d: PublicIntakeDeps, config: Config): PublicIntakeService {
  const svc = createPublicIntakeService(d, {
    ratePerHour: config.VIGIL_WEBFORM_RATE_PER_HOUR, linkDays: config.VIGIL_STATUS_LINK_DAYS,
    attachmentMaxBytes: config.VIGIL_INTAKE_ATTACHMENT_MAX_BYTES, dedupSeconds: config.VIGIL_REPORT_DEDUP_SECONDS,
    publicUrl: config.VIGIL_PUBLIC_URL,
  });
  d.intake.register('web_form', explained(svc.parseSubmission));
  d.intake.register('web_form_update', explained(svc.parseUpdate));
  return svc;
}
