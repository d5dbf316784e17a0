import { createHash } from 'node:crypto';
import type { Executor } from '../../db/index.ts';
import type { IncidentStatus, Level, ReportChannel, ReportStatus, Resolution, Tlp } from '../../db/schema.ts';
import type { Actor } from '../../lib/actor.ts';
import { incidentScope } from '../../lib/authz/incidents.ts';
import { authorize, can, reportActions, type ReportActions } from '../../lib/authz/policy.ts';
import { decodeCursor, keysetPage } from '../../lib/cursor.ts';
import { VigilError } from '../../lib/errors.ts';
import { groupCommit, type Settled } from '../../lib/group-commit.ts';
import { findVisibleIncident, type IncidentDeps } from '../incidents/index.ts';
import { reportRepo, type ReportFilter, type ReportRow, type ReportScope } from './repo.ts';
import { accessRepo } from '../../lib/authz/access.repo.ts';

export interface SubmitInput {
  title: string;
  body?: string | undefined;
  channel?: ReportChannel | undefined;
  source?: string | null | undefined;
  tlp?: Tlp | undefined;
  reporterName?: string | null | undefined;
  reporterEmail?: string | null | undefined;
  reporterPhone?: string | null | undefined;
  organisation?: string | null | undefined;
  receivedAt?: Date | undefined;
  urgency?: Level | null | undefined;
}

export interface RawContent {
  contentType: string;
  content: Uint8Array;
}

/** What a reporter may know about its report: no internal fields, the incident's status in plain words. */
export type PublicStatus = 'received' | 'in_progress' | 'closed' | 'not_pursued';

export function publicStatus(status: ReportStatus, incident: { status: IncidentStatus; resolution: Resolution | null } | undefined): PublicStatus {
  if (status === 'rejected') return 'not_pursued';
  if (!incident) return 'received';
  return incident.status === 'closed' ? 'closed' : 'in_progress';
}

/** What an intake channel (SMTP, web form, import) hands over once it has stored and parsed an item. */
export interface ReceiveInput extends Omit<SubmitInput, 'channel'> {
  channel: ReportChannel;
  /** The stored intake item holding the raw bytes; or the raw content itself, kept in report_raw. */
  intakeItemId?: string | undefined;
  raw?: RawContent | undefined;
  /** Deduplication: a report with this fingerprint received within the window gets this one as a repeat. */
  fingerprint?: string | undefined;
  dedupWindowSeconds?: number | undefined;
  wantsUpdates?: boolean | undefined;
  /** Not to be answered automatically (Auto-Submitted, a bounce's empty MAIL FROM, bulk): no receipt. */
  autoSubmitted?: boolean | undefined;
  /** The reporter's private status link, for the receipt. */
  statusUrl?: string | null | undefined;
}

/** Called in the transaction that stores a new report (not a repeat): the outgoing mail's receipt. */
export type ReportReceivedHook = (tx: Executor, report: ReportRow, extras: { autoSubmitted?: boolean | undefined; statusUrl?: string | null | undefined }) => Promise<unknown>;

/** A submission waiting for its batch: checked already (authorisation, the raw bytes' hash). */
interface Submission {
  actor: Actor;
  input: SubmitInput;
  raw: RawContent;
  sha256: string;
  /** Whether the submitter works the queue (a team member) rather than reporting for its organisation. */
  triage: boolean;
  /** The idempotency key, when an account sent one. */
  key: string | undefined;
}

/** The most submissions written in one transaction. */
const SUBMISSION_BATCH = 200;

async function settle<R>(f: () => Promise<R>): Promise<Settled<R>> {
  try {
    return { ok: true, value: await f() };
  } catch (error) {
    return { ok: false, error };
  }
}

const clean = (v: string | null | undefined) => (v === undefined ? undefined : v?.trim() || null);

/**
 * Incident reports: what came in (kept raw, byte for byte), and how they are shown. Reporters see
 * their own reports and their constituent's (see ReportScope), with the public status of the
 * incident, never internal fields. Deciding what becomes of a report (link, merge, reject, reopen,
 * declare) is the triage module's.
 */
export function createReportService(d: IncidentDeps & { onReceived?: ReportReceivedHook | undefined }) {
  async function scopeOf(x: Executor, actor: Actor): Promise<ReportScope> {
    if (can(actor, 'report.read')) return { kind: 'team', incidents: incidentScope(actor) };
    authorize(actor, 'report.read_own');
    if (!actor.userId) throw new VigilError('VIG_AUTHZ_FORBIDDEN', { permission: 'report.read_own' });
    // A request's actor carries its constituents (read with its credentials); others are looked up.
    const constituentIds = actor.constituentIds !== undefined ? actor.constituentIds : await accessRepo.constituentsOf(x, actor.userId);
    return { kind: 'reporter', userId: actor.userId, constituentIds: [...(constituentIds ?? [])] };
  }

  /** The views of rows; `knownRaw` spares the query for raw details the caller already has (a report just stored). */
  async function views(x: Executor, actor: Actor, scope: ReportScope, rows: ReportRow[], knownRaw?: Map<string, { contentType: string; size: number; sha256: string }>) {
    const incidentIds = [...new Set(rows.map((r) => r.incidentId).filter((v): v is string => !!v))];
    const incidents = new Map((await reportRepo.incidentsOf(x, incidentIds)).map((i) => [i.id, i]));
    if (scope.kind === 'reporter') {
      return rows.map((r) => {
        const inc = r.incidentId ? incidents.get(r.incidentId) : undefined;
        return {
          id: r.id, reference: r.reference, title: r.title, body: r.body, channel: r.channel, organisation: r.organisation,
          reporterName: r.reporterName, receivedAt: r.receivedAt,
          publicStatus: publicStatus(r.status, inc),
          incidentReference: inc?.reference ?? null,
        };
      });
    }
    const merged = new Map((await reportRepo.references(x, rows.map((r) => r.mergedInto).filter((v): v is string => !!v))).map((r) => [r.id, r]));
    const raws = new Map(knownRaw ?? []);
    const unknown = rows.map((r) => r.id).filter((id) => !raws.has(id));
    for (const r of await reportRepo.rawInfo(x, unknown)) raws.set(r.reportId, r);
    return rows.map((r) => {
      const inc = r.incidentId ? incidents.get(r.incidentId) : undefined;
      const raw = raws.get(r.id);
      const incident = inc ? { id: inc.id, reference: inc.reference, status: inc.status } : null;
      return {
        ...r,
        incident,
        mergedIntoReference: r.mergedInto ? (merged.get(r.mergedInto)?.reference ?? null) : null,
        raw: raw ? { contentType: raw.contentType, size: raw.size, sha256: raw.sha256 } : null,
        allowed: reportActions(actor, { status: r.status, incident }),
      };
    });
  }

  /** What a submission is answered with. */
  type Submitted = { report: Awaited<ReturnType<typeof views>>[number]; replayed: boolean };

  async function teamView(x: Executor, actor: Actor, row: ReportRow) {
    return (await views(x, actor, { kind: 'team', incidents: incidentScope(actor) }, [row]))[0] as TeamReportView;
  }

  async function recordReport(tx: Executor, actor: Actor, row: ReportRow, action: string, data: Record<string, unknown>) {
    await d.audit.record(tx, actor, { action, entity: 'report', entityId: row.id, after: { reference: row.reference, ...data } });
  }

  /** The stored fields of a submission: a team member's as given, a reporter's from its account. */
  async function submittedFields(x: Executor, p: Submission) {
    const { actor, input, triage } = p;
    let fields: Pick<ReportRow, 'channel' | 'source' | 'reporterName' | 'reporterEmail' | 'reporterPhone' | 'organisation'>;
    if (triage) {
      fields = {
        channel: input.channel ?? 'api', source: clean(input.source) ?? null,
        reporterName: clean(input.reporterName) ?? null, reporterEmail: clean(input.reporterEmail)?.toLowerCase() ?? null,
        reporterPhone: clean(input.reporterPhone) ?? null, organisation: clean(input.organisation) ?? null,
      };
    } else {
      const user = await reportRepo.reporter(x, actor.userId!);
      fields = {
        channel: 'portal', source: null, reporterName: user?.displayName ?? actor.username, reporterEmail: user?.email ?? null,
        reporterPhone: clean(input.reporterPhone) ?? null, organisation: user?.organisation ?? null,
      };
    }
    // Who the report is for, by id: the organisation a team member names, or the portal account's own.
    const constituentId = triage ? await reportRepo.constituentNamed(x, fields.organisation) : ((await accessRepo.constituentsOf(x, actor.userId!))?.[0] ?? null);
    const now = d.clock.now();
    return {
      ...fields,
      constituentId,
      status: 'new' as const,
      title: input.title.trim(),
      body: input.body ?? '',
      tlp: input.tlp ?? 'AMBER',
      receivedAt: triage && input.receivedAt ? input.receivedAt : now,
      urgency: input.urgency ?? null,
      submittedBy: actor.userId,
      incidentId: null, mergedInto: null, rejection: null, rejectionNote: null, decidedBy: null, decidedAt: null,
      updatedAt: now,
    };
  }

  /** What the submitter is answered with: the report as it may see it. */
  async function submittedView(tx: Executor, p: Submission, row: ReportRow) {
    await d.onReceived?.(tx, row, {});
    const known = new Map([[row.id, { contentType: p.raw.contentType, size: p.raw.content.length, sha256: p.sha256 }]]);
    return (await views(tx, p.actor, await scopeOf(tx, p.actor), [row], known))[0]!;
  }

  /** One submission in a transaction of its own (a lone one, a retried key, or a batch's items after it failed). */
  async function submitOne(p: Submission): Promise<Submitted> {
    const { actor, key, sha256 } = p;
    return d.db.transaction().execute(async (tx) => {
      const now = d.clock.now();
      // A retried submission with the same key (per account) gets the report it made the first time.
      if (key && !(await reportRepo.claimKey(tx, actor.userId!, key, sha256, now))) {
        const claim = (await reportRepo.keyOf(tx, actor.userId!, key))!;
        if (claim.requestSha256 !== sha256 || !claim.reportId) throw new VigilError('VIG_IDEMPOTENCY_KEY_REUSED', { key });
        const first = (await reportRepo.byId(tx, claim.reportId))!;
        return { report: (await views(tx, actor, await scopeOf(tx, actor), [first]))[0]!, replayed: true };
      }
      const team = await d.settings.current(tx);
      const row = await reportRepo.insert(tx, { prefix: team.incidentPrefix, year: now.getUTCFullYear() }, await submittedFields(tx, p),
        { contentType: p.raw.contentType, content: p.raw.content, sha256 }, key ? { ownerId: actor.userId!, key } : undefined);
      const view = await submittedView(tx, p, row);
      // The audit record comes last: the chain's lock is then held only until the commit.
      await recordReport(tx, actor, row, 'report.received', { channel: row.channel, title: row.title });
      return { report: view, replayed: false };
    });
  }

  /**
   * Submissions that arrived together, in one transaction: their keys claimed in one statement, the
   * reports stored in three, their audit records appended in one as the last. A key repeated within
   * the batch, or claimed before it, is answered on its own after the commit (a replay, or 422);
   * when the transaction fails, every submission is tried again on its own, so one bad submission
   * fails alone.
   */
  async function submitBatch(batch: Submission[]): Promise<Settled<Submitted>[]> {
    if (batch.length === 1) return [await settle(() => submitOne(batch[0]!))];
    const keyOf = (p: Submission) => `${p.actor.userId}\n${p.key}`;
    let written: Map<Submission, Submitted>;
    try {
      written = await d.db.transaction().execute(async (tx) => {
        const now = d.clock.now();
        const firsts = new Map<string, Submission>();
        for (const p of batch) if (p.key && !firsts.has(keyOf(p))) firsts.set(keyOf(p), p);
        const claimed = await reportRepo.claimKeys(tx, [...firsts.values()].map((p) => ({ ownerId: p.actor.userId!, key: p.key!, requestSha256: p.sha256 })), now);
        const go = batch.filter((p) => !p.key || (firsts.get(keyOf(p)) === p && claimed.has(keyOf(p))));
        const team = await d.settings.current(tx);
        const items = [];
        for (const p of go) {
          items.push({ row: await submittedFields(tx, p), raw: { contentType: p.raw.contentType, content: p.raw.content, sha256: p.sha256 },
            settle: p.key ? { ownerId: p.actor.userId!, key: p.key } : undefined });
        }
        const rows = await reportRepo.insertMany(tx, { prefix: team.incidentPrefix, year: now.getUTCFullYear() }, items);
        const out = new Map<Submission, Submitted>();
        for (const [i, p] of go.entries()) out.set(p, { report: await submittedView(tx, p, rows[i]!), replayed: false });
        for (const [i, p] of go.entries()) await recordReport(tx, p.actor, rows[i]!, 'report.received', { channel: rows[i]!.channel, title: rows[i]!.title });
        return out;
      });
    } catch {
      written = new Map();
    }
    const settled: Settled<Submitted>[] = [];
    for (const p of batch) {
      const done = written.get(p);
      settled.push(done ? { ok: true, value: done } : await settle(() => submitOne(p)));
    }
    return settled;
  }

  // API and portal submissions share transactions when they arrive together (src/lib/group-commit.ts).
  const submissions = groupCommit(submitBatch, { max: SUBMISSION_BATCH });

  const service = {
    /** Who may see which reports, for callers that filter reports themselves (live updates). */
    scope: (actor: Actor) => scopeOf(d.db, actor),

    /** A report as a team member sees it (with what the actor may do to it), read with `x` (the caller's transaction). */
    teamView,

    /**
     * Stores a report with the bytes that arrived. Team members log reports from any channel; a
     * reporter submits through the portal for its own organisation.
     */
    async submit(actor: Actor, input: SubmitInput, raw: RawContent, idempotencyKey?: string): Promise<Submitted> {
      const triage = can(actor, 'report.triage');
      if (!triage) authorize(actor, 'report.submit');
      const sha256 = createHash('sha256').update(raw.content).digest('hex');
      return submissions.add({ actor, input, raw, sha256, triage, key: idempotencyKey && actor.userId ? idempotencyKey : undefined });
    },

    /**
     * Makes a report from an item a channel received (no signed-in submitter; the actor names the
     * channel). With a fingerprint, a report with the same one within the window absorbs this
     * arrival as a repeat (a report message) instead of a second report. Runs in the caller's
     * transaction, which also marks the intake item parsed.
     */
    async receiveIn(tx: Executor, actor: Actor, input: ReceiveInput) {
      const now = d.clock.now();
      const receivedAt = input.receivedAt ?? now;
      if (input.fingerprint && (input.dedupWindowSeconds ?? 0) > 0) {
        const since = new Date(receivedAt.getTime() - input.dedupWindowSeconds! * 1000);
        const first = await reportRepo.lockByFingerprint(tx, input.fingerprint, since);
        if (first) {
          const message = await reportRepo.addMessage(tx, {
            reportId: first.id, kind: 'repeat', intakeItemId: input.intakeItemId ?? null, receivedAt,
            sender: clean(input.reporterEmail) ?? clean(input.reporterName) ?? null, subject: input.title.trim(), body: input.body ?? '',
          });
          await recordReport(tx, actor, first, 'report.repeated', { channel: input.channel, messageId: message.id });
          return { report: first, repeatOf: first.reference, messageId: message.id as string | null };
        }
      }
      const team = await d.settings.current(tx);
      const raw = input.raw ? { contentType: input.raw.contentType, content: input.raw.content, sha256: createHash('sha256').update(input.raw.content).digest('hex') } : null;
      const row = await reportRepo.insert(tx, { prefix: team.incidentPrefix, year: now.getUTCFullYear() }, {
        channel: input.channel, source: clean(input.source) ?? null,
        reporterName: clean(input.reporterName) ?? null, reporterEmail: clean(input.reporterEmail)?.toLowerCase() ?? null,
        reporterPhone: clean(input.reporterPhone) ?? null, organisation: clean(input.organisation) ?? null,
        status: 'new', title: input.title.trim().slice(0, 300) || '(no subject)', body: input.body ?? '', tlp: input.tlp ?? 'AMBER',
        receivedAt, submittedBy: null, urgency: input.urgency ?? null,
        incidentId: null, mergedInto: null, rejection: null, rejectionNote: null, decidedBy: null, decidedAt: null,
        updatedAt: now, intakeItemId: input.intakeItemId ?? null, fingerprint: input.fingerprint ?? null, wantsUpdates: input.wantsUpdates ?? false,
      }, raw);
      await d.onReceived?.(tx, row, { autoSubmitted: input.autoSubmitted, statusUrl: input.statusUrl });
      await recordReport(tx, actor, row, 'report.received', { channel: row.channel, title: row.title });
      return { report: row, repeatOf: null, messageId: null as string | null };
    },

    async get(actor: Actor, id: string) {
      const scope = await scopeOf(d.db, actor);
      const row = await reportRepo.findVisible(d.db, scope, id);
      if (!row) throw new VigilError('VIG_REPORT_NOT_FOUND', { id });
      return (await views(d.db, actor, scope, [row]))[0]!;
    },

    async list(actor: Actor, f: Omit<ReportFilter, 'after' | 'incidentId'> & { cursor?: string | undefined; incident?: string | undefined }) {
      const scope = await scopeOf(d.db, actor);
      let incidentId: string | undefined;
      if (f.incident) {
        if (scope.kind !== 'team') throw new VigilError('VIG_AUTHZ_FORBIDDEN', { permission: 'report.read' });
        const inc = await findVisibleIncident(d.db, scope.incidents, f.incident);
        if (!inc) throw new VigilError('VIG_INCIDENT_NOT_FOUND', { id: f.incident });
        incidentId = inc.id;
      }
      const after = f.cursor ? toAfter(decodeCursor(f.cursor, 'received', ['date', 'uuid'])) : undefined;
      const rows = await reportRepo.list(d.db, scope, { ...f, incidentId, after, limit: f.limit + 1 });
      const { page, nextCursor } = keysetPage(rows, f.limit, 'received', (r) => [r.receivedAt, r.id]);
      return { items: await views(d.db, actor, scope, page), nextCursor };
    },

    /** The bytes that arrived, unchanged (team members only). */
    async raw(actor: Actor, id: string) {
      authorize(actor, 'report.read');
      const scope = await scopeOf(d.db, actor);
      const row = await reportRepo.findVisible(d.db, scope, id);
      if (!row) throw new VigilError('VIG_REPORT_NOT_FOUND', { id });
      const raw = (await reportRepo.raw(d.db, row.id))!;
      await recordReport(d.db, actor, row, 'report.raw_read', { sha256: raw.sha256 });
      return { reference: row.reference, ...raw };
    },
  };
  return service;
}
export type ReportService = ReturnType<typeof createReportService>;
export type TeamReportView = ReportRow & {
  incident: { id: string; reference: string; status: IncidentStatus } | null;
  mergedIntoReference: string | null;
  raw: { contentType: string; size: number; sha256: string } | null;
  allowed: ReportActions;
};

const toAfter = ([receivedAt, id]: (string | Date)[]) => ({ receivedAt: receivedAt as Date, id: id as string });
