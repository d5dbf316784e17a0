import type { Db, Executor } from '../../db/index.ts';
import type { AlertDismissal, AlertSeverity, AlertStatus, Tlp } from '../../db/schema.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { incidentScope } from '../../lib/authz/incidents.ts';
import { authorize } from '../../lib/authz/policy.ts';
import { requireAccess } from '../../lib/authz/access.repo.ts';
import { sha256Hex } from '../../lib/crypto.ts';
import { decodeCursor, keysetPage } from '../../lib/cursor.ts';
import { VigilError } from '../../lib/errors.ts';
import type { AuditService } from '../audit/index.ts';
import { lockVisible, priorityOf, recorder } from '../incidents/index.ts';
import type { ObservableService } from '../observables/index.ts';
import type { SettingsService } from '../settings/index.ts';
import { alertRepo, sourceRepo, type AlertRow, type SourceRow } from './alerts.repo.ts';
import { correlationRepo } from './correlation.repo.ts';
import { routingQueries, suggestFromAlert, withConstituents, type RoutedConstituent } from './suggest.ts';
import { SAME_TYPE_WINDOW_MS } from './triage.service.ts';
import { intakeItemRepo, type IntakeItemRow } from './items.repo.ts';
import type { IntakeItemService } from './items.service.ts';
import { itemsOf, jsonBody, mapAlert, Mapping, MappingError, type MappedAlert } from './mapping.ts';
import { xarfAlert, xarfReportsIn } from './xarf.ts';

export const SOURCE_TOKEN_PREFIX = 'vgs_';

type IncidentRef = { id: string; reference: string; tlp: Tlp };

export interface PostedAlerts {
  content: Uint8Array;
  contentType: string;
  ip: string | null;
  idempotencyKey?: string | undefined;
}

export interface AlertOutcome {
  /** The intake item holding the body as it arrived. */
  item: string;
  state: 'parsed' | 'failed';
  error: string | null;
  alerts: { reference: string; id: string; repeat: boolean }[];
  replayed: boolean;
}

/**
 * Alerts from monitoring. A source posts with its own token; the body is kept byte for byte as an
 * intake item, mapped to alerts by the source's mapping, and each alert either opens a new alert or
 * (same fingerprint within the dedup window) counts as another arrival of the existing one. A body
 * the mapping cannot read is kept as a failed item with the reason; the source still gets 202.
 */
export function createAlertService(d: {
  db: Db; audit: AuditService; settings: SettingsService; clock: Clock; intake: IntakeItemService; observables: ObservableService;
  /** Routes an alert's observables to constituents (the in-memory index). */
  constituents: { routeAll(q: ReturnType<typeof routingQueries>): Promise<RoutedConstituent[]> };
}) {
  const record = recorder(d);

  async function sourceOf(token: string | undefined): Promise<SourceRow> {
    if (!token || !token.startsWith(SOURCE_TOKEN_PREFIX) || token.length > 200) throw new VigilError('VIG_SOURCE_TOKEN_INVALID');
    const s = await sourceRepo.byTokenHash(d.db, sha256Hex(token));
    if (!s || !s.enabled) throw new VigilError('VIG_SOURCE_TOKEN_INVALID');
    return s;
  }

  /**
   * Maps a body: X-ARF v4 reports as X-ARF says, anything else with the source's mapping. The
   * alerts, or the reason the body cannot be read.
   */
  function mapBody(source: SourceRow, content: Uint8Array, contentType: string): { alerts: MappedAlert[] } | { error: string } {
    const read = jsonBody(content, contentType);
    if ('error' in read) return read;
    const body = read.body;
    const xarf = xarfReportsIn(body);
    if (xarf) return { alerts: xarf.map(xarfAlert) };
    try {
      const mapping = Mapping.parse(source.mapping);
      return { alerts: itemsOf(body, mapping).map((i) => mapAlert(i, mapping)) };
    } catch (e) {
      if (e instanceof MappingError) return { error: e.message };
      throw e;
    }
  }

  /**
   * Opens or repeats each mapped alert, as arrivals of the item, in the caller's transaction. A
   * handful of statements per body whatever its size: locks, one dedup lookup, one insert of the
   * new alerts, one of the arrivals.
   */
  async function file(tx: Executor, source: SourceRow, itemId: string, receivedAt: Date, alerts: MappedAlert[]) {
    const dedup = source.dedupWindowSeconds > 0;
    const fps = alerts.map((a) => a.fingerprint);
    if (dedup) await alertRepo.lockFingerprints(tx, source.id, fps);
    const since = new Date(receivedAt.getTime() - source.dedupWindowSeconds * 1000);
    const known = dedup ? await alertRepo.findRepeats(tx, source.id, fps, since) : new Map<string, { id: string; reference: string }>();
    // The first of a fingerprint not seen lately opens an alert; later ones in the body repeat it.
    const opening = alerts.map((a, i) => (!known.has(a.fingerprint) && (!dedup || fps.indexOf(a.fingerprint) === i) ? i : -1)).filter((i) => i >= 0);
    const team = opening.length ? await d.settings.current(tx) : null;
    const numbers = await alertRepo.nextNumbers(tx, opening.length);
    const year = receivedAt.getUTCFullYear();
    const made = await alertRepo.insertMany(tx, opening.map((i, k) => ({
      ...alerts[i]!, reference: `${team!.incidentPrefix}-A-${year}-${String(numbers[k]).padStart(6, '0')}`, sourceId: source.id, tlp: source.tlp, at: receivedAt,
    })));
    const byRef = new Map(made.map((m) => [m.reference, m]));
    const opened = new Map<number, { id: string; reference: string }>();
    opening.forEach((i, k) => opened.set(i, byRef.get(`${team!.incidentPrefix}-A-${year}-${String(numbers[k]).padStart(6, '0')}`)!));
    const firstOf = new Map<string, { id: string; reference: string }>();
    const out: AlertOutcome['alerts'] = alerts.map((a, i) => {
      const own = opened.get(i);
      if (own) {
        if (dedup) firstOf.set(a.fingerprint, own);
        return { ...own, repeat: false };
      }
      const of = known.get(a.fingerprint) ?? firstOf.get(a.fingerprint)!;
      return { ...of, repeat: true };
    });
    await alertRepo.addArrivals(tx, out.map((o, position) => ({ intakeItemId: itemId, position, alertId: o.id, receivedAt })));
    return out;
  }

  /** Re-running a failed monitoring item (after its source's mapping was fixed). */
  d.intake.register('monitoring', async (tx: Executor, item: IntakeItemRow) => {
    if (!item.sourceId) throw new Error('the item names no source');
    const source = await sourceRepo.find(tx, item.sourceId);
    if (!source) throw new Error('the source is gone');
    const mapped = mapBody(source, item.content, item.contentType);
    if ('error' in mapped) throw new Error(mapped.error);
    await file(tx, source, item.id, item.receivedAt, mapped.alerts);
    return {};
  });

  /** Loads an alert the actor may see, locked, at the version the caller read. */
  async function lockForTriage(tx: Executor, actor: Actor, id: string, version?: number): Promise<AlertRow> {
    authorize(actor, 'report.triage');
    const seen = await alertRepo.findVisible(tx, incidentScope(actor), id);
    if (!seen) throw new VigilError('VIG_ALERT_NOT_FOUND', { id });
    const row = (await alertRepo.lockById(tx, seen.id))!;
    if (version !== undefined && row.version !== version) {
      throw new VigilError('VIG_ALERT_VERSION_CONFLICT', { id: row.id, yourVersion: version, currentVersion: row.version, current: await alertRepo.findVisible(tx, incidentScope(actor), row.id) });
    }
    return row;
  }

  async function change(tx: Executor, actor: Actor, row: AlertRow, kind: string, patch: Parameters<typeof alertRepo.update>[2], data: Record<string, unknown> = {}) {
    const now = d.clock.now();
    const after = await alertRepo.update(tx, row.id, { ...patch, updatedAt: now });
    await alertRepo.addEvent(tx, { alertId: row.id, at: now, actorId: actor.userId, actor: actor.username, kind, data: { from: row.status, to: after.status, ...data } });
    await d.audit.record(tx, actor, { action: `alert.${kind}`, entity: 'alert', entityId: row.id, before: { status: row.status }, after: { reference: row.reference, status: after.status, ...data } });
    return after;
  }

  /**
   * The same change to many alerts, at a constant number of statements: one update, one insert of
   * their events; the audit records are appended together at the commit.
   */
  async function changeMany(tx: Executor, actor: Actor, rows: AlertRow[], kind: string, patch: Parameters<typeof alertRepo.update>[2], data: Record<string, unknown> = {}) {
    if (rows.length === 0) return new Map<string, AlertRow>();
    const now = d.clock.now();
    const after = new Map((await alertRepo.updateMany(tx, rows.map((r) => r.id), { ...patch, updatedAt: now })).map((a) => [a.id, a]));
    await alertRepo.addEvents(tx, rows.map((row) => ({
      alertId: row.id, at: now, actorId: actor.userId, actor: actor.username, kind, data: { from: row.status, to: after.get(row.id)!.status, ...data },
    })));
    for (const row of rows) {
      await d.audit.record(tx, actor, { action: `alert.${kind}`, entity: 'alert', entityId: row.id, before: { status: row.status }, after: { reference: row.reference, status: after.get(row.id)!.status, ...data } });
    }
    return after;
  }

  /** Alerts for a bulk triage action: all visible (one query), locked (one query), in the order given. */
  async function lockManyForTriage(tx: Executor, actor: Actor, ids: string[]): Promise<AlertRow[]> {
    const wanted = await requireAccess(tx, actor, 'report.triage', ids, 'alert');
    const rows = new Map((await alertRepo.lockMany(tx, wanted)).map((r) => [r.id, r]));
    return wanted.map((id) => rows.get(id)!);
  }

  async function attach(tx: Executor, actor: Actor, row: AlertRow, incident: IncidentRef, how: 'declared' | 'linked') {
    const after = await change(tx, actor, row, 'escalated', { status: 'escalated', incidentId: incident.id, decidedBy: actor.userId, decidedAt: d.clock.now(), dismissal: null, dismissalNote: null }, { incident: incident.reference, how });
    await record(tx, actor, incident.id, 'alert.linked', {
      alert: { id: row.id, reference: row.reference, title: row.title, severity: row.severity }, how,
    }, { tlp: row.tlp });
    if (row.observables.length) {
      await d.observables.linkIn(tx, actor, incident, row.observables.map((o) => ({ type: o.type as never, value: o.value, tlp: row.tlp })));
    }
    return after;
  }

  const service = {
    /** Receives a source's POST: stores the body first, then files its alerts, in one transaction. */
    async receive(token: string | undefined, p: PostedAlerts): Promise<AlertOutcome> {
      const source = await sourceOf(token);
      const requestSha256 = sha256Hex(p.content);
      const mapped = mapBody(source, p.content, p.contentType);
      return d.db.transaction().execute(async (tx) => {
        const now = d.clock.now();
        if (p.idempotencyKey && !(await alertRepo.claimKey(tx, source.id, p.idempotencyKey, requestSha256, now))) {
          const claim = (await alertRepo.keyOf(tx, source.id, p.idempotencyKey))!;
          if (claim.requestSha256 !== requestSha256 || !claim.intakeItemId) throw new VigilError('VIG_IDEMPOTENCY_KEY_REUSED', { key: p.idempotencyKey });
          const item = (await intakeItemRepo.info(tx, claim.intakeItemId))!;
          const alerts = (await alertRepo.ofItem(tx, item.id)).map((a) => ({ id: a.id, reference: a.reference, repeat: a.repeat }));
          return { item: item.id, state: item.state === 'failed' ? 'failed' : 'parsed', error: item.error, alerts, replayed: true } satisfies AlertOutcome;
        }
        const failed = 'error' in mapped ? mapped.error : null;
        const item = await intakeItemRepo.store(tx, {
          channel: 'monitoring', sourceId: source.id, receivedAt: now, contentType: p.contentType.slice(0, 200), content: p.content,
          envelope: { ip: p.ip, parser: 'monitoring', source: source.name, ...(p.idempotencyKey ? { idempotencyKey: p.idempotencyKey } : {}) },
          outcome: failed ? { state: 'failed', error: failed } : { state: 'parsed', parsedAt: now },
        });
        if (p.idempotencyKey) await alertRepo.settleKey(tx, source.id, p.idempotencyKey, item.id);
        const alerts = 'alerts' in mapped ? await file(tx, source, item.id, now, mapped.alerts) : [];
        return { item: item.id, state: failed ? 'failed' : 'parsed', error: failed, alerts, replayed: false } satisfies AlertOutcome;
      });
    },

    async list(actor: Actor, f: { status?: AlertStatus[] | undefined; severity?: AlertSeverity[] | undefined; source?: string | undefined; incident?: string | undefined; q?: string | undefined; limit: number; cursor?: string | undefined }) {
      authorize(actor, 'report.read');
      const scope = incidentScope(actor);
      let sourceId: string | undefined;
      if (f.source) {
        const s = await sourceRepo.find(d.db, f.source);
        if (!s) return { items: [], nextCursor: null };
        sourceId = s.id;
      }
      const after = f.cursor ? toAfter(decodeCursor(f.cursor, 'alerts', ['date', 'uuid'])) : undefined;
      const rows = await alertRepo.list(d.db, scope, { ...f, sourceId, incidentId: f.incident, after, limit: f.limit + 1 });
      const { page, nextCursor } = keysetPage(rows, f.limit, 'alerts', (r) => [r.createdAt, r.id]);
      return { items: page, nextCursor };
    },

    /** One alert with its arrivals, its history, and the open incidents it may belong to. */
    async get(actor: Actor, id: string) {
      authorize(actor, 'report.read');
      const scope = incidentScope(actor);
      const row = await alertRepo.findVisible(d.db, scope, id);
      if (!row) throw new VigilError('VIG_ALERT_NOT_FOUND', { id });
      // The constituents its observables route to; their criticality raises the impact, and the first one finds its incidents.
      const suggestion = withConstituents(suggestFromAlert(row), await d.constituents.routeAll(routingQueries(null, row.observables)));
      const [arrivals, events, incident, correlation] = await Promise.all([
        alertRepo.arrivals(d.db, row.id, 100),
        alertRepo.events(d.db, row.id),
        row.incidentId ? correlationRepo.incidentBrief(d.db, row.incidentId) : Promise.resolve(undefined),
        correlationRepo.forItem(d.db, scope, {
          observables: row.observables, classification: row.classification, organisation: suggestion.constituents[0]?.constituent.name ?? null,
          since: new Date(row.createdAt.getTime() - SAME_TYPE_WINDOW_MS),
        }),
      ]);
      const team = await d.settings.current(d.db);
      return { ...row, incident: incident ?? null, arrivalList: arrivals, events, correlation, suggestions: { ...suggestion, priority: priorityOf(team.priorityMatrix, suggestion.impact, suggestion.urgency) } };
    },

    /** The body this alert first arrived in, unchanged, and which item of it the alert is. */
    async raw(actor: Actor, id: string) {
      authorize(actor, 'report.triage');
      const row = await alertRepo.findVisible(d.db, incidentScope(actor), id);
      if (!row) throw new VigilError('VIG_ALERT_NOT_FOUND', { id });
      const first = (await alertRepo.firstArrival(d.db, row.id))!;
      const item = (await intakeItemRepo.byId(d.db, first.intakeItemId))!;
      await d.audit.record(d.db, actor, { action: 'alert.raw_read', entity: 'alert', entityId: row.id, after: { reference: row.reference, item: item.id, sha256: item.sha256 } });
      return { reference: row.reference, position: first.position, contentType: item.contentType, content: item.content, sha256: item.sha256 };
    },

    /** Acknowledges new alerts (in bulk): someone is looking at them. Already acknowledged ones are skipped. */
    async acknowledge(actor: Actor, ids: string[]) {
      return d.db.transaction().execute(async (tx) => {
        const rows = await lockManyForTriage(tx, actor, ids);
        const decided = rows.find((r) => r.status !== 'new' && r.status !== 'acknowledged');
        if (decided) throw new VigilError('VIG_ALERT_DECIDED', { id: decided.id, reference: decided.reference, status: decided.status });
        const changed = await changeMany(tx, actor, rows.filter((r) => r.status === 'new'), 'acknowledged', { status: 'acknowledged' });
        return rows.map((r) => changed.get(r.id) ?? r);
      });
    },

    async dismiss(actor: Actor, ids: string[], reason: AlertDismissal, note: string | undefined) {
      return d.db.transaction().execute(async (tx) => {
        const rows = await lockManyForTriage(tx, actor, ids);
        const decided = rows.find((r) => r.status === 'escalated' || r.status === 'dismissed');
        if (decided) throw new VigilError('VIG_ALERT_DECIDED', { id: decided.id, reference: decided.reference, status: decided.status });
        const changed = await changeMany(tx, actor, rows, 'dismissed',
          { status: 'dismissed', dismissal: reason, dismissalNote: note?.trim() || null, decidedBy: actor.userId, decidedAt: d.clock.now() }, { reason, note: note?.trim() || null });
        return rows.map((r) => changed.get(r.id)!);
      });
    },

    /** Back to the queue: a dismissal was wrong, or an acknowledged alert needs someone else. */
    async reopen(actor: Actor, id: string, reason: string, version?: number) {
      return d.db.transaction().execute(async (tx) => {
        const row = await lockForTriage(tx, actor, id, version);
        if (row.status === 'new') throw new VigilError('VIG_ALERT_DECIDED', { id: row.id, reference: row.reference, status: row.status });
        if (row.status === 'escalated') throw new VigilError('VIG_ALERT_DECIDED', { id: row.id, reference: row.reference, status: row.status, reason: 'an escalated alert stays with its incident' });
        return change(tx, actor, row, 'reopened', { status: 'new', dismissal: null, dismissalNote: null, decidedBy: null, decidedAt: null }, { reason });
      });
    },

    /** Puts alerts on an existing incident (recorded there; their observables are linked to it). */
    async link(actor: Actor, ids: string[], incident: string) {
      return d.db.transaction().execute(async (tx) => {
        const target = await lockVisible(tx, actor, incidentScope(actor), incident, 'incident.update');
        if (target.status === 'closed') throw new VigilError('VIG_INCIDENT_CLOSED', { id: target.id });
        return service.escalateIn(tx, actor, ids, target, 'linked');
      });
    },

    /** Escalates alerts onto an incident inside the caller's transaction (declaring an incident from items). */
    async escalateIn(tx: Executor, actor: Actor, ids: string[], incident: IncidentRef, how: 'declared' | 'linked' = 'declared') {
      const out: AlertRow[] = [];
      for (const id of new Set(ids)) {
        const row = await lockForTriage(tx, actor, id);
        if (row.status === 'escalated' || row.status === 'dismissed') throw new VigilError('VIG_ALERT_DECIDED', { id: row.id, reference: row.reference, status: row.status });
        out.push(await attach(tx, actor, row, incident, how));
      }
      return out;
    },
  };
  return service;
}
export type AlertService = ReturnType<typeof createAlertService>;

const toAfter = ([createdAt, id]: (string | Date)[]) => ({ createdAt: createdAt as Date, id: id as string });
