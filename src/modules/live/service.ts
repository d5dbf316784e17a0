import type { Db } from '../../db/index.ts';
import type { Actor } from '../../lib/actor.ts';
import { incidentScope, scopeKey as incidentScopeKey, type IncidentScope } from '../../lib/authz/incidents.ts';
import { can } from '../../lib/authz/policy.ts';
import { visibleIncidentIds } from '../incidents/index.ts';
import { visibleReportIds, type ReportScope, type ReportService } from '../reports/index.ts';
import { liveRepo } from './repo.ts';

/** What a subscriber is told: the ids of incidents and reports that changed and that it may see. */
export interface LiveChange {
  incidents: string[];
  reports: string[];
}

interface Subscriber {
  incidents: IncidentScope | null;
  reports: ReportScope | null;
  send(change: LiveChange): void;
}

const BATCH = 5000;

const scopeKey = (r: ReportScope) =>
  r.kind === 'team' ? `team:${incidentScopeKey(r.incidents)}` : `reporter:${r.userId}`;

/**
 * Live updates for open consoles. One poll of the audit trail per server (not per client) finds
 * what changed since the last poll; each subscriber then hears only of the incidents and reports
 * its own access rules let it see (the same SQL rule as every read). Nothing but ids is sent: the
 * client re-reads through the API, which checks access again.
 */
export function createLiveService(d: { db: Db; reports: ReportService; pollMs: number }) {
  const subscribers = new Set<Subscriber>();
  let last: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  let polling = false;

  async function poll() {
    if (polling) return;
    polling = true;
    try {
      if (last === null) last = await liveRepo.lastSeq(d.db);
      const rows = await liveRepo.changesSince(d.db, last, BATCH);
      if (rows.length === 0) return;
      last = rows[rows.length - 1]!.seq;
      const ids = (entity: string) => [...new Set(rows.filter((r) => r.entity === entity && r.entityId).map((r) => r.entityId!))];
      const incidents = ids('incident');
      const reports = ids('report');
      // Consoles with the same scope (the same user, or privileged users of the same constituents) see the same: ask once per scope.
      const seen = new Map<string, Promise<string[]>>();
      const once = (key: string, load: () => Promise<string[]>) => {
        if (!seen.has(key)) seen.set(key, load());
        return seen.get(key)!;
      };
      for (const s of subscribers) {
        const i = s.incidents;
        const r = s.reports;
        const change = {
          incidents: i ? await once(`i:${incidentScopeKey(i)}`, () => visibleIncidentIds(d.db, i, incidents)) : [],
          reports: r ? await once(`r:${scopeKey(r)}`, () => visibleReportIds(d.db, r, reports)) : [],
        };
        if (change.incidents.length || change.reports.length) s.send(change);
      }
    } finally {
      polling = false;
    }
  }

  function start() {
    if (timer) return;
    timer = setInterval(() => void poll().catch(() => undefined), d.pollMs);
    timer.unref();
  }

  function stopIfIdle() {
    if (subscribers.size > 0 || !timer) return;
    clearInterval(timer);
    timer = null;
    last = null;
  }

  return {
    /** Registers a listener for the actor; returns the function that ends it. */
    async subscribe(actor: Actor, send: (change: LiveChange) => void): Promise<() => void> {
      const sub: Subscriber = {
        incidents: can(actor, 'incident.read') ? incidentScope(actor) : null,
        reports: can(actor, 'report.read') || can(actor, 'report.read_own') ? await d.reports.scope(actor) : null,
        send,
      };
      if (last === null) last = await liveRepo.lastSeq(d.db);
      subscribers.add(sub);
      start();
      return () => {
        subscribers.delete(sub);
        stopIfIdle();
      };
    },

    /** Polls now (tests; the timer does it otherwise). */
    poll,

    close() {
      subscribers.clear();
      stopIfIdle();
    },
  };
}
export type LiveService = ReturnType<typeof createLiveService>;
