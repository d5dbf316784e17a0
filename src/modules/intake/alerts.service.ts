import type { Db, Executor } from '../../db/index.ts';
import type { AlertSeverity, AlertStatus } from '../../db/schema.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { incidentScope } from '../../lib/authz/incidents.ts';
import { alertActions, authorize } from '../../lib/authz/policy.ts';
import { sha256Hex } from '../../lib/crypto.ts';
import { decodeCursor, keysetPage } from '../../lib/cursor.ts';
import { VigilError } from '../../lib/errors.ts';
import type { AuditService } from '../audit/index.ts';
import { priorityOf } from '../incidents/index.ts';
import type { SettingsService } from '../settings/index.ts';
import { alertRepo, sourceRepo, type SourceRow } from './alerts.repo.ts';
import { correlationRepo, SAME_TYPE_WINDOW_MS } from './correlation.repo.ts';
import { routingQueries, suggestFromAlert, withConstituents, type RoutedConstituent } from './suggest.ts';
import { intakeItemRepo, type IntakeItemRow } from './items.repo.ts';
import type { IntakeItemService } from './items.service.ts';
import { itemsOf, jsonBody, mapAlert, Mapping, MappingError, type MappedAlert } from './mapping.ts';
import { xarfAlert, xarfReportsIn } from './xarf.ts';

export const SOURCE_TOKEN_PREFIX = 'vgs_';

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
  db: Db; audit: AuditService; settings: SettingsService; clock: Clock; intake: IntakeItemService;
  /** Routes an alert's observables to constituents (the in-memory index). */
  constituents: { routeAll(q: ReturnType<typeof routingQueries>): Promise<RoutedConstituent[]> };
}) {

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
      return { items: page.map((r) => ({ ...r, allowed: alertActions(actor, r) })), nextCursor };
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
      return { ...row, allowed: alertActions(actor, row), incident: incident ?? null, arrivalList: arrivals, events, correlation, suggestions: { ...suggestion, priority: priorityOf(team.priorityMatrix, suggestion.impact, suggestion.urgency) } };
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
  };
  return service;
}
export type AlertService = ReturnType<typeof createAlertService>;

const toAfter = ([createdAt, id]: (string | Date)[]) => ({ createdAt: createdAt as Date, id: id as string });
